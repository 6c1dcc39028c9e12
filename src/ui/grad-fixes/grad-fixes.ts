import { css, html, LitElement, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { ACTIVATIONS } from '../../engine/activations.ts';
import { parseSpec, SpecError } from '../../engine/spec.ts';
import { firstToLastRatio, gradientVerdict } from '../../engine/gradient-verdict.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../lab/lab-state.ts';
import { RunController } from '../lab/run-controller.ts';
import { sectionStyles } from '../lab/section.styles.ts';
import {
  fixesChart,
  fixVariants,
  type FixRun,
  type FixVariant,
  type LayerQuantity,
} from './fix-variants.ts';

/** The settings this section changes, by their URL names. */
type FixField = 'residual' | 'batchnorm' | 'output-activation';

const CHARTS: readonly { quantity: LayerQuantity; title: string; yLabel: string; logY: boolean }[] =
  [
    { quantity: 'gradNorm', title: 'Gradient norm per layer', yLabel: '‖δ⁽ˡ⁾‖', logY: true },
    {
      quantity: 'activationStd',
      title: 'Activation std per layer',
      yLabel: 'std of a⁽ˡ⁾',
      logY: true,
    },
    {
      quantity: 'deadFraction',
      title: 'Dead units per layer (φ(z) = 0 on every sample)',
      yLabel: 'dead fraction',
      logY: false,
    },
    {
      quantity: 'saturatedFraction',
      title: 'Saturated units per layer (|φ′(z)| ≤ 10⁻³·max|φ′|)',
      yLabel: 'saturated fraction',
      logY: false,
    },
  ];

function cell(value: number): unknown {
  if (!Number.isFinite(value)) return html`<td class="nonfinite">${String(value)}</td>`;
  return html`<td>${value === 0 ? '0' : value.toPrecision(4)}</td>`;
}

/**
 * The chapter's fixes for vanishing gradients (§17.6) on the lab's network: residual connections,
 * batch normalization, and a linear output unit. The baseline has every fix off (the chapter's
 * network, with the hidden activation on the output unit too); each fix is added alone, and the
 * settings' own combination when it is more than one, all on the same charts: per-layer gradient
 * norm, activation std, and dead and saturated fractions, with a table of how much of the output
 * layer's gradient reaches layer 1. The toggles are shared lab settings (they go to the URL).
 *
 * @summary Residual connections, batch norm and the output unit, compared layer by layer.
 * @event grad-state-change - `detail` holds URL-style entries ('residual', 'batchnorm',
 *   'output-activation': 'true'/'false', 'linear'/'same') for the lab to apply.
 * @csspart run-status - Progress, Cancel, and errors of the section's runs.
 * @csspart table - The first-to-last-layer table.
 */
export class GradFixes extends LitElement {
  static override styles = [
    sectionStyles,
    css`
      p {
        max-width: 70ch;
        line-height: 1.45;
      }
      legend {
        font-weight: 600;
      }
      /* A fieldset is min-content wide by default; let it and the select shrink on a phone. */
      fieldset {
        min-width: 0;
      }
      fieldset label,
      select {
        min-width: 0;
        max-width: 100%;
      }
      td[data-verdict] {
        text-align: left;
      }
    `,
  ];
  static override properties = {
    state: { attribute: false },
    fixRuns: { state: true },
    variants: { state: true },
    controlError: { state: true },
  };

  declare state: LabState;
  declare private fixRuns: readonly FixRun[] | null;
  declare private variants: readonly FixVariant[];
  declare private controlError: string | null;

  private readonly runs = new RunController(this);
  /** The spec the current runs belong to, as a string: runs start only when it changes. */
  private runKey: string | null = null;

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.fixRuns = null;
    this.variants = [];
    this.controlError = null;
  }

  /** The completed runs on show (variant, spec and statistics), for tests and readers. */
  get results(): readonly FixRun[] | null {
    return this.fixRuns;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Disconnecting cancels the runs; coming back starts them again.
    if (!this.fixRuns) this.runKey = null;
  }

  protected override willUpdate(): void {
    const key = JSON.stringify(this.state.spec);
    if (key === this.runKey) return;
    this.runKey = key;
    this.variants = fixVariants(this.state.spec);
    this.fixRuns = null;
    void this.compare(this.variants);
  }

  private async compare(variants: readonly FixVariant[]): Promise<void> {
    const runnable = variants.filter((v) => v.spec !== null);
    const runs = await this.runs.start(async (context) => {
      context.setTotal(runnable.length);
      const done: FixRun[] = [];
      for (const variant of runnable) {
        done.push({ variant, result: await context.run(variant.spec!) });
      }
      return done;
    });
    if (runs) this.fixRuns = runs;
  }

  /** Validates the change against the current spec, then hands it to the lab. */
  private change(field: FixField, value: string, revert: () => void): void {
    try {
      parseSpec({ [field]: value }, this.state.spec);
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      this.controlError = error.message;
      revert();
      return;
    }
    this.controlError = null;
    this.dispatchEvent(
      new CustomEvent('grad-state-change', {
        detail: { [field]: value },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private checkbox(field: 'residual' | 'batchnorm', text: string, checked: boolean): unknown {
    return html`<label class="inline">
      <input
        type="checkbox"
        name=${field}
        .checked=${live(checked)}
        @change=${(event: Event) => {
          const input = event.target as HTMLInputElement;
          this.change(field, String(input.checked), () => (input.checked = !input.checked));
        }}
      />
      ${text}
    </label>`;
  }

  private renderControls(): unknown {
    const spec = this.state.spec;
    const hidden = ACTIVATIONS[spec.activation].label;
    return html`<fieldset>
      <legend>Fixes (shared lab settings)</legend>
      ${this.checkbox('residual', 'residual connections', spec.residual)}
      ${this.checkbox('batchnorm', 'batch normalization', spec.batchnorm)}
      <label>
        output unit
        <select
          name="output-activation"
          @change=${(event: Event) => {
            const select = event.target as HTMLSelectElement;
            this.change('output-activation', select.value, () => {
              select.value = spec.outputActivation;
            });
          }}
        >
          <option value="linear" ?selected=${spec.outputActivation === 'linear'}>linear</option>
          <option value="same" ?selected=${spec.outputActivation === 'same'}>
            same as hidden (${hidden}, as in the chapter)
          </option>
        </select>
      </label>
    </fieldset>`;
  }

  override render(): unknown {
    const spec = this.state.spec;
    const problems = this.variants.filter((v) => v.problem !== null);
    return html`
      <p>
        ${ACTIVATIONS[spec.activation].label}, ${spec.init} init, ${spec.depth} hidden layers of
        width ${spec.width}, batch ${spec.batch}. The baseline has no fixes: no residual
        connections, no batch normalization, and the hidden activation on the output unit too, as in
        the chapter. Each fix is then added
        alone${
          this.variants.some((v) => v.id === 'chosen') ? ', and your settings’ fixes together' : ''
        }.
        ${
          spec.inputs !== spec.width
            ? html`Residual connections skip layers whose input has their width, so layer 1
              (${spec.inputs} inputs) and the output layer have none.`
            : html`Residual connections skip every hidden layer, not the output layer.`
        }
      </p>
      ${this.renderControls()}
      ${
        this.controlError
          ? html`<p class="error" role="alert" data-testid="control-error">${this.controlError}</p>`
          : nothing
      }
      ${problems.map(
        (v) =>
          html`<p class="error" data-testid="variant-problem">
            “${v.label}” cannot run: ${v.problem}
          </p>`,
      )}
      ${this.runs.render()}
      ${
        !this.fixRuns && !this.runs.running
          ? html`<div class="controls">
              <button type="button" @click=${() => void this.compare(this.variants)}>
                Run the comparison
              </button>
            </div>`
          : nothing
      }
      ${this.fixRuns ? this.renderResults(this.fixRuns) : nothing}
    `;
  }

  private renderResults(runs: readonly FixRun[]): unknown {
    return html`
      <div class="charts">
        ${CHARTS.map(
          (chart) =>
            html`<grad-chart
              export
              data-quantity=${chart.quantity}
              chart-title=${chart.title}
              x-label="layer (1 = input side)"
              y-label=${chart.yLabel}
              ?log-y=${chart.logY}
              y-min=${ifDefined(chart.logY ? undefined : 0)}
              y-max=${ifDefined(chart.logY ? undefined : 1)}
              export-name="fixes-${chart.quantity}"
              .data=${fixesChart(runs, chart.quantity)}
            ></grad-chart>`,
        )}
      </div>
      <div class="table-wrap">
        <table part="table">
          <caption>
            How much of the output layer’s gradient reaches layer 1
          </caption>
          <thead>
            <tr>
              <th scope="col">network</th>
              <th scope="col">‖δ⁽¹⁾‖</th>
              <th scope="col">‖δ⁽ᴸ⁾‖ (output)</th>
              <th scope="col">‖δ⁽¹⁾‖ / ‖δ⁽ᴸ⁾‖</th>
              <th scope="col">verdict</th>
            </tr>
          </thead>
          <tbody>
            ${runs.map(({ variant, result }) => {
              const norms = result.stats.gradNorm;
              const verdict = gradientVerdict(norms);
              return html`<tr data-variant=${variant.id}>
                <th scope="row">${variant.label}</th>
                ${cell(norms[0]!)} ${cell(norms[norms.length - 1]!)}
                ${cell(firstToLastRatio(norms))}
                <td data-verdict=${verdict.kind}>${verdict.text}</td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
    `;
  }
}
