import { html, nothing } from 'lit';
import { layerSizes } from '../../../engine/problem.ts';
import type { RunResult } from '../../../engine/results.ts';
import {
  describeCheck,
  formatError,
  STATISTIC_LABELS,
  type LayerCheck,
  type StatisticCheck,
} from '../../../engine/verify.ts';
import { formatMs } from '../../lab/format.ts';
import type { Verification } from '../../grad-verify/verify-session.ts';
import { describeAdapter, describeBackend, describeScope } from '../../grad-verify/verify-text.ts';
import { VerifyFigure } from '../verify-figure.ts';

const renderValue = (value: number): unknown =>
  Number.isFinite(value)
    ? html`<td>${value === 0 ? '0' : value.toPrecision(6)}</td>`
    : html`<td class="nonfinite">${String(value)}</td>`;

/** Δ dead units / saturated entries / non-finite activations, as counts. */
function counts(layer: LayerCheck, units: number, batch: number): string {
  const find = (statistic: StatisticCheck['statistic']) =>
    layer.checks.find((check) => check.statistic === statistic)!;
  const count = (check: StatisticCheck, scale: number) =>
    Number.isFinite(check.error) ? String(Math.round(check.error * scale)) : 'n/a';
  return [
    count(find('deadFraction'), units),
    count(find('saturatedFraction'), units * batch),
    count(find('nonFinite'), 1),
  ].join(' / ');
}

function verdict(checks: readonly StatisticCheck[]): unknown {
  const failures = checks.filter((check) => !check.pass);
  const notes = checks.filter((check) => check.pass && check.note);
  if (failures.length === 0)
    return html`<td class="pass">
      pass${notes.length ? html` <span class="detail">(${notes.map(describeCheck).join('; ')})</span>` : nothing}
    </td>`;
  return html`<td class="fail">fail: ${failures.map(describeCheck).join('; ')}</td>`;
}

/**
 * The run under test against the cpu64 reference, layer by layer: the backend that ran (after a
 * WebGPU fallback, the CPU, said so), its adapter (a software adapter is flagged: its timings are
 * not GPU speed) and its shader compilation; what was checked (the whole batch, or a subset of
 * samples when a full cpu64 check would take more than `full-check-limit` multiply-adds, named);
 * then per layer ‖δ‖ on both backends, the largest relative error of the statistics with the one
 * that has it, the differences in dead units, saturated entries and non-finite activations, and
 * pass or fail against the tolerance (engine/tolerance.ts), as verify.ts decides them. The same
 * verification as grad-verify-errors and grad-verify-timings, computed once.
 *
 * @summary The per-layer check of a run against cpu64, with pass or fail.
 * @csspart table - The per-layer verification table.
 * @csspart run-status - Progress, Cancel, run errors and the CPU-fallback notice.
 * @cssproperty --grad-error - Colour of failures and non-finite values.
 * @cssproperty --grad-ok - Colour of passes.
 * @cssproperty --grad-warn-bg - Background of the software-emulation and fallback notices.
 * @tagname grad-verify-table
 */
export class GradVerifyTable extends VerifyFigure {
  static override shape = 'table' as const;
  protected override defaultCaption(): string {
    const test = this.verification.verification?.test;
    return `Per layer: ${test ? describeBackend(test) : this.config.spec.backend} against cpu64`;
  }

