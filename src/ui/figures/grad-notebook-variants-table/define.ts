import { defineFigure } from '../../figure/define-figure.ts';
import { GradNotebookVariantsTable } from './grad-notebook-variants-table.ts';

defineFigure('grad-notebook-variants-table', GradNotebookVariantsTable);

declare global {
  interface HTMLElementTagNameMap {
    'grad-notebook-variants-table': GradNotebookVariantsTable;
  }
}
