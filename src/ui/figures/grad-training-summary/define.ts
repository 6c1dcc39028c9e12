import { defineFigure } from '../../figure/define-figure.ts';
import { GradTrainingSummary } from './grad-training-summary.ts';

defineFigure('grad-training-summary', GradTrainingSummary);

declare global {
  interface HTMLElementTagNameMap {
    'grad-training-summary': GradTrainingSummary;
  }
}
