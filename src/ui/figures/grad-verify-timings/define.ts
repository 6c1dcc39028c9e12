import { defineFigure } from '../../figure/define-figure.ts';
import { GradVerifyTimings } from './grad-verify-timings.ts';

defineFigure('grad-verify-timings', GradVerifyTimings);

declare global {
  interface HTMLElementTagNameMap {
    'grad-verify-timings': GradVerifyTimings;
  }
}
