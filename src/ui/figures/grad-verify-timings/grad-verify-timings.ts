import { html } from 'lit';
import { formatMs } from '../../lab/format.ts';
import { describeBackend, timingRows } from '../../grad-verify/verify-text.ts';
import { VerifyFigure } from '../verify-figure.ts';

/**
 * How long the spec under test takes on its backend: start-up (building the problem, allocating,
 * uploading and, on WebGPU, shader compilation) against the first compute run and the steady
 * state, the median of the runs after the first. The timed run is the one the verification
 * checks (the session it shares with grad-verify-table and grad-verify-errors).
 *
 * @summary Start-up, shader compilation and steady-state times of the run under test.
 * @csspart timings - The timings table.
 * @tagname grad-verify-timings
 */
export class GradVerifyTimings extends VerifyFigure {
  static override shape = 'table' as const;
  protected override defaultCaption(): string {
    const result = this.verification.result;
    return result
      ? `Timings of ${result.timings.computeRunsMs.length} runs on ${describeBackend(result)}`
      : `Timings on ${this.config.spec.backend}`;
  }

  protected override renderFigure(): unknown {
    const result = this.verification.result;
    return this.tableFrame(
      html`<div
        class="table-wrap"
        tabindex="0"
        role="region"
        aria-label=${`${this.caption} (table; scrolls sideways on narrow screens)`}
      >
        <table part="timings" aria-label="timings">
          <caption>
            ${this.caption}
          </caption>
          <tbody>
            ${(result ? timingRows(result) : []).map(
              (row) =>
                html`<tr>
                  <th scope="row">${row.label}</th>
                  <td>${formatMs(row.ms)}</td>
                  <td class="detail">${row.detail}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>`,
    );
  }
}
