import { defineFigure } from '../../figure/define-figure.ts';
import { GradNotebookSweep } from './grad-notebook-sweep.ts';

defineFigure('grad-notebook-sweep', GradNotebookSweep);

declare global {
  interface HTMLElementTagNameMap {
    'grad-notebook-sweep': GradNotebookSweep;
  }
}
