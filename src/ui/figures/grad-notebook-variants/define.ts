import { defineFigure } from '../../figure/define-figure.ts';
import { GradNotebookVariants } from './grad-notebook-variants.ts';

defineFigure('grad-notebook-variants', GradNotebookVariants);

declare global {
  interface HTMLElementTagNameMap {
    'grad-notebook-variants': GradNotebookVariants;
  }
}
