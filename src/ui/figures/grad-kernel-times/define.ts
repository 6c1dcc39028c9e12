import { defineFigure } from '../../figure/define-figure.ts';
import { GradKernelTimes } from './grad-kernel-times.ts';

defineFigure('grad-kernel-times', GradKernelTimes);

declare global {
  interface HTMLElementTagNameMap {
    'grad-kernel-times': GradKernelTimes;
  }
}
