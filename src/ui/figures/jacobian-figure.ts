/**
 * What the Jacobian figures share (grad-jacobian-spectrum, grad-jacobian-table): the square
 * network of the spec at `jacobian-width` (jacobianPair), the two spectra of its input–output
 * Jacobian (i.i.d. and orthogonal weights of one scale) computed in f64 in the CPU worker through
 * the page's shared queue (so a chart and a table of the same spec compute them once), and the
 * width control.
 */
import { css, html, nothing } from 'lit';
import { SpecError } from '../../engine/spec-rules.ts';
import type { FigureControls } from '../figure/figure-controls.ts';
import { GradFigure } from '../figure/grad-figure.ts';
import { RunFigure } from '../figure/run-figure.ts';
import {
  JACOBIAN_DEFAULT_WIDTH,
  jacobianPair,
  type JacobianPair,
  type SpectrumPair,
} from '../grad-theory/theory-data.ts';
import { JACOBIAN_WIDTH, jacobianWidthOf } from '../grad-theory/theory-options.ts';
import { applyOptions } from './figure-option-events.ts';

export abstract class JacobianFigure extends RunFigure {
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
    widthError: { state: true },
  };
  static override optionRules = [JACOBIAN_WIDTH];

  /** The width control's error (the engine's message where it refuses the width). */
  declare widthError: string | null;

  private currentSpectra: SpectrumPair | null = null;
  /** Why the spec's Jacobian cannot be computed, naming the field. */
  protected pairError: string | null = null;
  private plannedKey = '';

  constructor() {
    super();
    this.widthError = null;
  }

  /** Both spectra once computed; null while they are. */
  get spectra(): SpectrumPair | null {
    return this.currentSpectra;
  }

  protected get width(): number {
    return jacobianWidthOf(this.state.spec, this.option(JACOBIAN_WIDTH));
  }

  protected override planKey(): string {
    return JSON.stringify([this.state.spec, this.width]);
  }

  protected override plan(): void {
    this.currentSpectra = null;
    this.toggleAttribute('data-complete', false);
    let pair: JacobianPair;
    try {
      pair = jacobianPair(this.state.spec, this.width);
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      this.pairError = error.message;
      this.plannedKey = '';
      this.runs.cancel(false);
      return;
    }
    this.pairError = null;
    const key = JSON.stringify([pair.gaussian, pair.orthogonal]);
    this.plannedKey = key;
    void this.runs
      .start(async (context) => {
        context.setTotal(2);
        const gaussian = await context.jacobian(pair.gaussian);
        const orthogonal = await context.jacobian(pair.orthogonal);
        return { pair, gaussian, orthogonal };
      })
      .then((spectra) => {
        if (!spectra || this.plannedKey !== key) return;
        this.currentSpectra = spectra;
        this.toggleAttribute('data-complete', true);
        this.requestUpdate();
      });
  }

  /** A typed width: empty follows the spec; else it must be one the engine computes. */
  private onWidthChange(event: Event): void {
    const text = (event.target as HTMLInputElement).value.trim();
    if (text === '') {
      this.widthError = null;
      applyOptions(this, { [JACOBIAN_WIDTH.attribute]: null });
      return;
    }
    try {
      const width = /^\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isInteger(width) || width < 1)
        throw new SpecError(
          JACOBIAN_WIDTH.attribute,
          `got ${JSON.stringify(text)}; allowed: ${JACOBIAN_WIDTH.allowed}`,
        );
      // The engine's own check and message (width ≤ 256, no batch normalization…).
      jacobianPair(this.state.spec, width);
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      this.widthError = error.message;
      return;
    }
    this.widthError = null;
    applyOptions(this, { [JACOBIAN_WIDTH.attribute]: text });
  }

  protected override renderControls(ui: FigureControls): unknown {
    const width = this.option(JACOBIAN_WIDTH);
    const fallback = Math.min(this.state.spec.width, JACOBIAN_DEFAULT_WIDTH);
    return html`<label
        >Jacobian width (≤ 256; empty: the spec's width up to ${JACOBIAN_DEFAULT_WIDTH})
        <input
          type="number"
          name="jacobian-width"
          min="1"
          max="256"
          step="1"
          placeholder=${fallback}
          .value=${width === null ? '' : String(width)}
          aria-invalid=${this.widthError ? 'true' : 'false'}
          aria-describedby="jacobian-error"
          @change=${this.onWidthChange}
      /></label>
      ${ui.fieldError('jacobian-error', this.widthError)}`;
  }

  /** The spec's refusal, where the Jacobian cannot be computed for it. */
  protected pairNote(): unknown {
    return this.pairError ? html`<p class="error" role="alert">${this.pairError}</p>` : nothing;
  }
}
