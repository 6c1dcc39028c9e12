import { GradLab } from './grad-lab.ts';

if (!customElements.get('grad-lab')) customElements.define('grad-lab', GradLab);

declare global {
  interface HTMLElementTagNameMap {
    'grad-lab': GradLab;
  }
}
