import { html, LitElement, nothing, type PropertyValues } from 'lit';
import '../figures/grad-kernel-table/define.ts';
import '../figures/grad-kernel-times/define.ts';
import '../figures/grad-size-sweep/define.ts';
import '../figures/grad-thread-scaling/define.ts';
import '../figures/grad-timings-table/define.ts';
import { SessionView } from '../figures/shared-session.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../lab/lab-state.ts';
import { gradBenchmarkStyles } from './grad-benchmark.styles.ts';
import { SWEEP_TIMED_RUNS } from './benchmark-data.ts';
import { benchmarkKey, BENCHMARK_SESSIONS } from './benchmark-session.ts';

/**
 * CPU vs GPU timings, as prose and a composition of figures: one workload (the lab's spec, with
 * the sizes chosen in the timings table) timed on webgpu, cpu (f32) and cpu64 (f64)
 * (grad-timings-table: first run, shader compilation, steady state, GFLOP/s, speedups, error
 * against cpu64, and the browser, adapter and threads), the cpu backend on 1 … N threads
 * (grad-thread-scaling), per kernel as a table and grouped bars (grad-kernel-table,
 * grad-kernel-times), and a size sweep of time against work on log-log axes (grad-size-sweep).
 * The figures show one benchmark (grad-benchmark/benchmark-session.ts), run once. Nothing runs
 * until the reader presses a button: the runs are heavy.
 *
 * @summary Per-kernel and whole-run timings on webgpu, cpu and cpu64, with a log-log size sweep.
 */
export class GradBenchmark extends LitElement {
  static override styles = gradBenchmarkStyles;
  static override properties = {
    state: { attribute: false },
  };

  declare state: LabState;

  private readonly view = new SessionView(this, BENCHMARK_SESSIONS);

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this.view.show(benchmarkKey(this.state.spec));
  }

  override render(): unknown {
    const { spec } = this.state;
    const benchmark = this.view.session?.value;
    const measured = (benchmark?.backendRuns.length ?? 0) > 0;
    // The buttons live in the figures' compact controls; a fixed section shows none.
    const controls = this.getAttribute('controls') === 'none' ? 'none' : 'compact';
    return html`
      <p class="note">
        The lab's network (${spec.activation}, ${spec.init} init) timed on every backend: webgpu,
        cpu (f32, WebAssembly SIMD where available) and cpu64 (f64, the reference). Runs are heavy,
        so nothing starts until you press a button.
      </p>
      <grad-timings-table controls=${controls} export .state=${this.state}></grad-timings-table>
      ${
        measured
          ? html`<p class="note">
              The first run includes building the problem, allocating, uploading and compiling;
              shader compilation reads 0 when the page had already compiled these pipelines (they
              are cached per network shape). Speedups compare steady states; the error is the
              largest relative error of any layer's statistics against cpu64 (the check of the CPU
              vs GPU section).
            </p>`
          : nothing
      }
      ${
        benchmark?.threadRuns.length
          ? html`<grad-thread-scaling
              controls="none"
              export
              .state=${this.state}
            ></grad-thread-scaling>`
          : nothing
      }
      ${
        measured
          ? html`<h3>Per kernel (the median run)</h3>
              <grad-kernel-table controls="none" export .state=${this.state}></grad-kernel-table>
              <p class="note">
                cpu and cpu64 time each kernel with performance.now() around its loops (browsers
                round that clock, to 0.1 ms where the page is not cross-origin isolated, so short
                kernels are estimates); webgpu reads GPU timestamps around each group of dispatches
                of one kernel, where the adapter offers timestamp-query (browsers may round those
                too). On webgpu φ, φ′ and δ = g ⊙ φ′ are computed in the matmuls' epilogues, so
                "activation" has no time of its own there. The shares need not add up to 100%: the
                rest is bookkeeping, progress messages and, on webgpu, submission and read-back.
              </p>
              <grad-kernel-times controls="none" export .state=${this.state}></grad-kernel-times>
              <p class="note">
                A missing bar is a kernel with no time of its own (webgpu's activation, fused into
                the matmuls) or one below the clock's resolution (0 ms, which a log scale cannot
                show).
              </p>`
          : nothing
      }
      <h3>Size sweep</h3>
      <p class="note">
        Time against work: each backend's steady state (median of runs 2–${SWEEP_TIMED_RUNS}) for
        widths at a fixed depth and depths at a fixed width, with the lab's batch and settings. The
        largest sizes take long on the CPU (a 2048-wide pass is about 10 GFLOP) and on a software
        adapter; shrink the lists or leave a backend out.
      </p>
      <grad-size-sweep controls=${controls} export .state=${this.state}></grad-size-sweep>
    `;
  }
}
