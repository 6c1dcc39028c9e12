import '../grad-chart/define.ts';
import { GradRun } from './grad-run.ts';

if (!customElements.get('grad-run')) customElements.define('grad-run', GradRun);

declare global {
  interface HTMLElementTagNameMap {
    'grad-run': GradRun;
  }
}
