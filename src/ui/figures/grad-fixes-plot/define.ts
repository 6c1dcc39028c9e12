import { defineFigure } from '../../figure/define-figure.ts';
import { GradFixesPlot } from './grad-fixes-plot.ts';

defineFigure('grad-fixes-plot', GradFixesPlot);

declare global {
  interface HTMLElementTagNameMap {
    'grad-fixes-plot': GradFixesPlot;
  }
}
