import { defineFigure } from '../../figure/define-figure.ts';
import { GradVerifyErrors } from './grad-verify-errors.ts';

defineFigure('grad-verify-errors', GradVerifyErrors);

declare global {
  interface HTMLElementTagNameMap {
    'grad-verify-errors': GradVerifyErrors;
  }
}
