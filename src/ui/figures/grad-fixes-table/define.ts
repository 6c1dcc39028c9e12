import { defineFigure } from '../../figure/define-figure.ts';
import { GradFixesTable } from './grad-fixes-table.ts';

defineFigure('grad-fixes-table', GradFixesTable);

declare global {
  interface HTMLElementTagNameMap {
    'grad-fixes-table': GradFixesTable;
  }
}
