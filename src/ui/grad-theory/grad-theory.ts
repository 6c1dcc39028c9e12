import { html, LitElement, nothing, type PropertyValues } from 'lit';
import type { JacobianSpectrum } from '../../engine/jacobian.ts';
import type { RunResult } from '../../engine/results.ts';
import { SpecError, type RunSpec } from '../../engine/spec.ts';
import type { SweepOptions, SweepPoint } from '../../engine/sweep.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../lab/lab-state.ts';
import { RunController } from '../lab/run-controller.ts';
import { gradTheoryStyles } from './grad-theory.styles.ts';
import {
  activationName,
  countNonFinite,
  criticalCurveSteps,
  defaultSweepControls,
  describeCorrelationScale,
  describeDepthScale,
  describeFixedPoint,
  describePhase,
  formatNumber,
  gradientOverlay,
  gradientOverlayChart,
  heatmapColumns,
  JACOBIAN_DEFAULT_WIDTH,
  jacobianPair,
  PAGE_SWEEP_LIMITS,
  phaseChart,
  phaseGrid,
  spectrumChart,
  spreadDecades,
  SWEEP_CONTROL_FIELDS,
  sweepOptionsFor,
  sweepPoint,
  sweepPointSpec,
  theoryView,
  varianceMapChart,
  varianceSequenceChart,
  type CriticalCurve,
  type GradientOverlay,
  type JacobianPair,
  type PhaseGrid,
  type SweepControls,
  type TheoryView,
} from './theory-data.ts';

/** A sweep, finished or in progress. */
export interface PhaseSweep {
  readonly options: SweepOptions;
  readonly grid: PhaseGrid;
  /** Indexed like the engine's sweep (σ_b² major); undefined until measured. */
  readonly points: (SweepPoint | undefined)[];
  curve: CriticalCurve | null;
  complete: boolean;
}

/** The two Jacobian spectra of the current spec. */
export interface SpectrumPair {
  readonly pair: JacobianPair;
  readonly gaussian: JacobianSpectrum;
  readonly orthogonal: JacobianSpectrum;
}

/** What the section shows, for tests and readers. */
export interface TheoryResults {
  readonly view: TheoryView | null;
  readonly overlay: GradientOverlay | null;
  readonly sweep: PhaseSweep | null;
  /** The heat-map columns' values as drawn (one array per σ_w², σ_b² from the lowest up). */
  readonly phaseValues: number[][] | null;
  readonly spectra: SpectrumPair | null;
}

type SweepDraft = Record<keyof SweepControls, string>;

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseControl(name: string, text: string): number {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed))
    throw new SpecError(name, `got ${JSON.stringify(text)}; allowed: a number`);
  return Number(trimmed);
}

function draftOf(controls: SweepControls): SweepDraft {
  return Object.fromEntries(
    Object.entries(controls).map(([key, value]) => [key, String(value)]),
  ) as SweepDraft;
}

/** What the overlay run depends on: the whole spec. */
const overlayKey = (spec: RunSpec): string => JSON.stringify(spec);

/** Lets the page paint between slices of main-thread work. */
const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Mean-field theory of the lab's network (Poole et al. 2016; Schoenholz et al. 2017): the
 * variance map and its fixed point q*, χ₁ = σ_w²·E[φ′(√q* z)²], the phase and the depth scale;
 * the predicted gradient decay ‖δ⁽ˡ⁾‖ ∝ χ₁^((L−l)/2) drawn over a measured run of the lab's spec;
 * the order-to-chaos phase diagram, a grid of runs over (σ_w², σ_b²) drawn as a heat-map of
 * measured log₁₀(‖δ⁽¹⁾‖/‖δ⁽ᴸ⁾‖) under the theoretical χ₁ = 1 line (started by the reader: it is
 * dozens of runs); and the singular values of the input–output Jacobian for Gaussian and
 * orthogonal weights (dynamical isometry, Pennington et al. 2017), computed in the CPU worker.
 *
 * @summary Mean-field q*, χ₁ and depth scale over measured gradients, the phase diagram, and
 *   Jacobian spectra.
 * @csspart run-status - Progress, Cancel, run errors and the CPU-fallback notice (one per task).
 * @csspart numbers - The list of mean-field numbers.
 * @csspart table - The tables (critical line, grid points, spectra).
 * @cssproperty --grad-error - Colour of errors and non-finite values.
 * @cssproperty --grad-ordered - Colour of the word "ordered".
 * @cssproperty --grad-chaotic - Colour of the word "chaotic".
 */