  private renderSummary(result: RunResult): unknown {
    const adapter = describeAdapter(result);
    const spec = result.spec;
    const { fallback, checking } = this.verification;
    // The reason is said once: the run status of whoever measured says it until its next task.
    const reasonShown = this.driver.runs.fallback === fallback || (this.managed && !checking);
    const compileMs = result.timings.compileMs;
    return html`<p class="status" data-testid="verify-backend">
        ${spec.activation}, ${spec.init} init, ${spec.depth} hidden layers × ${spec.width}, batch
        ${spec.batch}: backend <strong>${describeBackend(result)}</strong>${
          compileMs !== undefined ? html`, shader compilation ${formatMs(compileMs)}` : nothing
        }.
      </p>
      ${
        adapter
          ? html`<p class="status" data-testid="verify-adapter">
              Adapter: ${adapter.text}.
              ${
                adapter.software
                  ? html`<span class="notice">Software emulation: timings are not GPU speed.</span>`
                  : nothing
              }
            </p>`
          : nothing
      }
      ${
        fallback
          ? html`<p class="notice" role="status" data-testid="verify-fallback">
              WebGPU was unavailable, so this ${this.managed ? 'section' : 'figure'} ran on the CPU
              backend (f32) instead: the timings and the check are the CPU's.
              ${reasonShown ? nothing : fallback}
            </p>`
          : nothing
      }`;
  }

  private renderCheck(verification: Verification): unknown {
    const { report, plan, spec, test, reference } = verification;
    const sizes = layerSizes(test.spec);
    const batch = test.spec.batch;
    const failed = report.layers.filter((layer) => !layer.pass).length;
    return html`<p class="status" data-testid="verify-scope">${describeScope(plan, spec.batch)}</p>
      <p class=${report.pass ? 'pass' : 'fail'} role="status" data-testid="verify-verdict">
        ${
          report.pass
            ? `All ${report.layers.length} layers and the loss pass`
            : `${failed} of ${report.layers.length} layers${report.loss.pass ? '' : ' and the loss'} fail`
        }:
        ${describeBackend(test)} against ${describeBackend(reference)}, largest relative error
        ${formatError(report.maxRelativeError)}.
      </p>
      <p class="note" data-testid="verify-tolerance">
        Pass: |a − b| ≤ ${formatError(report.tolerance.abs)} +
        ${formatError(report.tolerance.rel)}·|b|, b the cpu64 value.
      </p>
      <div
        class="table-wrap"
        tabindex="0"
        role="region"
        aria-label=${`${this.caption} (table; scrolls sideways on narrow screens)`}
      >
        <table part="table" aria-label="per-layer check against cpu64">
          <caption>
            ${this.caption}
          </caption>
          <thead>
            <tr>
              <th scope="col">layer</th>
              <th scope="col">‖δ‖ ${test.backend.name}</th>
              <th scope="col">‖δ‖ cpu64</th>
              <th scope="col">max relative error</th>
              <th scope="col">statistic</th>
              <th scope="col">Δ dead units / saturated entries / non-finite</th>
              <th scope="col">verdict</th>
            </tr>
          </thead>
          <tbody>
            ${report.layers.map(
              (layer, i) =>
                html`<tr data-layer=${layer.layer}>
                  <td>${layer.layer}</td>
                  ${renderValue(test.stats.gradNorm[i]!)}
                  ${renderValue(reference.stats.gradNorm[i]!)}
                  <td data-error=${layer.maxRelativeError}>
                    ${formatError(layer.maxRelativeError)}
                  </td>
                  <td class="statistic">
                    ${
                      layer.maxRelativeStatistic
                        ? STATISTIC_LABELS[layer.maxRelativeStatistic]
                        : '—'
                    }
                  </td>
                  <td>${counts(layer, sizes[i + 1] ?? 0, batch)}</td>
                  ${verdict(layer.checks)}
                </tr>`,
            )}
            <tr data-layer="loss">
              <td>loss</td>
              ${renderValue(report.loss.test)} ${renderValue(report.loss.reference)}
              <td>${formatError(report.loss.error)}</td>
              <td>${STATISTIC_LABELS.loss}</td>
              <td>—</td>
              ${verdict([report.loss])}
            </tr>
          </tbody>
        </table>
      </div>`;
  }

  protected override renderFigure(): unknown {
    const { result, verification } = this.verification;
    return this.tableFrame(
      html`${result ? this.renderSummary(result) : nothing}
      ${verification ? this.renderCheck(verification) : nothing}`,
    );
  }
}
