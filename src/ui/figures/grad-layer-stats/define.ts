import { defineFigure } from '../../figure/define-figure.ts';
import { GradLayerStats } from './grad-layer-stats.ts';

defineFigure('grad-layer-stats', GradLayerStats);

declare global {
  interface HTMLElementTagNameMap {
    'grad-layer-stats': GradLayerStats;
  }
}
