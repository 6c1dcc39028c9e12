import { defineFigure } from '../../figure/define-figure.ts';
import { GradMeanField } from './grad-mean-field.ts';

defineFigure('grad-mean-field', GradMeanField);

declare global {
  interface HTMLElementTagNameMap {
    'grad-mean-field': GradMeanField;
  }
}
