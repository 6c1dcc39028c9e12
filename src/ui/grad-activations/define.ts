import '../grad-chart/define.ts';
import { GradActivations } from './grad-activations.ts';

if (!customElements.get('grad-activations'))
  customElements.define('grad-activations', GradActivations);

declare global {
  interface HTMLElementTagNameMap {
    'grad-activations': GradActivations;
  }
}
