import { defineFigure } from '../../figure/define-figure.ts';
import { GradNotebookTenLayer } from './grad-notebook-ten-layer.ts';

defineFigure('grad-notebook-ten-layer', GradNotebookTenLayer);

declare global {
  interface HTMLElementTagNameMap {
    'grad-notebook-ten-layer': GradNotebookTenLayer;
  }
}
