import { defineFigure } from '../../figure/define-figure.ts';
import { GradTimingsTable } from './grad-timings-table.ts';

defineFigure('grad-timings-table', GradTimingsTable);

declare global {
  interface HTMLElementTagNameMap {
    'grad-timings-table': GradTimingsTable;
  }
}
