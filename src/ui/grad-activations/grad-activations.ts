import { html, LitElement } from 'lit';
import {
  ACTIVATION_NAMES,
  ACTIVATIONS,
  activationProperties,
  type ActivationName,
} from '../../engine/activations.ts';
import { sectionStyles } from '../lab/section.styles.ts';
import { mathFormula, mathStyles } from '../math/math-formula.ts';
import { CHAPTER_GRID, sampleActivation } from './activation-curves.ts';
import { gradActivationsStyles } from './grad-activations.styles.ts';

/** The overlaid comparison: the chapter's five plus GELU and SiLU. */
const OVERLAID: readonly ActivationName[] = [...CHAPTER_GRID, 'silu'];

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/**
 * The activation gallery: f and f′ of the chapter's six activations (its 3×2 figure, §17.4), each
 * with its formulas, α sliders for leaky_relu and elu, and the comparison table (§17.5) computed
 * from the engine's activation table, not typed in: range sampled on [−50, 50], max |f′| found
 * numerically, zero-centred, saturating, monotone. Formulas come from the same table as TeX and
 * are rendered by the browser as MathML.
 *
 * @summary Every activation and its derivative, with formulas and measured properties.
 * @csspart table - The properties table.
 * @csspart formula - The formulas above each chart of the 3×2 grid.
 * @cssproperty --grad-rule - Colour of table rules.
 * @cssproperty --grad-fg - Text colour.
 */
export class GradActivations extends LitElement {
  static override styles = [sectionStyles, mathStyles, gradActivationsStyles];
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

  private alphaOf(name: ActivationName): number {
    if (name === 'leaky_relu') return this.leakyAlpha;
    if (name === 'elu') return this.eluAlpha;
    return 0;
  }

  private slider(label: string, value: number, max: number, set: (value: number) => void): unknown {
    return html`<label
      >${label}: ${value}
      <input
        type="range"
        min="0"
        max=${max}
        step="0.01"
        .value=${String(value)}
        @input=${(event: Event) => set(Number((event.target as HTMLInputElement).value))}
    /></label>`;
  }

  /** The chapter's comparison figure: every activation's f on one chart, every f′ on another. */
  private renderOverlay(): unknown {
    const curves = OVERLAID.map((name) => ({
      name,
      ...sampleActivation(name, this.alphaOf(name)),
    }));
    const x = curves[0]!.x;
    const chart = (kind: 'values' | 'derivatives', title: string) =>
      html`<grad-chart
        export
        data-overlay=${kind}
        chart-title=${title}
        x-label="x"
        y-label=${kind === 'values' ? 'f(x)' : 'f′(x)'}
        .data=${{ x, series: curves.map((c) => ({ label: ACTIVATIONS[c.name].label, values: c[kind] })) }}
      ></grad-chart>`;
    return html`<div class="grid overlay">
      ${chart('values', 'All activations')} ${chart('derivatives', 'All derivatives')}
    </div>`;
  }

  override render(): unknown {
    return html`
      <div class="controls">
        ${this.slider('leaky_relu α', this.leakyAlpha, 0.5, (v) => (this.leakyAlpha = v))}
        ${this.slider('elu α', this.eluAlpha, 2, (v) => (this.eluAlpha = v))}
      </div>
      <div class="grid">
        ${CHAPTER_GRID.map((name) => {
          const curves = sampleActivation(name, this.alphaOf(name));
          const { label, tex, derivativeTex } = ACTIVATIONS[name];
          return html`<div class="cell">
            <div class="formulas" part="formula" data-formula=${name}>
              ${mathFormula(tex, 'block')} ${mathFormula(derivativeTex, 'block')}
            </div>
            <grad-chart
              export
              data-activation=${name}
              chart-title=${label}
              x-label="x"
              y-label="value"
              export-name="activation-${name}"
              .data=${{
                x: curves.x,
                series: [
                  { label: 'f(x)', values: curves.values },
                  { label: 'f′(x)', values: curves.derivatives },
                ],
              }}
            ></grad-chart>
          </div>`;
        })}
      </div>
      ${this.renderOverlay()}
      <div class="table-wrap">
        <table part="table" aria-label="activation properties">
          <thead>
            <tr>
              <th>activation</th>
              <th class="formula">formula</th>
              <th>range on [−50, 50]</th>
              <th>max |f′|</th>
              <th>zero-centred</th>
              <th>saturating</th>
              <th>monotone</th>
            </tr>
          </thead>
          <tbody>
            ${ACTIVATION_NAMES.map((name) => {
              const alpha =
                ACTIVATIONS[name].defaultAlpha === undefined ? undefined : this.alphaOf(name);
              const props = activationProperties(name, alpha);
              return html`<tr data-activation=${name}>
                <td>${ACTIVATIONS[name].label}</td>
                <td class="formula">${mathFormula(ACTIVATIONS[name].tex)}</td>
                <td>[${props.sampledMin.toPrecision(3)}, ${props.sampledMax.toPrecision(3)}]</td>
                <td>${props.maxAbsDerivative.toPrecision(4)}</td>
                <td>${yesNo(props.zeroCentred)}</td>
                <td>${yesNo(props.saturating)}</td>
                <td>${yesNo(props.monotone)}</td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
    `;
  }
}
