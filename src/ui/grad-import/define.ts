import '../grad-chart/define.ts';
import { GradImport } from './grad-import.ts';

if (!customElements.get('grad-import')) customElements.define('grad-import', GradImport);

declare global {
  interface HTMLElementTagNameMap {
    'grad-import': GradImport;
  }
}
