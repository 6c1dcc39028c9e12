import { defineFigure } from '../../figure/define-figure.ts';
import { GradDepthSweep } from './grad-depth-sweep.ts';

defineFigure('grad-depth-sweep', GradDepthSweep);

declare global {
  interface HTMLElementTagNameMap {
    'grad-depth-sweep': GradDepthSweep;
  }
}
