import { defineFigure } from '../../figure/define-figure.ts';
import { GradNotebookSweepTable } from './grad-notebook-sweep-table.ts';

defineFigure('grad-notebook-sweep-table', GradNotebookSweepTable);

declare global {
  interface HTMLElementTagNameMap {
    'grad-notebook-sweep-table': GradNotebookSweepTable;
  }
}
