import { defineFigure } from '../../figure/define-figure.ts';
import { GradLayerPlot } from './grad-layer-plot.ts';

defineFigure('grad-layer-plot', GradLayerPlot);

declare global {
  interface HTMLElementTagNameMap {
    'grad-layer-plot': GradLayerPlot;
  }
}
