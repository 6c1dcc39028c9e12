import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { layerSizes } from '../../engine/problem.ts';
import type { RunResult } from '../../engine/results.ts';
import type { RunSpec } from '../../engine/spec.ts';
import {
  compareRuns,
  FULL_CHECK_MULTIPLY_ADDS,
  formatError,
  planCheck,
  STATISTIC_LABELS,
  subsetOfSpec,
  describeCheck,
  type CheckPlan,
  type LayerCheck,
  type StatisticCheck,
  type VerifyReport,
} from '../../engine/verify.ts';
import type { ChartData } from '../grad-chart/chart-data.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../lab/lab-state.ts';
import { RunController } from '../lab/run-controller.ts';
import { gradVerifyStyles } from './grad-verify.styles.ts';
import { describeAdapter, describeBackend, describeScope, timingRows } from './verify-text.ts';
import { formatMs } from '../lab/format.ts';

/** The backends a reader may put under test; cpu64 is the reference. */
export const BACKENDS_UNDER_TEST = ['webgpu', 'cpu'] as const;
export type BackendUnderTest = (typeof BACKENDS_UNDER_TEST)[number];

const BACKEND_LABELS: Record<BackendUnderTest, string> = {
  webgpu: 'webgpu (GPU, f32)',
  cpu: 'cpu (f32)',
};

/** Timed runs per measurement: the first pays for warm-up, the rest give the steady state. */
export const TIMED_RUNS = 5;

/** A finished check: what it covered and how each layer compared. */
export interface Verification {
  readonly plan: CheckPlan;
  /** The spec under test (the run's, with the batch it had). */
  readonly spec: RunSpec;
  readonly report: VerifyReport;
  /** The statistics compared: the run under test (or its subset run) and cpu64's. */
  readonly test: RunResult;
  readonly reference: RunResult;
}

/**
 * CPU vs GPU: runs the lab's spec on the backend under test (WebGPU by default) several times and
 * shows the backend, its adapter (flagging software emulation, whose timings are not GPU speed),
 * and start-up with shader compilation against the steady-state compute time. "Verify" recomputes
 * the same problem with the cpu64 reference and shows, per layer, the largest relative error of
 * the statistics with pass or fail against the f32 tolerance (src/engine/tolerance.ts). When a
 * full cpu64 check would take too long it checks a random subset of the batch on both backends,
 * which is exact for per-sample quantities, and says so. When WebGPU is unavailable the run falls
 * back to the CPU and the section says so.
 *
 * @summary The run's backend, adapter and timings, and a per-layer check against cpu64.
 * @csspart run-status - Progress, Cancel, run errors and the CPU-fallback notice.
 * @csspart timings - The timings table.
 * @csspart table - The per-layer verification table.
 * @cssproperty --grad-error - Colour of failures, errors and non-finite values.
 * @cssproperty --grad-ok - Colour of passes.
 * @cssproperty --grad-warn-bg - Background of the software-emulation and fallback notices.
 */
export class GradVerify extends LitElement {
  static override styles = gradVerifyStyles;
  static override properties = {
    state: { attribute: false },
    fullCheckLimit: { type: Number, attribute: 'full-check-limit' },
    backendUnderTest: { state: true },
    result: { state: true },
    fallback: { state: true },
    verification: { state: true },
  };

  declare state: LabState;
  /**
   * The most multiply-adds a full cpu64 check may take (verify.ts FULL_CHECK_MULTIPLY_ADDS);
   * above it a subset of samples is checked.
   */
  declare fullCheckLimit: number;
  declare backendUnderTest: BackendUnderTest;
  /** The timed run under test, once it is done. */
  declare result: RunResult | null;
  /** Why the run under test used the CPU instead of WebGPU, when it did. */
  declare fallback: string | null;
  /** The last check of `result`, or null before Verify. */
  declare verification: Verification | null;

