import { defineFigure } from '../../figure/define-figure.ts';
import { GradVarianceMap } from './grad-variance-map.ts';

defineFigure('grad-variance-map', GradVarianceMap);

declare global {
  interface HTMLElementTagNameMap {
    'grad-variance-map': GradVarianceMap;
  }
}
