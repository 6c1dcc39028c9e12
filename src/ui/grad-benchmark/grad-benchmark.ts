import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { SIZE_LIMITS, SpecError, type BackendName, type RunSpec } from '../../engine/spec.ts';
import { runFlops } from '../../engine/work.ts';
import { formatError } from '../../engine/verify.ts';
import { describeAdapter } from '../grad-verify/verify-text.ts';
import type { ChartData } from '../grad-chart/chart-data.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../lab/lab-state.ts';
import { RunController } from '../lab/run-controller.ts';
import { gradBenchmarkStyles } from './grad-benchmark.styles.ts';
import {
  backendLabel,
  BENCHMARK_BACKENDS,
  browserName,
  DEFAULT_SWEEP_DEPTHS,
  DEFAULT_SWEEP_FIXED_DEPTH,
  DEFAULT_SWEEP_FIXED_WIDTH,
  DEFAULT_SWEEP_WIDTHS,
  DEFAULT_TIMED_RUNS,
  formatRate,
  formatShare,
  formatSpeedup,
  kernelChart,
  kernelChartLegend,
  KERNEL_LABELS,
  kernelsOf,
  MAX_TIMED_RUNS,
  MIN_TIMED_RUNS,
  missingKernelNote,
  parseSizeList,
  planSweep,
  steadyStateMs,
  summarize,
  sweepChart,
  sweepGrid,
  sweepSpec,
  SWEEP_TIMED_RUNS,
  threadScaling,
  workloadSpec,
  type BackendRun,
  type BackendSummary,
  type BrandVersion,
  type SweepMeasurement,
  type SweepPlan,
  type ThreadRun,
  type WorkloadSize,
} from './benchmark-data.ts';
import { browserThreadPlan } from '../../backends/cpu/browser-lanes.ts';
import { MIN_PARALLEL_WORK } from '../../backends/cpu/network-pass.ts';
import { formatMs } from '../lab/format.ts';

type SizeDraft = Record<keyof WorkloadSize, string>;
type SweepDraft = { widths: string; depths: string; fixedDepth: string; fixedWidth: string };

/** "34.3 MFLOP", "8.59 GFLOP". */
const formatWork = (flops: number): string =>
  flops >= 1e8 ? `${(flops / 1e9).toPrecision(3)} GFLOP` : `${(flops / 1e6).toPrecision(3)} MFLOP`;

/** The CPU time above which the sweep asks for a second click. */
const SWEEP_WARN_SECONDS = 30;

/** What the workload depends on: the lab's spec. */
const dependencyKey = (state: LabState): string => JSON.stringify(state.spec);

/**
 * CPU vs GPU timings: runs one workload (the lab's spec, with the sizes chosen here) on webgpu,
 * cpu (f32) and cpu64 (f64), and shows per backend the first run with its start-up and shader
 * compilation apart from the steady state (median of the runs after the first), GFLOP/s of the
 * matrix products, the speedup against cpu64 and cpu, and the largest relative error of the
 * statistics against cpu64 (verify.ts compareRuns). Per kernel (forward matmul, activation,
 * backward matmul, weight gradient, reductions, batchnorm) it shows the time of the median run,
 * GFLOP/s and share, as a table and grouped bars. A size sweep plots time against work on log-log
 * axes, one series per backend. It names the browser, the adapter and the CPU threads, and labels
 * a software adapter (SwiftShader) as emulation and a WebGPU run that fell back to the CPU as the
 * CPU. Nothing runs until a button is pressed: the runs are heavy.
 *
 * @summary Per-kernel and whole-run timings on webgpu, cpu and cpu64, with a log-log size sweep.
 * @csspart run-status - Progress, Cancel, run errors and the CPU-fallback notice.
 * @csspart summary - The per-backend table (first run, steady state, speedups, error).
 * @csspart kernels - The per-kernel table.
 * @csspart environment - The browser, adapter and threads.
 * @cssproperty --grad-error - Colour of errors and non-finite values.
 * @cssproperty --grad-muted - Colour of cells with no measurement.
 * @cssproperty --grad-warn-bg - Background of the software-emulation, fallback and cost notices.
 */
