import { html } from 'lit';
import { kernelChart, kernelChartLegend } from '../../grad-benchmark/benchmark-data.ts';
import { BenchmarkFigure } from '../benchmark-figure.ts';

/**
 * The benchmark per kernel as grouped bars on a log axis: milliseconds of each kernel in the
 * median run, one bar per backend, numbered kernels with their names listed under the chart, and
 * the whole run's steady state last. A missing bar is a kernel with no time of its own (webgpu's
 * activation, fused into the matmuls) or one below the clock's resolution (0 ms, which a log
 * axis cannot show); the chart's note counts them. The same benchmark as grad-timings-table.
 *
 * @summary Milliseconds per kernel and backend, as grouped bars.
 * @csspart run-status - Progress, Cancel, run errors and the CPU-fallback notice.
 * @tagname grad-kernel-times
 */
export class GradKernelTimes extends BenchmarkFigure {
  protected override defaultCaption(): string {
    return 'Milliseconds per kernel and backend';
  }

  protected override renderFigure(): unknown {
    const summaries = this.summaries;
    const spec = summaries[0]?.result.spec ?? this.state.spec;
    return html`${this.chart({
        name: 'kernels',
        exportName: 'benchmark-kernels',
        kind: 'bars',
        logY: true,
        data: kernelChart(summaries),
        xLabel: 'kernel (numbered below)',
        yLabel: 'ms',
      })}
      <ol class="legend" aria-label="kernel numbers of the chart">
        ${kernelChartLegend(spec).map((entry) => html`<li value=${entry.x}>${entry.label}</li>`)}
      </ol>`;
  }
}
