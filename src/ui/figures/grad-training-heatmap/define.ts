import { defineFigure } from '../../figure/define-figure.ts';
import { GradTrainingHeatmap } from './grad-training-heatmap.ts';

defineFigure('grad-training-heatmap', GradTrainingHeatmap);

declare global {
  interface HTMLElementTagNameMap {
    'grad-training-heatmap': GradTrainingHeatmap;
  }
}
