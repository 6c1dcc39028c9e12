import { defineFigure } from '../../figure/define-figure.ts';
import { GradInitHistograms } from './grad-init-histograms.ts';

defineFigure('grad-init-histograms', GradInitHistograms);

declare global {
  interface HTMLElementTagNameMap {
    'grad-init-histograms': GradInitHistograms;
  }
}
