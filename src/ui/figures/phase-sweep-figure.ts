/**
 * What the phase figures share (grad-phase-diagram, grad-phase-table): the grid attributes
 * (sigma-w2-min … sigma-b2-steps, sweep-depth, sweep-width) and `start`, the sweep entry they
 * show from the page's store (phase-sweep-store.ts: every figure of the same grid shows the same
 * measurements), measuring it through the figure's TaskContext (paused while far from the
 * viewport, cancelled on removal), and the grid form with its Run sweep button.
 */
import { css, html, nothing } from 'lit';
import { SpecError } from '../../engine/spec-rules.ts';
import type { OptionRule } from '../figure/figure-options.ts';
import { GradFigure } from '../figure/grad-figure.ts';
import { RunFigure } from '../figure/run-figure.ts';
import {
  measureSweep,
  phaseSweeps,
  solveCriticalLine,
  type PhaseSweepEntry,
} from '../grad-theory/phase-sweep-store.ts';
import {
  PAGE_SWEEP_LIMITS,
  SWEEP_CONTROL_FIELDS,
  sweepOptionsFor,
  type SweepControls,
} from '../grad-theory/theory-data.ts';
import {
  readSweepAttributes,
  SWEEP_ATTRIBUTES,
  sweepAttributeEntries,
  SWEEP_RULE_LIST,
  SWEEP_START,
  type SweepReading,
} from '../grad-theory/theory-options.ts';
import { applyOptions } from './figure-option-events.ts';

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

export abstract class PhaseSweepFigure extends RunFigure {
  static override styles = [
    GradFigure.styles,
    css`
      input[type='number'] {
        width: 6rem;
        max-width: 100%;
      }
    `,
  ];
  static override properties = {
    ...GradFigure.properties,
    sweepDraft: { state: true },
    sweepError: { state: true },
  };
  static override optionRules: readonly OptionRule<unknown>[] = [...SWEEP_RULE_LIST, SWEEP_START];

  /** The grid form as typed. */
  declare sweepDraft: SweepDraft;
  declare sweepError: SpecError | null;

  /** The sweep on show (null where the spec cannot be swept). */
  protected entry: PhaseSweepEntry | null = null;
  protected reading: SweepReading | null = null;
  /** The sweep the reader asked for with the Run sweep button. */
  private requested: string | null = null;
  /** The form follows the attributes until the reader types in it. */
  private editing = false;
  private stopWatching: (() => void) | null = null;

  constructor() {
    super();
    this.sweepDraft = {} as SweepDraft;
    this.sweepError = null;
  }

  /** The sweep on show, finished or in progress (shared with the page's other phase figures). */
  get sweep(): PhaseSweepEntry | null {
    return this.entry;
  }

  /** Whether this figure needs the runs (false: the critical line alone). */
  protected measures(): boolean {
    return true;
  }

  /** Whether what this figure shows is all there. */
  protected done(entry: PhaseSweepEntry): boolean {
    return this.measures() ? entry.complete : entry.critical.curve !== null;
  }

  protected override planKey(): string {
    return JSON.stringify([
      this.state.spec,
      SWEEP_ATTRIBUTES.map((name) => this.getAttribute(name)),
      this.option(SWEEP_START),
      this.requested,
      this.measures(),
    ]);
  }

  protected override optionRelationProblems(): SpecError[] {
    const reading = readSweepAttributes(this.state.spec, (name) => this.getAttribute(name));
    return reading.problem ? [reading.problem] : [];
  }

  protected override plan(): void {
    this.stopWatching?.();
    this.stopWatching = null;
    const reading = readSweepAttributes(this.state.spec, (name) => this.getAttribute(name));
    this.reading = reading;
    if (!this.editing) this.sweepDraft = draftOf(reading.controls);
    const options = reading.options;
    if (!options) {
      this.entry = null;
      this.runs.cancel(false);
      this.toggleAttribute('data-complete', false);
      return;
    }
    const entry = phaseSweeps.sweep(options);
    this.entry = entry;
    this.stopWatching = entry.watch(() => {
      this.toggleAttribute('data-complete', this.done(entry));
      this.requestUpdate();
    });
    this.toggleAttribute('data-complete', this.done(entry));
    const start = this.option(SWEEP_START) === 'auto' || this.requested === entry.key;
    if (!start || this.done(entry)) {
      this.runs.cancel(false);
      return;
    }
    void this.runs.start(async (context) => {
      if (this.measures()) await measureSweep(entry, context);
      else await solveCriticalLine(entry.critical, context);
      return entry;
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Connecting again plans again, and watches again.
    this.stopWatching?.();
    this.stopWatching = null;
  }

  private onSweepInput(key: keyof SweepControls, event: Event): void {
    this.editing = true;
    this.sweepDraft = { ...this.sweepDraft, [key]: (event.target as HTMLInputElement).value };
    this.sweepError = null;
  }

  /** Applies the typed grid (as attributes) and runs it; a bad value is named under the form. */
  private onRunSweep(event: Event): void {
    event.preventDefault();
    let controls: SweepControls;
    try {
      controls = Object.fromEntries(
        SWEEP_CONTROL_FIELDS.map(({ key, name }) => [
          key,
          parseControl(name, this.sweepDraft[key] ?? ''),
        ]),
      ) as unknown as SweepControls;
      this.requested = JSON.stringify(sweepOptionsFor(this.state.spec, controls));
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      this.sweepError = error;
      return;
    }
    this.sweepError = null;
    this.editing = false;
    applyOptions(this, sweepAttributeEntries(controls));
    this.requestUpdate();
  }

  protected override renderControls(): unknown {
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
          .value=${this.sweepDraft[key] ?? ''}
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
        <button type="submit" ?disabled=${this.runs.running}>Run sweep</button>
      </form>
      <p class="error" id="sweep-error" role="alert" ?hidden=${!this.sweepError}>
        ${this.sweepError?.message ?? ''}
      </p>`;
  }

  /** What the figure shows before it is complete, in a line. */
  protected pendingNote(entry: PhaseSweepEntry): unknown {
    if (this.done(entry)) return nothing;
    if (!this.runs.running && this.option(SWEEP_START) === 'button') {
      const press =
        this.controls === 'none'
          ? 'it is measured when a phase diagram of the same grid on this page runs its sweep.'
          : 'choose the grid and press Run sweep.';
      return html`<p class="note" data-testid="not-run">Not run yet: ${press}</p>`;
    }
    if (!this.measures()) return nothing;
    return html`<p class="note" data-pending>
      ${entry.measured} of ${entry.points.length} grid points measured; drawn when all are.
    </p>`;
  }

  protected override runStatus(): unknown {
    const entry = this.entry;
    return html`${super.runStatus()}${
      entry
        ? this.pendingNote(entry)
        : this.reading
          ? html`<p class="error" role="alert">
              This spec cannot be swept: ${this.reading.problem?.message ?? 'see the settings'}
            </p>`
          : nothing
    }`;
  }
}
