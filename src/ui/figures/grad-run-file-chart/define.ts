import { defineFigure } from '../../figure/define-figure.ts';
import { GradRunFileChart } from './grad-run-file-chart.ts';

defineFigure('grad-run-file-chart', GradRunFileChart);

declare global {
  interface HTMLElementTagNameMap {
    'grad-run-file-chart': GradRunFileChart;
  }
}