export class GradBenchmark extends LitElement {
  static override styles = gradBenchmarkStyles;
  static override properties = {
    state: { attribute: false },
    size: { state: true },
    sizeError: { state: true },
    backendRuns: { state: true },
    threadRuns: { state: true },
    sweepDraft: { state: true },
    sweepError: { state: true },
    sweepBackends: { state: true },
    sweepMeasurements: { state: true },
    sweepFailures: { state: true },
    sweepConfirm: { state: true },
  };

  declare state: LabState;
  /** The workload sizes as typed. */
  declare size: SizeDraft;
  declare sizeError: SpecError | null;
  /** The last benchmark, one entry per backend (filled as they finish). */
  declare backendRuns: readonly BackendRun[];
  /** The cpu workload on 1 … N threads, after the backends (only where N > 1). */
  declare threadRuns: readonly ThreadRun[];
  declare sweepDraft: SweepDraft;
  declare sweepError: SpecError | null;
  declare sweepBackends: ReadonlySet<BackendName>;
  declare sweepMeasurements: readonly SweepMeasurement[];
  declare sweepFailures: readonly string[];
  /** A sweep plan over the time warning, waiting for a second click. */
  declare sweepConfirm: SweepPlan | null;

  private readonly benchRuns = new RunController(this, { lazy: true });
  private readonly sweepRuns = new RunController(this, { lazy: true });
  private stateKey = '';

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.size = this.sizeFrom(DEFAULT_LAB_STATE.spec);
    this.sizeError = null;
    this.backendRuns = [];
    this.threadRuns = [];
    this.sweepDraft = {
      widths: DEFAULT_SWEEP_WIDTHS.join(', '),
      depths: DEFAULT_SWEEP_DEPTHS.join(', '),
      fixedDepth: String(DEFAULT_SWEEP_FIXED_DEPTH),
      fixedWidth: String(DEFAULT_SWEEP_FIXED_WIDTH),
    };
    this.sweepError = null;
    this.sweepBackends = new Set(BENCHMARK_BACKENDS);
    this.sweepMeasurements = [];
    this.sweepFailures = [];
    this.sweepConfirm = null;
  }

  private sizeFrom(spec: RunSpec): SizeDraft {
    return {
      depth: String(spec.depth),
      width: String(spec.width),
      batch: String(spec.batch),
      repeat: String(Math.max(MIN_TIMED_RUNS, Math.min(MAX_TIMED_RUNS, DEFAULT_TIMED_RUNS))),
    };
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('state')) return;
    const key = dependencyKey(this.state);
    if (key === this.stateKey) return;
    // A new lab spec is a new workload: its sizes become the defaults; nothing runs by itself.
    const first = this.stateKey === '';
    this.stateKey = key;
    this.size = { ...this.sizeFrom(this.state.spec), repeat: this.size.repeat };
    this.sizeError = null;
    if (!first) {
      this.backendRuns = [];
      this.threadRuns = [];
    }
  }

  /** The summary rows of the last benchmark. */
  get summaries(): BackendSummary[] {
    return summarize(this.backendRuns);
  }

  /** The data behind the per-kernel bars. */
  get kernelChartData(): ChartData | null {
    return kernelChart(this.summaries);
  }

  /** The data behind the sweep's log-log plot. */
  get sweepChartData(): ChartData | null {
    return sweepChart(this.sweepMeasurements);
  }

  private onSizeInput(field: keyof WorkloadSize, event: Event): void {
    this.size = { ...this.size, [field]: (event.target as HTMLInputElement).value };
    this.sizeError = null;
  }

  private async runBenchmark(): Promise<void> {
    let specs: RunSpec[];
    try {
      specs = BENCHMARK_BACKENDS.map((backend) =>
        workloadSpec(this.state.spec, this.size, backend),
      );
    } catch (error) {
      if (error instanceof SpecError) {
        this.sizeError = error;
        return;
      }
      throw error;
    }
    this.backendRuns = [];
    this.threadRuns = [];
    // Where the page has several CPU threads, the cpu workload again on 1 … N − 1 of them (the
    // cpu row above used all N): the scaling table.
    const maxThreads = browserThreadPlan().threads;
    const cpuSpec = specs.find((spec) => spec.backend === 'cpu');
    const scaling = cpuSpec && maxThreads > 1 ? maxThreads - 1 : 0;
    await this.benchRuns.start(async (context) => {
      context.setTotal(specs.length + scaling);
      const done: BackendRun[] = [];
      for (const spec of specs) {
        const result = await context.run(spec);
        if (context.signal.aborted) return;
        const fellBack = spec.backend === 'webgpu' && result.backend.name !== 'webgpu';
        done.push({
          requested: spec.backend,
          result,
          fallback: fellBack ? (this.benchRuns.fallback ?? 'WebGPU was unavailable') : null,
        });
        this.backendRuns = [...done];
      }
      const cpuRun = done.find((run) => run.requested === 'cpu');
      if (!cpuSpec || !cpuRun || scaling === 0) return;
      const threadRuns: ThreadRun[] = [{ threads: maxThreads, result: cpuRun.result }];
      for (let threads = maxThreads - 1; threads >= 1; threads--) {
        const result = await context.run(cpuSpec, { threads });
        if (context.signal.aborted) return;
        threadRuns.unshift({ threads, result });
        this.threadRuns = [...threadRuns];
      }
    });
  }

  private onSweepInput(field: keyof SweepDraft, event: Event): void {
    this.sweepDraft = { ...this.sweepDraft, [field]: (event.target as HTMLInputElement).value };
    this.sweepError = null;
    this.sweepConfirm = null;
  }

  private onSweepBackend(backend: BackendName, event: Event): void {
    const next = new Set(this.sweepBackends);
    if ((event.target as HTMLInputElement).checked) next.add(backend);
    else next.delete(backend);
    this.sweepBackends = next;
    this.sweepConfirm = null;
  }

  /** The sweep's plan from the draft; a SpecError names the bad field. */
  private planFromDraft(): { base: RunSpec; plan: SweepPlan; backends: BackendName[] } {
    const { depth, width } = SIZE_LIMITS;
    const widths = parseSizeList(this.sweepDraft.widths, 'sweep widths', width.min, width.max);
    const depths = parseSizeList(this.sweepDraft.depths, 'sweep depths', depth.min, depth.max);
    const [fixedDepth] = parseSizeList(
      this.sweepDraft.fixedDepth,
      'depth of the width sweep',
      depth.min,
      depth.max,
    );
    const [fixedWidth] = parseSizeList(
      this.sweepDraft.fixedWidth,
      'width of the depth sweep',
      width.min,
      width.max,
    );
    const backends = BENCHMARK_BACKENDS.filter((backend) => this.sweepBackends.has(backend));
    if (backends.length === 0)
      throw new SpecError('sweep backends', 'choose at least one of webgpu, cpu and cpu64');
    // The sweep keeps the workload's batch and the lab's other settings.
    const base = workloadSpec(this.state.spec, this.size, 'cpu');
    const points = sweepGrid(widths, depths, fixedDepth!, fixedWidth!);
    return { base, plan: planSweep(base, points, backends), backends };
  }

  private async runSweep(confirmed: boolean): Promise<void> {
    let planned: ReturnType<GradBenchmark['planFromDraft']>;
    try {
      planned = this.planFromDraft();
    } catch (error) {
      if (error instanceof SpecError) {
        this.sweepError = error;
        return;
      }
      throw error;
    }
    const { base, plan, backends } = planned;
    if (!confirmed && plan.cpuSeconds > SWEEP_WARN_SECONDS) {
      this.sweepConfirm = plan;
      return;
    }
    this.sweepConfirm = null;
    this.sweepMeasurements = [];
    this.sweepFailures = [];
    await this.sweepRuns.start(async (context) => {
      context.setTotal(plan.points.length * backends.length - plan.refused.length);
      const measurements: SweepMeasurement[] = [];
      const failures: string[] = [];
      for (const point of plan.points) {
        const ms = new Map<BackendName, number>();
        const labels = new Map<BackendName, string>();
        for (const backend of backends) {
          const refused = plan.refused.find(
            (entry) => entry.point === point && entry.backend === backend,
          );
          const where = `${backend} at depth ${point.depth} × width ${point.width}`;
          if (refused) {
            failures.push(`${where}: skipped, ${refused.reason}`);
            ms.set(backend, NaN);
            continue;
          }
          try {
            const result = await context.run(sweepSpec(base, point, backend));
            ms.set(backend, steadyStateMs(result.timings.computeRunsMs));
            labels.set(backend, backendLabel(backend, result).text);
          } catch (error) {
            if (context.signal.aborted) throw error;
            failures.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
            ms.set(backend, NaN);
          }
        }
        if (context.signal.aborted) return;
        measurements.push({ point, gflop: runFlops({ ...base, ...point }) / 1e9, ms, labels });
        this.sweepMeasurements = [...measurements];
        this.sweepFailures = [...failures];
      }
    });
  }

  private renderSizeControls(running: boolean): unknown {
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
          @input=${(event: Event) => this.onSizeInput(name, event)}
      /></label>`;
    return html`<div class="controls">
        ${field('depth', 'depth (hidden layers)', depth.min, depth.max, 'depth')}
        ${field('width', 'width', width.min, width.max, 'width')}
        ${field('batch', 'batch', batch.min, batch.max, 'batch')}
        ${field('repeat', 'timed runs', MIN_TIMED_RUNS, MAX_TIMED_RUNS, 'repeat')}
        <button type="button" ?disabled=${running} @click=${() => void this.runBenchmark()}>
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
    </dl>`;
  }

  private renderCell(text: string, value: number): unknown {
    return Number.isFinite(value)
      ? html`<td>${text}</td>`
      : html`<td class=${Number.isNaN(value) ? 'missing' : 'nonfinite'}>${text}</td>`;
  }

  private renderSummary(summaries: readonly BackendSummary[]): unknown {
    const spec = summaries[0]!.result.spec;
    // Focusable regions, so a keyboard can scroll a table wider than a phone.
    return html`<div class="table-wrap" tabindex="0" role="region" aria-label="per-backend timings">
        <table part="summary" aria-label="whole-run timings per backend">
          <caption>
            ${spec.activation}, ${spec.depth} hidden layers × ${spec.width}, batch ${spec.batch}:
            ${formatWork(runFlops(spec))} of matrix products per pass, ${spec.repeat} timed runs per
            backend
          </caption>
          <thead>
            <tr>
              <th scope="col">backend</th>
              <th scope="col">first run (start-up + pass)</th>
              <th scope="col">of which shader compilation</th>
              <th scope="col">steady state (median of runs 2–${spec.repeat})</th>
              <th scope="col">GFLOP/s</th>
              <th scope="col">speedup vs cpu64</th>
              <th scope="col">speedup vs cpu</th>
              <th scope="col">max relative error vs cpu64</th>
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
                  ${this.renderCell(formatMs(summary.firstRunMs), summary.firstRunMs)}
                  ${
                    summary.compileMs === null
                      ? html`<td class="missing">—</td>`
                      : this.renderCell(formatMs(summary.compileMs), summary.compileMs)
                  }
                  ${this.renderCell(formatMs(summary.steadyMs), summary.steadyMs)}
                  ${this.renderCell(formatRate(summary.gflops), summary.gflops)}
                  ${this.renderCell(formatSpeedup(summary.speedupVsCpu64), summary.speedupVsCpu64)}
                  ${this.renderCell(formatSpeedup(summary.speedupVsCpu), summary.speedupVsCpu)}
                  ${
                    summary.check
                      ? html`<td class=${summary.check.pass ? 'pass' : 'fail'}>
                          ${formatError(summary.check.maxRelativeError)}
                          (${summary.check.pass ? 'within' : 'over'} the
                          ${summary.result.backend.precision} tolerance)
                        </td>`
                      : html`<td class="missing">
                          ${summary.requested === 'cpu64' ? 'the reference' : 'no cpu64 run'}
                        </td>`
                  }
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <p class="note">
        The first run includes building the problem, allocating, uploading and compiling; shader
        compilation reads 0 when the page had already compiled these pipelines (they are cached per
        network shape). Speedups compare steady states; the error is the largest relative error of
        any layer's statistics against cpu64 (the check of the CPU vs GPU section).
      </p>`;
  }

  private renderKernels(summaries: readonly BackendSummary[]): unknown {
    const spec = summaries[0]!.result.spec;
    const kernels = kernelsOf(spec);
    const unavailable = summaries.filter((summary) => summary.kernelsUnavailable);
    return html`<h3>Per kernel (the median run)</h3>
      <div class="table-wrap" tabindex="0" role="region" aria-label="per-kernel timings">
        <table part="kernels" aria-label="per-kernel timings per backend">
          <caption>
            Milliseconds, GFLOP/s (matrix products only) and share of the run, per kernel and
            backend
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
                      return html`<td class="missing" colspan="3" data-backend=${summary.requested}>
                        ${missingKernelNote(summary, kernel)}
                      </td>`;
                    return html`<td data-backend=${summary.requested} data-ms=${cell.ms}>
                        ${cell.ms === 0 ? '0' : cell.ms.toPrecision(3)}
                      </td>
                      ${this.renderCell(formatRate(cell.gflops), cell.gflops)}
                      ${this.renderCell(formatShare(cell.share), cell.share)}`;
                  })}
                </tr>`,
            )}
            <tr data-kernel="total">
              <th scope="row">whole run (steady state)</th>
              ${summaries.map(
                (summary) =>
                  html`<td data-backend=${summary.requested} data-ms=${summary.steadyMs}>
                      ${summary.steadyMs.toPrecision(3)}
                    </td>
                    ${this.renderCell(formatRate(summary.gflops), summary.gflops)}
                    <td>100%</td>`,
              )}
            </tr>
          </tbody>
        </table>
      </div>
      <p class="note">
        cpu and cpu64 time each kernel with performance.now() around its loops (browsers round that
        clock, to 0.1 ms where the page is not cross-origin isolated, so short kernels are
        estimates); webgpu reads GPU timestamps around each group of dispatches of one kernel, where
        the adapter offers timestamp-query (browsers may round those too). On webgpu φ, φ′ and δ = g
        ⊙ φ′ are computed in the matmuls' epilogues, so "activation" has no time of its own there.
        The shares need not add up to 100%: the rest is bookkeeping, progress messages and, on
        webgpu, submission and read-back.
      </p>
      ${unavailable.map(
        (summary) =>
          html`<p class="notice" role="status" data-testid="kernels-unavailable">
            ${summary.label.text}: no per-kernel times (${summary.kernelsUnavailable}); only the
            whole run is timed.
          </p>`,
      )}
      <grad-chart
        export
        data-chart="kernels"
        kind="bars"
        log-y
        chart-title="Milliseconds per kernel and backend"
        x-label="kernel (numbered below)"
        y-label="ms"
        export-name="benchmark-kernels"
        .data=${this.kernelChartData}
      ></grad-chart>
      <ol class="legend" aria-label="kernel numbers of the chart">
        ${kernelChartLegend(spec).map((entry) => html`<li value=${entry.x}>${entry.label}</li>`)}
      </ol>
      <p class="note">
        A missing bar is a kernel with no time of its own (webgpu's activation, fused into the
        matmuls; the chart counts it as non-finite) or one below the clock's resolution (0 ms, which
        a log scale cannot show).
      </p>`;
  }

  private renderBenchmark(): unknown {
    const summaries = this.summaries;
    const fallback = summaries.find((summary) => summary.label.kind === 'fallback');
    const software = summaries.find((summary) => summary.label.kind === 'software');
    return html`${
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
    ${summaries.length ? this.renderSummary(summaries) : nothing}
    ${this.threadRuns.length ? this.renderThreadScaling() : nothing}
    ${summaries.length ? this.renderKernels(summaries) : nothing}`;
  }

  private renderThreadScaling(): unknown {
    const rows = threadScaling(this.threadRuns);
    return html`<div class="table-wrap" tabindex="0" role="region" aria-label="cpu thread scaling">
      <table data-testid="thread-scaling" part="thread-scaling">
        <caption>
          cpu (f32) from 1 to ${browserThreadPlan().threads} threads: the same workload, steady
          state. Each layer's rows are split between the threads; layers under
          ${MIN_PARALLEL_WORK.toLocaleString('en')} multiply-adds stay on one (handing them out
          would cost more than it saves).
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
                  ${Number.isFinite(row.efficiency) ? `${Math.round(100 * row.efficiency)}%` : '—'}
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private renderSweep(running: boolean): unknown {
    const text = (field: keyof SweepDraft, label: string, errorField: string) =>
      html`<label
        >${label}
        <input
          type="text"
          inputmode="numeric"
          .value=${this.sweepDraft[field]}
          aria-invalid=${this.sweepError?.field === errorField ? 'true' : 'false'}
          ?disabled=${running}
          @input=${(event: Event) => this.onSweepInput(field, event)}
      /></label>`;
    const confirm = this.sweepConfirm;
    return html`<h3>Size sweep</h3>
      <p class="note">
        Time against work: each backend's steady state (median of runs 2–${SWEEP_TIMED_RUNS}) for
        widths at a fixed depth and depths at a fixed width, with the batch and settings above. The
        largest sizes take long on the CPU (a 2048-wide pass is about 10 GFLOP) and on a software
        adapter; shrink the lists or leave a backend out.
      </p>
      <div class="controls">
        ${text('widths', 'widths', 'sweep widths')}
        ${text('fixedDepth', 'at depth', 'depth of the width sweep')}
        ${text('depths', 'depths', 'sweep depths')}
        ${text('fixedWidth', 'at width', 'width of the depth sweep')}
        <fieldset>
          <legend>backends</legend>
          ${BENCHMARK_BACKENDS.map(
            (backend) =>
              html`<label class="inline"
                ><input
                  type="checkbox"
                  .checked=${this.sweepBackends.has(backend)}
                  ?disabled=${running}
                  @change=${(event: Event) => this.onSweepBackend(backend, event)}
                />${backend}</label
              >`,
          )}
        </fieldset>
        <button type="button" ?disabled=${running} @click=${() => void this.runSweep(false)}>
          Run size sweep
        </button>
      </div>
      ${
        this.sweepError
          ? html`<p class="error" role="alert">
              ${this.sweepError.field}: ${this.sweepError.detail}
            </p>`
          : nothing
      }
      ${
        confirm
          ? html`<p class="notice" role="alert" data-testid="sweep-warning">
              This sweep's CPU runs may take about ${Math.round(confirm.cpuSeconds)} s (a rough
              estimate; the largest point is ${(confirm.largestFlops / 1e9).toPrecision(3)} GFLOP
              per pass).
              <button type="button" @click=${() => void this.runSweep(true)}>Run anyway</button>
            </p>`
          : nothing
      }
      ${this.sweepRuns.render()}
      ${
        this.sweepFailures.length
          ? html`<ul class="status" data-testid="sweep-failures">
              ${this.sweepFailures.map((failure) => html`<li>${failure}</li>`)}
            </ul>`
          : nothing
      }
      ${
        this.sweepMeasurements.length
          ? html`<grad-chart
              export
              data-chart="sweep"
              log-x
              log-y
              chart-title="Steady-state time against work"
              x-label="GFLOP per pass (matrix products)"
              y-label="ms"
              export-name="benchmark-sweep"
              .data=${this.sweepChartData}
            ></grad-chart>`
          : nothing
      }`;
  }

  override render(): unknown {
    const benchRunning = this.benchRuns.running;
    const sweepRunning = this.sweepRuns.running;
    return html`
      <p class="note">
        The lab's network (${this.state.spec.activation}, ${this.state.spec.init} init) timed on
        every backend: webgpu, cpu (f32, WebAssembly SIMD where available) and cpu64 (f64, the
        reference). Runs are heavy, so nothing starts until you press a button.
      </p>
      ${this.renderSizeControls(benchRunning)} ${this.benchRuns.render()}
      ${this.renderEnvironment(this.summaries)} ${this.renderBenchmark()}
      ${this.renderSweep(sweepRunning)}
    `;
  }
}
