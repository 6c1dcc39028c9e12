import { defineFigure } from '../../figure/define-figure.ts';
import { GradInitSummary } from './grad-init-summary.ts';

defineFigure('grad-init-summary', GradInitSummary);

declare global {
  interface HTMLElementTagNameMap {
    'grad-init-summary': GradInitSummary;
  }
}