export class GradTheory extends LitElement {
  static override styles = gradTheoryStyles;
  static override properties = {
    state: { attribute: false },
    sweepDraft: { state: true },
    sweepError: { state: true },
    jacobianDraft: { state: true },
  };

  declare state: LabState;
  /** The sweep controls as typed. */
  declare sweepDraft: SweepDraft;
  declare sweepError: SpecError | null;
  /** The Jacobian width as typed; empty follows the spec (min(width, 128)). */
  declare jacobianDraft: string;

  private readonly overlayRuns = new RunController(this, { lazy: true });
  private readonly sweepRuns = new RunController(this);
  private readonly spectrumRuns = new RunController(this, { lazy: true });

  private view: TheoryView | null = null;
  private viewError: string | null = null;
  private overlay: GradientOverlay | null = null;
  private overlayFor = '';
  private sweep: PhaseSweep | null = null;
  /** The sweep controls follow the spec's depth and width until the reader edits them. */
  private sweepEdited = false;
  private spectra: SpectrumPair | null = null;
  private spectrumFor = '';
  private spectrumError: string | null = null;

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.sweepDraft = draftOf(defaultSweepControls(DEFAULT_LAB_STATE.spec));
    this.sweepError = null;
    this.jacobianDraft = '';
  }

  /** The numbers, curves, phase grid and spectra on show. */
  get results(): TheoryResults {
    const sweep = this.sweep;
    return {
      view: this.view,
      overlay: this.overlay,
      sweep,
      phaseValues: sweep
        ? heatmapColumns(sweep.grid, sweep.points).map((c) => Array.from(c.values))
        : null,
      spectra: this.spectra,
    };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Disconnecting cancelled the tasks in progress: start again what is missing.
    if (this.hasUpdated) {
      this.overlayFor = '';
      this.spectrumFor = '';
      this.requestUpdate('state');
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('state') && !changed.has('jacobianDraft')) return;
    const spec = this.state.spec;
    if (changed.has('state')) {
      try {
        this.view = theoryView(spec);
        this.viewError = null;
      } catch (error) {
        this.view = null;
        this.viewError = error instanceof Error ? error.message : String(error);
      }
      if (!this.sweepEdited) this.sweepDraft = draftOf(defaultSweepControls(spec));
      const key = overlayKey(spec);
      if (key !== this.overlayFor) {
        this.overlayFor = key;
        this.overlay = null;
        void this.runOverlay(spec);
      }
    }
    this.planSpectra(spec);
  }

  private async runOverlay(spec: RunSpec): Promise<void> {
    const result = await this.overlayRuns.start((context) => context.run(spec));
    if (!result || overlayKey(this.state.spec) !== overlayKey(spec)) return;
    this.showOverlay(result);
  }

  private showOverlay(result: RunResult): void {
    if (!this.view) return;
    this.overlay = gradientOverlay(this.view, result);
    this.requestUpdate();
  }

  /** The width the Jacobian is computed at: the reader's, or the spec's up to 128. */
  private jacobianWidth(spec: RunSpec): number {
    const draft = this.jacobianDraft.trim();
    if (draft === '') return Math.min(spec.width, JACOBIAN_DEFAULT_WIDTH);
    return parseControl('jacobian-width', draft);
  }

  private planSpectra(spec: RunSpec): void {
    let pair: JacobianPair;
    try {
      pair = jacobianPair(spec, this.jacobianWidth(spec));
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      this.spectrumError = error.message;
      this.spectrumFor = '';
      this.spectra = null;
      this.spectrumRuns.cancel(false);
      return;
    }
    this.spectrumError = null;
    const key = JSON.stringify([pair.gaussian, pair.orthogonal]);
    if (key === this.spectrumFor) return;
    this.spectrumFor = key;
    this.spectra = null;
    void this.spectrumRuns
      .start(async (context) => {
        context.setTotal(2);
        const gaussian = await context.jacobian(pair.gaussian);
        const orthogonal = await context.jacobian(pair.orthogonal);
        return { pair, gaussian, orthogonal };
      })
      .then((spectra) => {
        if (!spectra || this.spectrumFor !== key) return;
        this.spectra = spectra;
        this.requestUpdate();
      });
  }

  private onSweepInput(key: keyof SweepControls, event: Event): void {
    this.sweepEdited = true;
    this.sweepDraft = { ...this.sweepDraft, [key]: (event.target as HTMLInputElement).value };
    this.sweepError = null;
  }

  /** The typed controls as numbers, checked; the error names the control. */
  private sweepOptions(): SweepOptions | null {
    try {
      const controls = Object.fromEntries(
        SWEEP_CONTROL_FIELDS.map(({ key, name }) => [
          key,
          parseControl(name, this.sweepDraft[key]),
        ]),
      ) as unknown as SweepControls;
      this.sweepError = null;
      return sweepOptionsFor(this.state.spec, controls);
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      this.sweepError = error;
      return null;
    }
  }

  private onRunSweep(event: Event): void {
    event.preventDefault();
    const options = this.sweepOptions();
    if (options) void this.runSweep(options);
  }

  private async runSweep(options: SweepOptions): Promise<void> {
    const grid = phaseGrid(options);
    const total = grid.sigmaW2.length * grid.sigmaB2.length;
    const sweep: PhaseSweep = {
      options,
      grid,
      points: Array.from({ length: total }, () => undefined),
      curve: null,
      complete: false,
    };
    this.sweep = sweep;
    await this.sweepRuns.start(async (context) => {
      context.setTotal(total);
      // The χ₁ = 1 line is main-thread work: do it in slices while the runs go on in the worker.
      const curve = (async () => {
        const steps = criticalCurveSteps(options.spec.activation, options.spec.alpha, grid);
        for (;;) {
          await nextTask();
          if (context.signal.aborted) return;
          const next = steps.next();
          if (next.done) {
            sweep.curve = next.value;
            this.requestUpdate();
            return;
          }
        }
      })();
      let index = 0;
      for (const sigmaB2 of grid.sigmaB2) {
        for (const sigmaW2 of grid.sigmaW2) {
          const spec = sweepPointSpec(options, sigmaW2, sigmaB2);
          const result = await context.run(spec);
          if (context.signal.aborted) return;
          sweep.points[index] = sweepPoint(grid, index, spec, result);
          index++;
          this.requestUpdate();
        }
      }
      await curve;
      sweep.complete = !context.signal.aborted;
    });
    this.requestUpdate();
  }

  private renderNumbers(view: TheoryView): unknown {
    const { theory } = view;
    const row = (key: string, label: unknown, value: number, text: unknown = nothing) =>
      html`<dt>${label}</dt>
        <dd data-theory=${key} data-value=${String(value)}>
          <span class="value">${formatNumber(value)}</span> ${text}
        </dd>`;
    const scales = theory.depthScales;
    return html`<dl class="numbers" part="numbers" aria-label="mean-field numbers">
      ${row('sigma-w', 'σ_w used', view.params.sigmaW)} ${row('sigma-b', 'σ_b', view.params.sigmaB)}
      ${row('q-first', 'q⁽¹⁾', theory.fixedPoint.qFirst, 'first hidden layer’s variance')}
      ${row('q-star', 'q*', theory.qStar, 'fixed point of the variance map')}
      <dt>fixed point</dt>
      <dd data-theory="fixed-point" data-value=${theory.fixedPoint.kind}>
        ${describeFixedPoint(theory)}
      </dd>
      ${row('chi1', 'χ₁', theory.chi1, 'σ_w²·E[φ′(√q* z)²], by quadrature')}
      <dt>phase</dt>
      <dd data-theory="phase" data-value=${theory.phase} class="phase-${theory.phase}">
        ${describePhase(theory)}
      </dd>
      <dt>depth scale ξ_∇</dt>
      <dd data-theory="depth-scale" data-value=${String(theory.depthScale)}>
        ${describeDepthScale(theory)}
      </dd>
      ${row(
        'variance-scale',
        'depth scale ξ_q',
        scales.variance,
        Number.isFinite(scales.variance)
          ? 'layers for q⁽ˡ⁾ to reach q* (its distance shrinks by e every ξ_q layers)'
          : Number.isNaN(scales.variance)
            ? 'undefined: q⁽ˡ⁾ diverges'
            : 'layers: every q is a fixed point',
      )}
      ${row(
        'c-star',
        'c*',
        theory.cStar,
        theory.cStar === 1
          ? 'fixed point of the correlation map: two inputs become fully correlated'
          : 'fixed point of the correlation map: two inputs stay partly decorrelated (chaos)',
      )}
      ${row('chi-c', 'χ_c', theory.chiC, 'σ_w²·E[φ′(u₁)φ′(u₂)] at c*, by 2-D quadrature')}
      <dt>depth scale ξ_c</dt>
      <dd data-theory="correlation-scale" data-value=${String(scales.correlation)}>
        ${describeCorrelationScale(theory)}
      </dd>
    </dl>`;
  }

  private renderOverlays(): unknown {
    const view = this.view;
    const spec = this.state.spec;
    if (!view)
      return html`<p class="error" role="alert">
        The theory cannot be evaluated for these settings: ${this.viewError}
      </p>`;
    const name = activationName(spec.activation, spec.alpha);
    const overlay = this.overlay;
    return html`
      <p class="note" data-testid="sigma-w-source">${view.sigmaWSource}</p>
      ${this.renderNumbers(view)}
      <ul class="caveats" aria-label="where the theory applies">
        ${view.caveats.map((c) => html`<li>${c}</li>`)}
      </ul>
      ${this.overlayRuns.render()}
      <div class="charts">
        <grad-chart
          export
          data-chart="variance-map"
          export-name="theory-variance-map"
          chart-title="Variance map of ${name}: V(q) against the identity; they cross at q*"
          x-label="q⁽ˡ⁾"
          y-label="q⁽ˡ⁺¹⁾"
          .data=${varianceMapChart(view)}
        ></grad-chart>
        <grad-chart
          export
          data-chart="variance-sequence"
          export-name="theory-variance-sequence"
          chart-title="q⁽ˡ⁾ through ${spec.depth} hidden layers (mean field)"
          x-label="hidden layer l"
          y-label="q⁽ˡ⁾"
          log-y
          .data=${varianceSequenceChart(view)}
        ></grad-chart>
        ${
          overlay
            ? html`<grad-chart
                export
                data-chart="gradient-overlay"
                export-name="theory-gradient-overlay"
                chart-title="Measured ‖δ⁽ˡ⁾‖ of the lab's network and the mean-field prediction, scaled to the measured output layer"
                x-label="layer (1 = closest to the input)"
                y-label="‖δ⁽ˡ⁾‖"
                log-y
                .data=${gradientOverlayChart(view, overlay)}
              ></grad-chart>`
            : html`<p class="note" data-pending>
                Waiting for the run of the lab's network (${name}, ${spec.init} init, depth
                ${spec.depth}, width ${spec.width}, backend ${spec.backend})…
              </p>`
        }
      </div>
      <p class="note">
        The prediction multiplies ‖δ‖ by √(σ_w²·E[φ′(√q⁽ˡ⁾ z)²]) per layer going down from the
        output (Schoenholz et al. 2017, §5), with each layer's own q⁽ˡ⁾; the second curve,
        χ₁^((L−l)/2), takes q⁽ˡ⁾ = q* in every layer. Both are scaled to the measured output layer
        ${overlay ? html`(‖δ⁽ᴸ⁾‖ = ${formatNumber(overlay.outputNorm)})` : nothing}, so only the
        slope is predicted.
      </p>
    `;
  }

  private renderSweepControls(): unknown {
    const field = this.sweepError?.field;
    const limits = PAGE_SWEEP_LIMITS;
    const input = (
      key: keyof SweepControls,
      name: string,
      label: string,
      attrs: { min: number; max: number; step: number | 'any' },
    ) =>
      html`<label
        >${label}
        <input
          type="number"
          name=${name}
          min=${attrs.min}
          max=${attrs.max}
          step=${attrs.step}
          .value=${this.sweepDraft[key]}
          aria-invalid=${field === name ? 'true' : 'false'}
          aria-describedby="sweep-error"
          @input=${(event: Event) => this.onSweepInput(key, event)}
      /></label>`;
    return html`<form
        class="controls"
        novalidate
        @submit=${this.onRunSweep}
        aria-label="phase diagram sweep"
      >
        <fieldset>
          <legend>σ_w² axis (x)</legend>
          ${input('sigmaW2Min', 'sigma-w2-min', 'from', { min: 0, max: 10000, step: 'any' })}
          ${input('sigmaW2Max', 'sigma-w2-max', 'to', { min: 0, max: 10000, step: 'any' })}
          ${input('sigmaW2Steps', 'sigma-w2-steps', 'steps', { min: 1, max: 64, step: 1 })}
        </fieldset>
        <fieldset>
          <legend>σ_b² axis (y)</legend>
          ${input('sigmaB2Min', 'sigma-b2-min', 'from', { min: 0, max: 10000, step: 'any' })}
          ${input('sigmaB2Max', 'sigma-b2-max', 'to', { min: 0, max: 10000, step: 'any' })}
          ${input('sigmaB2Steps', 'sigma-b2-steps', 'steps', { min: 1, max: 64, step: 1 })}
        </fieldset>
        <fieldset>
          <legend>each grid point's network</legend>
          ${input('depth', 'sweep-depth', 'hidden layers', { ...limits.depth, step: 1 })}
          ${input('width', 'sweep-width', 'width', { ...limits.width, step: 1 })}
        </fieldset>
        <button type="submit" ?disabled=${this.sweepRuns.running}>Run sweep</button>
      </form>
      <p class="error" id="sweep-error" role="alert" ?hidden=${!this.sweepError}>
        ${this.sweepError?.message ?? ''}
      </p>`;
  }

  private renderSweep(): unknown {
    const sweep = this.sweep;
    const spec = this.state.spec;
    return html`
      <p class="note">
        Each grid point is one run of a plain network with init custom, W ~ N(0, σ_w²/n) and b ~
        N(0, σ_b²), with the lab's activation, seed and backend (${spec.backend}); each cell shows
        the measured log₁₀(‖δ⁽¹⁾‖ / ‖δ⁽ᴸ⁾‖): blue where gradients vanish toward the input (ordered),
        red where they explode (chaotic), grey near 0. Depth and width are capped to keep the sweep
        to seconds; the CLI's <code>sweep</code> has no caps.
      </p>
      ${this.renderSweepControls()} ${this.sweepRuns.render()}
      ${sweep ? this.renderSweepResult(sweep) : html`<p class="note">Not run yet: choose the grid and press Run sweep.</p>`}
    `;
  }

  private renderSweepResult(sweep: PhaseSweep): unknown {
    const { options, grid, curve } = sweep;
    const measured = sweep.points.filter((p) => p !== undefined).length;
    const nonFinite = countNonFinite(sweep.points);
    const net = options.spec;
    const name = activationName(net.activation, net.alpha);
    const shown = curve?.sigmaB2.filter((v) => v !== null).length ?? 0;
    return html`
      <div class="charts" data-complete=${sweep.complete ? 'true' : 'false'}>
        ${
          sweep.complete
            ? html`<grad-chart
                export
                data-chart="phase-diagram"
                export-name="theory-phase-diagram"
                chart-title="Phase diagram of ${name}, depth ${net.depth}, width ${net.width}: measured log₁₀(‖δ⁽¹⁾‖/‖δ⁽ᴸ⁾‖) and the χ₁ = 1 line"
                x-label="σ_w²"
                y-label="σ_b²"
                .data=${phaseChart(grid, sweep.points, curve)}
              ></grad-chart>`
            : html`<p class="note" data-pending>
                ${measured} of ${sweep.points.length} grid points measured; the diagram is drawn
                when all are.
              </p>`
        }
      </div>
      ${
        nonFinite
          ? html`<p class="error" role="status">
              ${nonFinite} grid point${nonFinite === 1 ? '' : 's'} had a gradient norm that
              overflowed or vanished to 0: the ratio is not finite, drawn in the error colour.
            </p>`
          : nothing
      }
      ${curve ? this.renderCriticalLine(curve, shown) : nothing}
      <details>
        <summary>All ${sweep.points.length} grid points as a table</summary>
        <div class="table-wrap">
          <table part="table" data-table="phase-points">
            <caption>
              Measured and predicted log₁₀(‖δ⁽¹⁾‖/‖δ⁽ᴸ⁾‖) per grid point, with χ₁ and the phase
            </caption>
            <thead>
              <tr>
                <th scope="col">σ_w²</th>
                <th scope="col">σ_b²</th>
                <th scope="col">measured</th>
                <th scope="col">predicted</th>
                <th scope="col">χ₁</th>
                <th scope="col">phase</th>
              </tr>
            </thead>
            <tbody>
              ${sweep.points.map((p) =>
                p
                  ? html`<tr>
                      <td>${formatNumber(p.sigmaW2)}</td>
                      <td>${formatNumber(p.sigmaB2)}</td>
                      <td class=${Number.isFinite(p.measuredLog10Ratio) ? '' : 'nonfinite'}>
                        ${formatNumber(p.measuredLog10Ratio)}
                      </td>
                      <td>${formatNumber(p.predictedLog10Ratio)}</td>
                      <td>${formatNumber(p.chi1)}</td>
                      <td>${p.phase}</td>
                    </tr>`
                  : nothing,
              )}
            </tbody>
          </table>
        </div>
      </details>
    `;
  }

  private renderCriticalLine(curve: CriticalCurve, shown: number): unknown {
    return html`<p class="note" data-testid="critical-note">
        The χ₁ = 1 line is drawn as σ_b² over each σ_w² column (the chart's x axis), solved for σ_b²
        in the grid's range; it crosses ${shown} of ${curve.sigmaB2.length} columns.
        ${
          curve.verticalAt !== null
            ? html`It is vertical here: χ₁ does not depend on σ_b², and χ₁ = 1 at σ_w² =
              ${formatNumber(curve.verticalAt)} for every row, which no column can show.`
            : nothing
        }
        Columns it misses are left blank (the chart counts them as values not drawn). The table
        gives the line the other way round, σ_w² for each σ_b² row (engine criticalLine, searched
        from half the smallest to twice the largest σ_w²).
      </p>
      <div class="table-wrap">
        <table part="table" data-table="critical-line">
          <caption>
            χ₁ = 1: critical σ_w² per σ_b² row
          </caption>
          <thead>
            <tr>
              <th scope="col">σ_b²</th>
              <th scope="col">critical σ_w²</th>
            </tr>
          </thead>
          <tbody>
            ${curve.rows.map(
              (row) =>
                html`<tr>
                  <td>${formatNumber(row.sigmaB2)}</td>
                  <td>${row.sigmaW2 === null ? 'none in range' : formatNumber(row.sigmaW2)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>`;
  }

  private renderSpectrum(): unknown {
    const spec = this.state.spec;
    const spectra = this.spectra;
    const placeholder = Math.min(spec.width, JACOBIAN_DEFAULT_WIDTH);
    return html`
      <p class="note">
        J = ∂a⁽ᴸ⁾/∂x at one input of a square network (inputs = width = outputs) with the lab's
        activation, depth ${spec.depth} and biases. Orthogonal weights at the edge of chaos keep
        every singular value near 1 (dynamical isometry); i.i.d. Gaussian weights with the same mean
        squared singular value spread them over decades. Computed densely in f64 in the CPU worker,
        whatever the lab's backend.
      </p>
      <div class="controls">
        <label
          >Jacobian width (≤ 256; empty: the lab's width up to ${JACOBIAN_DEFAULT_WIDTH})
          <input
            type="number"
            name="jacobian-width"
            min="1"
            max="256"
            step="1"
            placeholder=${placeholder}
            .value=${this.jacobianDraft}
            aria-invalid=${this.spectrumError ? 'true' : 'false'}
            aria-describedby="jacobian-error"
            @change=${(event: Event) =>
              (this.jacobianDraft = (event.target as HTMLInputElement).value)}
        /></label>
      </div>
      <p class="error" id="jacobian-error" role="alert" ?hidden=${!this.spectrumError}>
        ${this.spectrumError ?? ''}
      </p>
      ${this.spectrumRuns.render()}
      ${
        spectra
          ? this.renderSpectra(spectra)
          : this.spectrumError
            ? nothing
            : html`<p class="note" data-pending>Waiting for the Jacobian spectra…</p>`
      }
    `;
  }

  private renderSpectra(spectra: SpectrumPair): unknown {
    const { pair } = spectra;
    const rows: [string, JacobianSpectrum][] = [
      [`${pair.gaussianLabel}, σ_w = ${formatNumber(pair.sigmaW)}`, spectra.gaussian],
      [`orthogonal, gain ${formatNumber(pair.sigmaW)}`, spectra.orthogonal],
    ];
    const width = pair.gaussian.width;
    return html`<div class="charts">
        <grad-chart
          export
          data-chart="jacobian-spectrum"
          export-name="theory-jacobian-spectrum"
          chart-title="Singular values of the input–output Jacobian, width ${width}, largest first"
          x-label="rank"
          y-label="singular value"
          log-y
          .data=${spectrumChart(pair, spectra.gaussian, spectra.orthogonal)}
        ></grad-chart>
      </div>
      <p class="note">
        J's f64 entries carry rounding of about 1e-16 of its largest ones, so singular values below
        roughly 1e-15 × the largest mean "numerically zero" rather than their exact size.
      </p>
      <div class="table-wrap">
        <table part="table" data-table="spectrum">
          <caption>
            Spread of the Jacobian's singular values (width ${width}, depth ${pair.gaussian.depth})
          </caption>
          <thead>
            <tr>
              <th scope="col">weights</th>
              <th scope="col">largest</th>
              <th scope="col">smallest</th>
              <th scope="col">condition number</th>
              <th scope="col">spread (decades)</th>
              <th scope="col">mean σ²</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map(
              ([label, s]) =>
                html`<tr>
                  <th scope="row">${label}</th>
                  <td>${formatNumber(s.max)}</td>
                  <td>${formatNumber(s.min)}</td>
                  <td class=${Number.isFinite(s.conditionNumber) ? '' : 'nonfinite'}>
                    ${formatNumber(s.conditionNumber)}
                  </td>
                  <td>${formatNumber(spreadDecades(s))}</td>
                  <td>${formatNumber(s.meanSquare)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>`;
  }

  override render(): unknown {
    return html`
      <h3 id="theory-overlays">Mean-field theory of the lab's network</h3>
      ${this.renderOverlays()}
      <h3 id="theory-phase">Order to chaos: the phase diagram</h3>
      ${this.renderSweep()}
      <h3 id="theory-jacobian">Dynamical isometry: the Jacobian's singular values</h3>
      ${this.renderSpectrum()}
    `;
  }
}
