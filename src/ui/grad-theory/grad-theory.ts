import { html, LitElement, nothing, type PropertyValues } from 'lit';
import '../figures/grad-jacobian-spectrum/define.ts';
import '../figures/grad-jacobian-table/define.ts';
import '../figures/grad-mean-field/define.ts';
import '../figures/grad-phase-diagram/define.ts';
import '../figures/grad-phase-table/define.ts';
import '../figures/grad-variance-map/define.ts';
import { mirrorOptions, type OptionEntries } from '../figures/figure-option-events.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../lab/lab-state.ts';
import { gradTheoryStyles } from './grad-theory.styles.ts';
import { phaseSweeps, type PhaseSweepEntry } from './phase-sweep-store.ts';
import {
  describeCorrelationScale,
  describeDepthScale,
  describeFixedPoint,
  describePhase,
  formatNumber,
  phaseGrid,
  theoryViewOf,
  type CriticalCurve,
  type GradientOverlay,
  type SpectrumPair,
  type TheoryView,
} from './theory-data.ts';
import { readSweepAttributes, SWEEP_ATTRIBUTES } from './theory-options.ts';

/** The figures that show one sweep, and those that show one Jacobian: each group shares options. */
const PHASE_FIGURES = 'grad-phase-diagram, grad-phase-table';
const JACOBIAN_FIGURES = 'grad-jacobian-spectrum, grad-jacobian-table';

/** What the section shows, for tests and readers (gathered from its figures). */
export interface TheoryResults {
  readonly view: TheoryView | null;
  readonly overlay: GradientOverlay | null;
  readonly sweep: PhaseSweepEntry | null;
  /** The heat-map columns' values as drawn (one array per σ_w², σ_b² from the lowest up). */
  readonly phaseValues: number[][] | null;
  readonly spectra: SpectrumPair | null;
}

/**
 * Mean-field theory of the lab's network (Poole et al. 2016; Schoenholz et al. 2017), as prose
 * and a composition of figures. The section states the numbers (q*, χ₁, the phase, the depth
 * scales, c*, ξ_c) from the engine's theory; the variance map and q⁽ˡ⁾ through depth
 * (grad-variance-map), the measured ‖δ⁽ˡ⁾‖ under the prediction (grad-mean-field), the
 * order-to-chaos phase diagram from a grid of runs, run when the reader presses Run sweep
 * (grad-phase-diagram), with the χ₁ = 1 line and every grid point as tables (grad-phase-table),
 * and the Jacobian's singular values for Gaussian and orthogonal weights (grad-jacobian-spectrum,
 * grad-jacobian-table). The grid and the Jacobian's width are the figures' own options: the
 * section writes what the reader chose in one figure onto the figures beside it.
 *
 * @summary Mean-field q*, χ₁ and depth scale over measured gradients, the phase diagram, and
 *   Jacobian spectra.
 * @csspart numbers - The list of mean-field numbers.
 * @cssproperty --grad-ordered - Colour of the word "ordered".
 * @cssproperty --grad-chaotic - Colour of the word "chaotic".
 */
export class GradTheory extends LitElement {
  static override styles = gradTheoryStyles;
  static override properties = {
    state: { attribute: false },
  };

  declare state: LabState;

