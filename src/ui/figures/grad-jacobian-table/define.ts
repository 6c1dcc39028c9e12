import { defineFigure } from '../../figure/define-figure.ts';
import { GradJacobianTable } from './grad-jacobian-table.ts';

defineFigure('grad-jacobian-table', GradJacobianTable);

declare global {
  interface HTMLElementTagNameMap {
    'grad-jacobian-table': GradJacobianTable;
  }
}
