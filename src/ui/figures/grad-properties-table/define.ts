import { defineFigure } from '../../figure/define-figure.ts';
import { GradPropertiesTable } from './grad-properties-table.ts';

defineFigure('grad-properties-table', GradPropertiesTable);

declare global {
  interface HTMLElementTagNameMap {
    'grad-properties-table': GradPropertiesTable;
  }
}
