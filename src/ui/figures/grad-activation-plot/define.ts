import { defineFigure } from '../../figure/define-figure.ts';
import { GradActivationPlot } from './grad-activation-plot.ts';

defineFigure('grad-activation-plot', GradActivationPlot);

declare global {
  interface HTMLElementTagNameMap {
    'grad-activation-plot': GradActivationPlot;
  }
}
