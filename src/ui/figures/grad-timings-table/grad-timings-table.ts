import { html, nothing, type PropertyValues } from 'lit';
import { browserThreadPlan } from '../../../backends/cpu/thread-plan.ts';
import type { Roofline } from '../../../backends/cpu/roofline.ts';
import { SIZE_LIMITS, SpecError } from '../../../engine/spec.ts';
import { formatError } from '../../../engine/verify.ts';
import { runFlops } from '../../../engine/work.ts';
import { formatMs } from '../../lab/format.ts';
import { describeAdapter } from '../../grad-verify/verify-text.ts';
import {
  browserName,
  formatPercent,
  formatRate,
  formatSpeedup,
  MAX_TIMED_RUNS,
  MIN_TIMED_RUNS,
  type BackendSummary,
  type BrandVersion,
  type WorkloadSize,
} from '../../grad-benchmark/benchmark-data.ts';
import { benchmarkSpecs } from '../../grad-benchmark/benchmark-session.ts';
import { BenchmarkFigure, measuredCell, TIMED_RUNS_OPTION } from '../benchmark-figure.ts';

type SizeDraft = Record<keyof WorkloadSize, string>;

/** "34.3 MFLOP", "8.59 GFLOP". */
const formatWork = (flops: number): string =>
  flops >= 1e8 ? `${(flops / 1e9).toPrecision(3)} GFLOP` : `${(flops / 1e6).toPrecision(3)} MFLOP`;

/** One column of the summary table: its header and its cell for a backend. */
interface SummaryColumn {
  readonly header: (repeat: number) => string;
  readonly cell: (summary: BackendSummary) => unknown;
}

const SUMMARY_COLUMNS: readonly SummaryColumn[] = [
  {
    header: () => 'first run (start-up + pass)',
    cell: (s) => measuredCell(formatMs(s.firstRunMs), s.firstRunMs),
  },
  {
    header: () => 'of which shader compilation',
    cell: (s) =>
      s.compileMs === null
        ? html`<td class="missing">—</td>`
        : measuredCell(formatMs(s.compileMs), s.compileMs),
  },
  {
    header: (repeat) => `steady state (median of runs 2–${repeat})`,
    cell: (s) => measuredCell(formatMs(s.steadyMs), s.steadyMs),
  },
  { header: () => 'GFLOP/s', cell: (s) => measuredCell(formatRate(s.gflops), s.gflops) },
  {
    header: () => 'speedup vs cpu64',
    cell: (s) => measuredCell(formatSpeedup(s.speedupVsCpu64), s.speedupVsCpu64),
  },
  {
    header: () => 'speedup vs cpu',
    cell: (s) => measuredCell(formatSpeedup(s.speedupVsCpu), s.speedupVsCpu),
  },
  {
    header: () => 'max relative error vs cpu64',
    cell: (s) =>
      s.check
        ? html`<td class=${s.check.pass ? 'pass' : 'fail'}>
            ${formatError(s.check.maxRelativeError)} (${s.check.pass ? 'within' : 'over'} the
            ${s.result.backend.precision} tolerance)
          </td>`
        : html`<td class="missing">
            ${s.requested === 'cpu64' ? 'the reference' : 'no cpu64 run'}
          </td>`,
  },
];

/** Shown only where a backend's peak was measured (a roofline): nothing is estimated. */
const PERCENT_OF_PEAK: SummaryColumn = {
  header: () => '% of peak GFLOP/s',
  cell: (s) => measuredCell(formatPercent(s.percentOfPeak), s.percentOfPeak),
};

/**
 * CPU vs GPU timings of one workload (the lab's spec at its sizes, `timed-runs` timed runs) on
 * webgpu, cpu (f32) and cpu64 (f64): per backend the first run with its start-up and shader
 * compilation apart from the steady state (median of the runs after the first, which follow a
 * second of untimed passes), GFLOP/s of the matrix products, the speedups against cpu64 and cpu,
 * and the largest relative error of the statistics against cpu64 (verify.ts compareRuns). It names
 * the browser, the adapter and the CPU threads, labels a software adapter (SwiftShader) as
 * emulation and a WebGPU run that fell back as the CPU. Benchmarks are heavy: with
 * `controls="compact"` the reader sets the sizes and presses Run benchmark; alone with
 * `controls="none"` it runs when it comes near the viewport. The kernel and thread-scaling figures
 * show the same benchmark.
 *
 * @summary Whole-run timings on webgpu, cpu and cpu64, with speedups and errors.
 * @csspart run-status - Progress, Cancel, run errors and the CPU-fallback notice.
 * @csspart summary - The per-backend table.
 * @csspart environment - The browser, adapter and threads.
 * @cssproperty --grad-error - Colour of errors and non-finite values.
 * @cssproperty --grad-muted - Colour of cells with no measurement.
 * @cssproperty --grad-warn-bg - Background of the software-emulation and fallback notices.
 * @tagname grad-timings-table
 */
