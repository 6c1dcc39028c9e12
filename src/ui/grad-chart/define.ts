import { GradChart } from './grad-chart.ts';

if (!customElements.get('grad-chart')) customElements.define('grad-chart', GradChart);

declare global {
  interface HTMLElementTagNameMap {
    'grad-chart': GradChart;
  }
}
