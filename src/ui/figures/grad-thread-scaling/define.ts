import { defineFigure } from '../../figure/define-figure.ts';
import { GradThreadScaling } from './grad-thread-scaling.ts';

defineFigure('grad-thread-scaling', GradThreadScaling);

declare global {
  interface HTMLElementTagNameMap {
    'grad-thread-scaling': GradThreadScaling;
  }
}