  private view: TheoryView | null = null;
  private viewError: string | null = null;
  /** The grid attributes the reader chose in the diagram (absent: the figures' defaults). */
  private sweepAttributes: Record<string, string | null> = {};
  /** The sweep the figures show, for the note on its χ₁ = 1 line. */
  private sweep: PhaseSweepEntry | null = null;
  private stopWatching: (() => void) | null = null;

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
  }

  /** The numbers, curves, phase grid and spectra on show. */
  get results(): TheoryResults {
    const root = this.renderRoot as ParentNode | undefined;
    const diagram = root?.querySelector('grad-phase-diagram') ?? null;
    return {
      view: this.view,
      overlay: root?.querySelector('grad-mean-field')?.overlay ?? null,
      sweep: diagram?.sweep ?? null,
      phaseValues: diagram?.phaseValues ?? null,
      spectra: root?.querySelector('grad-jacobian-spectrum')?.spectra ?? null,
    };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.watchSweep();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopWatching?.();
    this.stopWatching = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('state')) return;
    ({ view: this.view, error: this.viewError } = theoryViewOf(this.state.spec));
    this.watchSweep();
  }

  /** Follows the sweep the phase figures show (the store shares it), for the prose beside them. */
  private watchSweep(): void {
    this.stopWatching?.();
    const { options } = readSweepAttributes(this.state.spec, (name) =>
      name in this.sweepAttributes ? this.sweepAttributes[name]! : null,
    );
    this.sweep = options ? phaseSweeps.sweep(options) : null;
    this.stopWatching = this.sweep?.watch(() => this.requestUpdate()) ?? null;
  }

  /** A figure's reader changed its options: the figures beside it that share them follow. */
  private onFigureOptions(event: CustomEvent<OptionEntries>): void {
    const source = event.composedPath()[0] as Element;
    const group = source.matches(PHASE_FIGURES) ? PHASE_FIGURES : JACOBIAN_FIGURES;
    mirrorOptions(this.renderRoot, group, source, event.detail);
    if (group === PHASE_FIGURES) {
      for (const name of SWEEP_ATTRIBUTES) {
        if (name in event.detail) this.sweepAttributes[name] = event.detail[name]!;
      }
      this.watchSweep();
      this.requestUpdate();
    }
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

  private renderTheory(): unknown {
    const view = this.view;
    if (!view)
      return html`<p class="error" role="alert">
        The theory cannot be evaluated for these settings: ${this.viewError}
      </p>`;
    return html`<p class="note" data-testid="sigma-w-source">${view.sigmaWSource}</p>
      ${this.renderNumbers(view)}
      <ul class="caveats" aria-label="where the theory applies">
        ${view.caveats.map((c) => html`<li>${c}</li>`)}
      </ul>`;
  }

  /** How the χ₁ = 1 line is drawn and tabulated, once it is known. */
  private renderCriticalNote(curve: CriticalCurve): unknown {
    const shown = curve.sigmaB2.filter((v) => v !== null).length;
    return html`<p class="note" data-testid="critical-note">
      The χ₁ = 1 line is drawn as σ_b² over each σ_w² column (the chart's x axis), solved for σ_b²
      in the grid's range; it crosses ${shown} of ${curve.sigmaB2.length} columns.
      ${
        curve.verticalAt !== null
          ? html`It is vertical here: χ₁ does not depend on σ_b², and χ₁ = 1 at σ_w² =
            ${formatNumber(curve.verticalAt)} for every row, which no column can show.`
          : nothing
      }
      Columns it misses are left blank (the chart counts them as values not drawn). The table gives
      the line the other way round, σ_w² for each σ_b² row (engine criticalLine, searched from half
      the smallest to twice the largest σ_w²).
    </p>`;
  }

  override render(): unknown {
    const state = this.state;
    const spec = state.spec;
    // On its own with controls="none", the section is fixed: the sweep starts by itself.
    const fixed = this.getAttribute('controls') === 'none';
    const controls = fixed ? 'none' : 'compact';
    const start = fixed ? 'auto' : 'button';
    const sweep = this.sweep;
    const grid = sweep ? phaseGrid(sweep.options) : null;
    const curve = sweep?.critical.curve ?? null;
    return html`
      <h3 id="theory-overlays">Mean-field theory of the lab's network</h3>
      ${this.renderTheory()}
      <div class="figures">
        <grad-variance-map export controls="none" view="map" .state=${state}></grad-variance-map>
        <grad-variance-map export controls="none" view="depth" .state=${state}></grad-variance-map>
        <grad-mean-field export controls="none" .state=${state}></grad-mean-field>
      </div>
      <p class="note">
        The prediction multiplies ‖δ‖ by √(σ_w²·E[φ′(√q⁽ˡ⁾ z)²]) per layer going down from the
        output (Schoenholz et al. 2017, §5), with each layer's own q⁽ˡ⁾; the second curve,
        χ₁^((L−l)/2), takes q⁽ˡ⁾ = q* in every layer. Both are scaled to the measured output layer
        ‖δ⁽ᴸ⁾‖, so only the slope is predicted.
      </p>
      <div @grad-options-change=${this.onFigureOptions}>
        <h3 id="theory-phase">Order to chaos: the phase diagram</h3>
        <p class="note">
          Each grid point is one run of a plain network with init custom, W ~ N(0, σ_w²/n) and b ~
          N(0, σ_b²), with the lab's activation, seed and backend (${spec.backend}); each cell shows
          the measured log₁₀(‖δ⁽¹⁾‖ / ‖δ⁽ᴸ⁾‖): blue where gradients vanish toward the input
          (ordered), red where they explode (chaotic), grey near 0. Depth and width are capped to
          keep the sweep to seconds; the CLI's <code>sweep</code> has no caps.
        </p>
        <div class="figures">
          <grad-phase-diagram
            export
            controls=${controls}
            start=${start}
            .state=${state}
          ></grad-phase-diagram>
          <div>
            ${curve ? this.renderCriticalNote(curve) : nothing}
            <grad-phase-table
              export
              controls="none"
              start=${start}
              table="critical-line"
              .state=${state}
            ></grad-phase-table>
          </div>
        </div>
        <details>
          <summary>
            All ${grid ? grid.sigmaW2.length * grid.sigmaB2.length : ''} grid points as a table
          </summary>
          <grad-phase-table
            export
            controls="none"
            start=${start}
            table="points"
            .state=${state}
          ></grad-phase-table>
        </details>
        <h3 id="theory-jacobian">Dynamical isometry: the Jacobian's singular values</h3>
        <p class="note">
          J = ∂a⁽ᴸ⁾/∂x at one input of a square network (inputs = width = outputs) with the lab's
          activation, depth ${spec.depth} and biases. Orthogonal weights at the edge of chaos keep
          every singular value near 1 (dynamical isometry); i.i.d. Gaussian weights with the same
          mean squared singular value spread them over decades. Computed densely in f64 in the CPU
          worker, whatever the lab's backend.
        </p>
        <div class="figures">
          <grad-jacobian-spectrum
            export
            controls=${controls}
            .state=${state}
          ></grad-jacobian-spectrum>
          <div>
            <grad-jacobian-table export controls="none" .state=${state}></grad-jacobian-table>
            <p class="note">
              J's f64 entries carry rounding of about 1e-16 of its largest ones, so singular values
              below roughly 1e-15 × the largest mean "numerically zero" rather than their exact
              size.
            </p>
          </div>
        </div>
      </div>
    `;
  }
}
