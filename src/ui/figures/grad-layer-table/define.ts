import { defineFigure } from '../../figure/define-figure.ts';
import { GradLayerTable } from './grad-layer-table.ts';

defineFigure('grad-layer-table', GradLayerTable);

declare global {
  interface HTMLElementTagNameMap {
    'grad-layer-table': GradLayerTable;
  }
}