  // Lazy: its timed WebGPU runs are the slowest on the page; they start when the section is seen.
  private readonly runs = new RunController(this, { lazy: true });
  private runKey = '';

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.fullCheckLimit = FULL_CHECK_MULTIPLY_ADDS;
    this.backendUnderTest = 'webgpu';
    this.result = null;
    this.fallback = null;
    this.verification = null;
  }

  /** The spec under test: the lab's, on the chosen backend, timed TIMED_RUNS times. */
  private specUnderTest(): RunSpec {
    return { ...this.state.spec, backend: this.backendUnderTest, repeat: TIMED_RUNS };
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('state') && !changed.has('backendUnderTest')) return;
    const key = JSON.stringify(this.specUnderTest());
    if (key === this.runKey) return;
    this.runKey = key;
    void this.measure();
  }

  /** Runs the spec under test and keeps its timings; a newer run or a check supersedes it. */
  private async measure(): Promise<void> {
    const spec = this.specUnderTest();
    this.result = null;
    this.fallback = null;
    this.verification = null;
    const result = await this.runs.start(async (context) => {
      context.setTotal(1);
      return context.run(spec);
    });
    if (!result) return;
    this.result = result;
    this.fallback = this.runs.fallback;
  }

  /** Recomputes the run (or a subset of its samples) with cpu64 and compares layer by layer. */
  private async verify(): Promise<void> {
    const result = this.result;
    if (!result) return;
    const spec = result.spec;
    this.verification = null;
    const verification = await this.runs.start(async (context): Promise<Verification> => {
      const plan = planCheck(spec, this.fullCheckLimit);
      if (plan.kind === 'impossible') throw new Error(`Cannot verify: ${plan.reason}.`);
      if (plan.kind === 'full') {
        context.setTotal(1);
        const reference = await context.run({ ...spec, backend: 'cpu64', repeat: 1 });
        const report = compareRuns(
          result.stats,
          reference.stats,
          layerSizes(spec),
          spec.batch,
          result.backend.precision,
        );
        return { plan, spec, report, test: result, reference };
      }
      context.setTotal(2);
      const problem = subsetOfSpec(spec, plan.indices);
      // The backend that actually ran (cpu after a WebGPU fallback) runs the subset too.
      const test = await context.runProblem(problem, result.backend.name);
      const reference = await context.runProblem(problem, 'cpu64');
      const report = compareRuns(
        test.stats,
        reference.stats,
        problem.sizes,
        problem.spec.batch,
        test.backend.precision,
      );
      return { plan, spec, report, test, reference };
    });
    if (verification) this.verification = verification;
  }

  private onBackendChange(event: Event): void {
    this.backendUnderTest = (event.target as HTMLSelectElement).value as BackendUnderTest;
  }

  /** The data behind the error chart: per layer, the largest relative error and the bound. */
  get errorChart(): ChartData | null {
    const report = this.verification?.report;
    if (!report) return null;
    return {
      x: report.layers.map((layer) => layer.layer),
      series: [
        {
          label: 'max relative error',
          values: report.layers.map((layer) => layer.maxRelativeError),
        },
        {
          label: 'tolerance (relative)',
          values: report.layers.map(() => report.tolerance.rel),
          color: '#999999',
        },
      ],
    };
  }

  private renderSummary(result: RunResult): unknown {
    const adapter = describeAdapter(result);
    const spec = result.spec;
    return html`<p class="status" data-testid="verify-backend">
        ${spec.activation}, ${spec.init} init, ${spec.depth} hidden layers × ${spec.width}, batch
        ${spec.batch}: backend <strong>${describeBackend(result)}</strong>.
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
        this.fallback
          ? html`<p class="notice" role="status" data-testid="verify-fallback">
              WebGPU was unavailable, so this section ran on the CPU backend (f32) instead: the
              timings and the check are the CPU's.
              ${
                // The run status above gives the reason until the next task replaces it.
                this.runs.fallback === this.fallback ? nothing : this.fallback
              }
            </p>`
          : nothing
      }
      <div class="table-wrap">
        <table part="timings" aria-label="timings">
          <caption>
            Timings of ${result.timings.computeRunsMs.length} runs
          </caption>
          <tbody>
            ${timingRows(result).map(
              (row) =>
                html`<tr>
                  <th scope="row">${row.label}</th>
                  <td>${formatMs(row.ms)}</td>
                  <td class="detail">${row.detail}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>`;
  }

  private renderValue(value: number): unknown {
    return Number.isFinite(value)
      ? html`<td>${value === 0 ? '0' : value.toPrecision(6)}</td>`
      : html`<td class="nonfinite">${String(value)}</td>`;
  }

  private renderCounts(layer: LayerCheck, units: number, batch: number): string {
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

  private renderVerdict(checks: readonly StatisticCheck[]): unknown {
    const failures = checks.filter((check) => !check.pass);
    const notes = checks.filter((check) => check.pass && check.note);
    if (failures.length === 0)
      return html`<td class="pass">
        pass${notes.length ? html` <span class="detail">(${notes.map(describeCheck).join('; ')})</span>` : nothing}
      </td>`;
    return html`<td class="fail">fail: ${failures.map(describeCheck).join('; ')}</td>`;
  }

  private renderVerification(verification: Verification): unknown {
    const { report, plan, spec, test, reference } = verification;
    const sizes = layerSizes(test.spec);
    const batch = test.spec.batch;
    const failed = report.layers.filter((layer) => !layer.pass).length;
    const tolerance = `|a − b| ≤ ${formatError(report.tolerance.abs)} + ${formatError(report.tolerance.rel)}·|b|`;
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
      <p class="note">
        A statistic passes when ${tolerance} with b the cpu64 value (a mean is scaled by max(|mean|,
        std), since a mean near zero is only meaningful next to the spread); dead and saturated
        fractions may differ by one unit and by two entries or 0.2%, since a value within rounding
        of the threshold may flip; non-finite values agree when both runs have them.
      </p>
      <div class="table-wrap">
        <table part="table" aria-label="per-layer check against cpu64">
          <caption>
            Per layer: ${describeBackend(test)} against cpu64
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
                  ${this.renderValue(test.stats.gradNorm[i]!)}
                  ${this.renderValue(reference.stats.gradNorm[i]!)}
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
                  <td>${this.renderCounts(layer, sizes[i + 1] ?? 0, batch)}</td>
                  ${this.renderVerdict(layer.checks)}
                </tr>`,
            )}
            <tr data-layer="loss">
              <td>loss</td>
              ${this.renderValue(report.loss.test)} ${this.renderValue(report.loss.reference)}
              <td>${formatError(report.loss.error)}</td>
              <td>${STATISTIC_LABELS.loss}</td>
              <td>—</td>
              ${this.renderVerdict([report.loss])}
            </tr>
          </tbody>
        </table>
      </div>
      <grad-chart
        export
        chart-title="Largest relative error per layer against cpu64"
        x-label="layer"
        y-label="relative error"
        log-y
        export-name="verify-errors"
        .data=${this.errorChart}
      ></grad-chart>`;
  }

  override render(): unknown {
    const running = this.runs.running;
    return html`
      <p class="note">
        The same network on the backend under test and on cpu64, the double-precision reference: how
        long it takes, and whether every layer's statistics agree within f32 rounding.
      </p>
      <div class="controls">
        <label
          >backend under test
          <select @change=${this.onBackendChange} ?disabled=${running}>
            ${BACKENDS_UNDER_TEST.map(
              (name) =>
                html`<option value=${name} ?selected=${name === this.backendUnderTest}>
                  ${BACKEND_LABELS[name]}
                </option>`,
            )}
          </select></label
        >
        <button type="button" @click=${() => void this.measure()} ?disabled=${running}>
          Time again
        </button>
        <button
          type="button"
          @click=${() => void this.verify()}
          ?disabled=${running || !this.result}
        >
          Verify against cpu64
        </button>
      </div>
      ${this.runs.render()} ${this.result ? this.renderSummary(this.result) : nothing}
      ${this.verification ? this.renderVerification(this.verification) : nothing}
    `;
  }
}
