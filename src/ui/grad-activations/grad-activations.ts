import { html, LitElement } from 'lit';
import { ACTIVATIONS, type ActivationName } from '../../engine/activations.ts';
import '../figures/grad-activation-plot/define.ts';
import '../figures/grad-properties-table/define.ts';
import type { ActivationState } from '../figures/activation-state.ts';
import { controlStyles } from '../figure/controls.ts';
import { sectionStyles } from '../lab/section.styles.ts';
import { mathFormula, mathStyles } from '../math/math-formula.ts';
import { CHAPTER_GRID } from './activation-curves.ts';
import { gradActivationsStyles } from './grad-activations.styles.ts';

/** The overlaid comparison: the chapter's five plus GELU and SiLU. */
const OVERLAID: readonly ActivationName[] = [...CHAPTER_GRID, 'silu'];

/**
 * The activation gallery (§17.1–17.4): the chapter's 3×2 figure of f and f′, each with its
 * formulas, all of them overlaid, α sliders for leaky_relu and elu, and the comparison table
 * (§17.5) measured from the engine's activation table. Prose and a composition of figures
 * (grad-activation-plot, grad-properties-table); formulas come from the same table as TeX and are
 * rendered by the browser as MathML.
 *
 * @summary Every activation and its derivative, with formulas and measured properties.
 * @csspart formula - The formulas above each chart of the 3×2 grid.
 */
export class GradActivations extends LitElement {
  static override styles = [sectionStyles, controlStyles, mathStyles, gradActivationsStyles];
  static override properties = {
    leakyAlpha: { type: Number, attribute: 'leaky-alpha' },
    eluAlpha: { type: Number, attribute: 'elu-alpha' },
  };

  declare leakyAlpha: number;
  declare eluAlpha: number;

  constructor() {
    super();
    this.leakyAlpha = ACTIVATIONS.leaky_relu.defaultAlpha!;
    this.eluAlpha = ACTIVATIONS.elu.defaultAlpha!;
  }

  /** What the figures draw: one activation or several, with the sliders' α. */
  private figureState(activations: readonly ActivationName[]): ActivationState {
    return {
      activation: activations[0]!,
      activations: activations.length > 1 ? activations : null,
      alphas: { leaky_relu: this.leakyAlpha, elu: this.eluAlpha },
    };
  }

  private slider(label: string, value: number, max: number, set: (value: number) => void): unknown {
    return html`<label class="slider"
      >${label}
      <input
        type="range"
        min="0"
        max=${max}
        step="0.01"
        .value=${String(value)}
        @input=${(event: Event) => set(Number((event.target as HTMLInputElement).value))}
      /><output>${value}</output></label
    >`;
  }

  override render(): unknown {
    return html`
      <div class="controls">
        ${this.slider('leaky_relu α', this.leakyAlpha, 0.5, (v) => (this.leakyAlpha = v))}
        ${this.slider('elu α', this.eluAlpha, 2, (v) => (this.eluAlpha = v))}
      </div>
      <div class="grid">
        ${CHAPTER_GRID.map((name) => {
          const { tex, derivativeTex } = ACTIVATIONS[name];
          return html`<div class="cell">
            <div class="formulas" part="formula" data-formula=${name}>
              ${mathFormula(tex, 'block')} ${mathFormula(derivativeTex, 'block')}
            </div>
            <grad-activation-plot
              controls="none"
              export
              aspect="4:3"
              .state=${this.figureState([name])}
            ></grad-activation-plot>
          </div>`;
        })}
      </div>
      <div class="grid overlay">
        <grad-activation-plot
          controls="none"
          export
          show="f"
          caption="All activations"
          .state=${this.figureState(OVERLAID)}
        ></grad-activation-plot>
        <grad-activation-plot
          controls="none"
          export
          show="df"
          caption="All derivatives"
          .state=${this.figureState(OVERLAID)}
        ></grad-activation-plot>
      </div>
      <!-- No list: the table shows every activation. -->
      <grad-properties-table export .state=${this.figureState(['sigmoid'])}></grad-properties-table>
    `;
  }
}
