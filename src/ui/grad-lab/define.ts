import '../grad-activations/define.ts';
import '../grad-benchmark/define.ts';
import '../grad-fixes/define.ts';
import '../grad-init-explorer/define.ts';
import '../grad-norms/define.ts';
import '../grad-notebook/define.ts';
import '../grad-run/define.ts';
import '../grad-spec-form/define.ts';
import '../grad-theory/define.ts';
import '../grad-training/define.ts';
import '../grad-verify/define.ts';
import { GradLab } from './grad-lab.ts';

if (!customElements.get('grad-lab')) customElements.define('grad-lab', GradLab);

declare global {
  interface HTMLElementTagNameMap {
    'grad-lab': GradLab;
  }
}
