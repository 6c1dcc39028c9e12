import { defineFigure } from '../../figure/define-figure.ts';
import { GradKernelTable } from './grad-kernel-table.ts';

defineFigure('grad-kernel-table', GradKernelTable);

declare global {
  interface HTMLElementTagNameMap {
    'grad-kernel-table': GradKernelTable;
  }
}
