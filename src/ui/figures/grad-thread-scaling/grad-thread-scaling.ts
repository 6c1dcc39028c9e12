import { html } from 'lit';
import { browserThreadPlan } from '../../../backends/cpu/thread-plan.ts';
import { MIN_PARALLEL_WORK } from '../../../backends/cpu/parallel-work.ts';
import { formatMs } from '../../lab/format.ts';
import { formatSpeedup, threadScaling } from '../../grad-benchmark/benchmark-data.ts';
import { BenchmarkFigure } from '../benchmark-figure.ts';

/**
 * How the cpu backend scales with threads: the benchmark's cpu (f32) workload on 1 … N threads
 * (N as many as the page may use), the steady state of each, its speed-up over one thread and the
 * parallel efficiency. Each layer's rows are split between the threads; layers too small to be
 * worth splitting stay on one. Where the page has one thread (not cross-origin isolated, or one
 * core), it says why. Part of the same benchmark as grad-timings-table.
 *
 * @summary The cpu backend's steady state on 1 … N threads.
 * @csspart run-status - Progress, Cancel, run errors and the CPU-fallback notice.
 * @csspart thread-scaling - The table.
 * @tagname grad-thread-scaling
 */
export class GradThreadScaling extends BenchmarkFigure {
  static override shape = 'table' as const;
  protected override defaultCaption(): string {
    const { threads, reason } = browserThreadPlan();
    return threads > 1
      ? `cpu (f32) from 1 to ${threads} threads: the same workload, steady state. Layers under ${MIN_PARALLEL_WORK.toLocaleString('en')} multiply-adds stay on one thread`
      : `cpu (f32) runs on one thread here: ${reason}`;
  }

  protected override renderFigure(): unknown {
    const rows = threadScaling(this.benchmark.threadRuns);
    return this.tableFrame(
      html`<div class="table-wrap" tabindex="0" role="region" aria-label="cpu thread scaling">
        <table data-testid="thread-scaling" part="thread-scaling">
          <caption>
            ${this.caption}
          </caption>
          <thead>
            <tr>
              <th scope="col">threads</th>
              <th scope="col">steady state</th>
              <th scope="col">speed-up over 1 thread</th>
              <th scope="col">parallel efficiency</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map(
              (row) =>
                html`<tr data-threads=${row.threads}>
                  <th scope="row">${row.threads}</th>
                  <td data-ms=${row.steadyMs}>${formatMs(row.steadyMs)}</td>
                  <td>${formatSpeedup(row.speedup)}</td>
                  <td>
                    ${
                      Number.isFinite(row.efficiency) ? `${Math.round(100 * row.efficiency)}%` : '—'
                    }
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>`,
    );
  }
}
