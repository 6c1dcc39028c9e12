import { defineFigure } from '../../figure/define-figure.ts';
import { GradInitLayerTable } from './grad-init-layer-table.ts';

defineFigure('grad-init-layer-table', GradInitLayerTable);

declare global {
  interface HTMLElementTagNameMap {
    'grad-init-layer-table': GradInitLayerTable;
  }
}
