import { html, nothing } from 'lit';
import {
  formatPercent,
  formatRate,
  formatShare,
  KERNEL_LABELS,
  kernelsOf,
  missingKernelNote,
} from '../../grad-benchmark/benchmark-data.ts';
import { BenchmarkFigure, measuredCell } from '../benchmark-figure.ts';

/**
 * The benchmark per kernel (forward matmul, activation, backward matmul, weight gradient,
 * reductions, batchnorm): per backend the milliseconds of the median run, GFLOP/s of the matrix
 * products and the share of the run, and the whole run's steady state. A kernel a backend has no
 * time for says why (webgpu fuses the activation into the matmuls; an adapter without
 * timestamp-query times only the whole run). The same benchmark as grad-timings-table.
 *
 * @summary Per-kernel milliseconds, GFLOP/s and shares per backend.
 * @csspart run-status - Progress, Cancel, run errors and the CPU-fallback notice.
 * @csspart kernels - The per-kernel table.
 * @cssproperty --grad-muted - Colour of cells with no measurement.
 * @tagname grad-kernel-table
 */
export class GradKernelTable extends BenchmarkFigure {
  static override shape = 'table' as const;
  protected override defaultCaption(): string {
    return 'Milliseconds, GFLOP/s (matrix products only) and share of the run, per kernel and backend';
  }

  protected override renderFigure(): unknown {
    const summaries = this.summaries;
    const spec = summaries[0]?.result.spec;
    const kernels = spec ? kernelsOf(spec) : [];
    const unavailable = summaries.filter((summary) => summary.kernelsUnavailable);
    return this.tableFrame(
      html`<div class="table-wrap" tabindex="0" role="region" aria-label="per-kernel timings">
          <table part="kernels" aria-label="per-kernel timings per backend">
            <caption>
              ${this.caption}
            </caption>
            <thead>
              <tr>
                <th scope="col" rowspan="2">kernel</th>
                ${summaries.map(
                  (summary) => html`<th scope="colgroup" colspan="3">${summary.label.text}</th>`,
                )}
              </tr>
              <tr>
                ${summaries.map(
                  () =>
                    html`<th scope="col">ms</th>
                      <th scope="col">GFLOP/s</th>
                      <th scope="col">share</th>`,
                )}
              </tr>
            </thead>
            <tbody>
              ${kernels.map(
                (kernel) =>
                  html`<tr data-kernel=${kernel}>
                    <th scope="row">${KERNEL_LABELS[kernel]}</th>
                    ${summaries.map((summary) => {
                      const cell = summary.kernels.get(kernel);
                      if (!cell || Number.isNaN(cell.ms))
                        return html`<td
                          class="missing"
                          colspan="3"
                          data-backend=${summary.requested}
                        >
                          ${missingKernelNote(summary, kernel)}
                        </td>`;
                      return html`<td data-backend=${summary.requested} data-ms=${cell.ms}>
                          ${cell.ms === 0 ? '0' : cell.ms.toPrecision(3)}
                        </td>
                        ${measuredCell(
                          summary.peakGflops !== null && Number.isFinite(cell.gflops)
                            ? `${formatRate(cell.gflops)} (${formatPercent((100 * cell.gflops) / summary.peakGflops)} of peak)`
                            : formatRate(cell.gflops),
                          cell.gflops,
                        )}
                        ${measuredCell(formatShare(cell.share), cell.share)}`;
                    })}
                  </tr>`,
              )}
              ${
                summaries.length
                  ? html`<tr data-kernel="total">
                      <th scope="row">whole run (steady state)</th>
                      ${summaries.map(
                        (summary) =>
                          html`<td data-backend=${summary.requested} data-ms=${summary.steadyMs}>
                              ${summary.steadyMs.toPrecision(3)}
                            </td>
                            ${measuredCell(
                              summary.peakGflops !== null
                                ? `${formatRate(summary.gflops)} (${formatPercent(summary.percentOfPeak)} of peak)`
                                : formatRate(summary.gflops),
                              summary.gflops,
                            )}
                            <td>100%</td>`,
                      )}
                    </tr>`
                  : nothing
              }
            </tbody>
          </table>
        </div>
        ${unavailable.map(
          (summary) =>
            html`<p class="notice" role="status" data-testid="kernels-unavailable">
              ${summary.label.text}: no per-kernel times (${summary.kernelsUnavailable}); only the
              whole run is timed.
            </p>`,
        )}`,
    );
  }
}