export class GradTimingsTable extends BenchmarkFigure {
  static override shape = 'table' as const;
  static override properties = {
    ...BenchmarkFigure.properties,
    size: { state: true },
    sizeError: { state: true },
  };

  /** The workload sizes as typed. */
  declare size: SizeDraft;
  declare sizeError: SpecError | null;

  private sizeFor = '';

  constructor() {
    super();
    this.size = { depth: '', width: '', batch: '', repeat: '' };
    this.sizeError = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A new lab spec (or timed-runs) is a new workload: its sizes become the defaults.
    const repeat = this.option(TIMED_RUNS_OPTION);
    const key = JSON.stringify([this.state.spec, repeat]);
    if (key !== this.sizeFor) {
      this.sizeFor = key;
      const { depth, width, batch } = this.state.spec;
      this.size = {
        depth: String(depth),
        width: String(width),
        batch: String(batch),
        repeat: String(repeat),
      };
      this.sizeError = null;
    }
    super.willUpdate(changed);
  }

  /** Runs the sizes as typed; a bad one is named, and nothing runs. */
  private async runTyped(): Promise<void> {
    try {
      this.chosenWorkload = benchmarkSpecs(this.state.spec, this.size);
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      this.sizeError = error;
      return;
    }
    // A new measurement, not the page's last one of the same runs.
    await this.runSession(this.sessionKey(), true);
  }

  protected override defaultCaption(): string {
    const spec = this.benchmark.specs[0];
    if (!spec) return 'Timings per backend: webgpu, cpu and cpu64';
    return (
      `${spec.activation}, ${spec.depth} hidden layers × ${spec.width}, batch ${spec.batch}: ` +
      `${formatWork(runFlops(spec))} of matrix products per pass, ${spec.repeat} timed runs per backend`
    );
  }

  protected override renderControls(): unknown {
    const running = this.driver.runs.running || this.session?.status === 'running';
    const { depth, width, batch } = SIZE_LIMITS;
    const field = (
      name: keyof WorkloadSize,
      label: string,
      min: number,
      max: number,
      specField: string,
    ) =>
      html`<label
        >${label}
        <input
          type="number"
          min=${min}
          max=${max}
          step="1"
          .value=${this.size[name]}
          aria-invalid=${this.sizeError?.field === specField ? 'true' : 'false'}
          ?disabled=${running}
          @input=${(event: Event) => {
            this.size = { ...this.size, [name]: (event.target as HTMLInputElement).value };
            this.sizeError = null;
          }}
      /></label>`;
    return html`<div class="controls">
        ${field('depth', 'depth (hidden layers)', depth.min, depth.max, 'depth')}
        ${field('width', 'width', width.min, width.max, 'width')}
        ${field('batch', 'batch', batch.min, batch.max, 'batch')}
        ${field('repeat', 'timed runs', MIN_TIMED_RUNS, MAX_TIMED_RUNS, 'repeat')}
        <button type="button" ?disabled=${running} @click=${() => void this.runTyped()}>
          Run benchmark
        </button>
      </div>
      ${
        this.sizeError
          ? html`<p class="error" role="alert">
              ${this.sizeError.field}: ${this.sizeError.detail}
            </p>`
          : nothing
      }`;
  }

