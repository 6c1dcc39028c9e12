import { defineFigure } from '../../figure/define-figure.ts';
import { GradAttenuation } from './grad-attenuation.ts';

defineFigure('grad-attenuation', GradAttenuation);

declare global {
  interface HTMLElementTagNameMap {
    'grad-attenuation': GradAttenuation;
  }
}
