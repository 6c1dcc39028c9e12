import { defineFigure } from '../../figure/define-figure.ts';
import { GradPhaseTable } from './grad-phase-table.ts';

defineFigure('grad-phase-table', GradPhaseTable);

declare global {
  interface HTMLElementTagNameMap {
    'grad-phase-table': GradPhaseTable;
  }
}
