import { defineFigure } from '../../figure/define-figure.ts';
import { GradActivationCompare } from './grad-activation-compare.ts';

defineFigure('grad-activation-compare', GradActivationCompare);

declare global {
  interface HTMLElementTagNameMap {
    'grad-activation-compare': GradActivationCompare;
  }
}
