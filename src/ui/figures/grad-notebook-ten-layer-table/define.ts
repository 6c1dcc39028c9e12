import { defineFigure } from '../../figure/define-figure.ts';
import { GradNotebookTenLayerTable } from './grad-notebook-ten-layer-table.ts';

defineFigure('grad-notebook-ten-layer-table', GradNotebookTenLayerTable);

declare global {
  interface HTMLElementTagNameMap {
    'grad-notebook-ten-layer-table': GradNotebookTenLayerTable;
  }
}
