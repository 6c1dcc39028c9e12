import { defineFigure } from '../../figure/define-figure.ts';
import { GradVerifyTable } from './grad-verify-table.ts';

defineFigure('grad-verify-table', GradVerifyTable);

declare global {
  interface HTMLElementTagNameMap {
    'grad-verify-table': GradVerifyTable;
  }
}