  private renderEnvironment(summaries: readonly BackendSummary[]): unknown {
    const nav = globalThis.navigator as
      (Navigator & { userAgentData?: { brands?: readonly BrandVersion[] } }) | undefined;
    const browser = nav ? browserName(nav.userAgent, nav.userAgentData?.brands) : 'no browser';
    const cores = nav?.hardwareConcurrency;
    const plan = browserThreadPlan();
    const cpu = summaries.find((summary) => summary.requested === 'cpu');
    const used = cpu?.result.backend.threads;
    const gpu = summaries.find((summary) => summary.requested === 'webgpu');
    const adapter = gpu ? describeAdapter(gpu.result) : null;
    let adapterText: unknown;
    if (!gpu) adapterText = 'known after a benchmark run';
    else if (gpu.label.kind === 'fallback')
      adapterText = html`none:
        <span class="notice">WebGPU was unavailable</span> (${gpu.fallback})`;
    else if (adapter)
      adapterText = html`${adapter.text}
      ${
        adapter.software
          ? html`<span class="notice" data-testid="software-emulation"
              >software emulation: not GPU speed</span
            >`
          : nothing
      }`;
    else adapterText = 'not described';
    return html`<dl class="environment" part="environment" data-testid="environment">
      <dt>browser</dt>
      <dd data-testid="browser">${browser}</dd>
      <dt>adapter</dt>
      <dd data-testid="adapter">${adapterText}</dd>
      <dt>CPU threads</dt>
      <dd data-testid="threads">
        ${cores ?? 'unknown'} (navigator.hardwareConcurrency). cpu
        ${used === undefined ? 'runs' : 'ran'} on ${used ?? plan.threads}
        thread${(used ?? plan.threads) === 1 ? '' : 's'}${
          used === undefined || used === plan.threads ? ` (${plan.reason})` : ''
        };
        cpu64, the reference, on one; all in Web Workers
      </dd>
      <dt>CPU SIMD peak</dt>
      <dd data-testid="simd-peak">${describeRoofline(this.benchmark.roofline)}</dd>
    </dl>`;
  }

  private renderSummary(summaries: readonly BackendSummary[]): unknown {
    const repeat = summaries[0]!.result.spec.repeat;
    const columns = summaries.some((summary) => summary.peakGflops !== null)
      ? [...SUMMARY_COLUMNS.slice(0, 4), PERCENT_OF_PEAK, ...SUMMARY_COLUMNS.slice(4)]
      : SUMMARY_COLUMNS;
    // A focusable region, so a keyboard can scroll a table wider than a phone.
    return html`<div class="table-wrap" tabindex="0" role="region" aria-label="per-backend timings">
      <table part="summary" aria-label="whole-run timings per backend">
        <caption>
          ${this.caption}
        </caption>
        <thead>
          <tr>
            <th scope="col">backend</th>
            ${columns.map((column) => html`<th scope="col">${column.header(repeat)}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${summaries.map(
            (summary) =>
              html`<tr
                data-backend=${summary.requested}
                data-kind=${summary.label.kind}
                data-steady-ms=${summary.steadyMs}
                data-first-ms=${summary.firstRunMs}
                data-error=${summary.check ? summary.check.maxRelativeError : ''}
              >
                <th scope="row">
                  ${summary.label.text}
                  ${
                    summary.label.kind === 'software' || summary.label.kind === 'fallback'
                      ? html`<span class="notice"
                          >${summary.label.kind === 'software' ? 'emulated' : 'not a GPU'}</span
                        >`
                      : nothing
                  }
                </th>
                ${columns.map((column) => column.cell(summary))}
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  protected override renderFigure(): unknown {
    const summaries = this.summaries;
    const fallback = summaries.find((summary) => summary.label.kind === 'fallback');
    const software = summaries.find((summary) => summary.label.kind === 'software');
    return this.tableFrame(
      html`${this.renderEnvironment(summaries)}
      ${
        fallback
          ? html`<p class="notice" role="status" data-testid="benchmark-fallback">
              WebGPU was unavailable, so the webgpu row ran on the CPU backend (f32): it is labelled
              "fallback: cpu" and says nothing about GPU speed. ${fallback.fallback}
            </p>`
          : nothing
      }
      ${
        software
          ? html`<p class="notice" role="status">
              The WebGPU adapter is a software emulation (SwiftShader or a fallback adapter): its
              timings are CPU work and are not GPU speed.
            </p>`
          : nothing
      }
      ${summaries.length ? this.renderSummary(summaries) : nothing}`,
    );
  }
}

/**
 * The roof of the cpu row's "% of peak": one core's WebAssembly SIMD multiply-add peak, measured
 * in the CPU worker (cpu/roofline.ts), times the threads the run used.
 */
function describeRoofline(roofline: Roofline | null): string {
  if (!roofline) return 'measured in the CPU worker after the runs';
  const rate = (gflops: number | null) =>
    gflops === null ? 'not available' : `${gflops.toFixed(1)} GFLOP/s`;
  const fused =
    roofline.fusedMulAddGflops === null ? '' : `, relaxed_madd ${rate(roofline.fusedMulAddGflops)}`;
  if (roofline.peakGflops === null)
    return `none: this browser runs the TypeScript kernels (no WebAssembly SIMD), so no % of peak`;
  return `${rate(roofline.peakGflops)} per thread for the ${roofline.kernel} kernels (mul + add ${rate(roofline.mulAddGflops)}${fused}; measured in the CPU worker in ${Math.round(roofline.measuredMs)} ms); cpu's % of peak is of this times its threads`;
}
