import { defineFigure } from '../../figure/define-figure.ts';
import { GradSizeSweep } from './grad-size-sweep.ts';

defineFigure('grad-size-sweep', GradSizeSweep);

declare global {
  interface HTMLElementTagNameMap {
    'grad-size-sweep': GradSizeSweep;
  }
}
