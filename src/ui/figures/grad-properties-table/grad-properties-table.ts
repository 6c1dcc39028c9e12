import { css, html } from 'lit';
import {
  ACTIVATION_NAMES,
  ACTIVATIONS,
  activationProperties,
  type ActivationName,
} from '../../../engine/activations.ts';
import { GradFigure } from '../../figure/grad-figure.ts';
import { nextTask } from '../../figure/ready-queue.ts';
import { ACTIVATION_STATE_READER, alphaFor, type ActivationState } from '../activation-state.ts';
import { mathFormula, mathStyles } from '../../math/math-formula.ts';

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/**
 * The chapter's comparison of activations (§17.5), measured from the engine's activation table
 * rather than typed in: the range sampled on [−50, 50], max |f′| found numerically, and whether
 * each is zero-centred, saturating and monotone; formulas as MathML. Every activation unless
 * `activations` lists some.
 *
 * @summary The activation properties table, measured.
 * @csspart table - The table.
 * @tagname grad-properties-table
 */
export class GradPropertiesTable extends GradFigure<ActivationState> {
  static override shape = 'table' as const;
  static override styles = [
    GradFigure.styles,
    mathStyles,
    css`
      td.formula,
      th.formula {
        text-align: left;
      }
    `,
  ];
  static override stateReader = ACTIVATION_STATE_READER;

  /** The activations listed: the `activations` attribute's, or all of them. */
  get listed(): readonly ActivationName[] {
    return this.state.activations ?? ACTIVATION_NAMES;
  }

  protected override defaultCaption(): string {
    return 'Activation functions compared: range, largest slope, and shape';
  }

  /**
   * The properties are measured numerically (and kept by the engine): 30–50 ms for every activation
   * while the page's code is cold, so one activation per task before the first drawing.
   */
  protected override async prepare(): Promise<void> {
    for (const name of this.listed) {
      await nextTask();
      activationProperties(name, this.alphaOf(name));
    }
    await nextTask();
  }

  private alphaOf(name: ActivationName): number | undefined {
    return ACTIVATIONS[name].defaultAlpha === undefined ? undefined : alphaFor(this.state, name);
  }

  protected override renderFigure(): unknown {
    return this.tableFrame(
      html`<div
        class="table-wrap"
        tabindex="0"
        role="region"
        aria-label=${`${this.caption} (table; scrolls sideways on narrow screens)`}
      >
        <table part="table" aria-label="activation properties">
          <caption>
            ${this.caption}
          </caption>
          <thead>
            <tr>
              <th scope="col">activation</th>
              <th scope="col" class="formula">formula</th>
              <th scope="col">range on [−50, 50]</th>
              <th scope="col">max |f′|</th>
              <th scope="col">zero-centred</th>
              <th scope="col">saturating</th>
              <th scope="col">monotone</th>
            </tr>
          </thead>
          <tbody>
            ${this.listed.map((name) => {
              const props = activationProperties(name, this.alphaOf(name));
              return html`<tr data-activation=${name}>
                <th scope="row">${ACTIVATIONS[name].label}</th>
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
      </div>`,
    );
  }
}
