import { defineFigure } from '../../figure/define-figure.ts';
import { GradTrainingLoss } from './grad-training-loss.ts';

defineFigure('grad-training-loss', GradTrainingLoss);

declare global {
  interface HTMLElementTagNameMap {
    'grad-training-loss': GradTrainingLoss;
  }
}
