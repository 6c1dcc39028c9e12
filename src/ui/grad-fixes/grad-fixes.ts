import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import { ACTIVATIONS } from '../../engine/activations.ts';
import { parseSpec, SpecError } from '../../engine/spec.ts';
import '../figures/grad-fixes-plot/define.ts';
import '../figures/grad-fixes-table/define.ts';
import { groupListener } from '../figures/figure-group.ts';
import type { GradFixesTable } from '../figures/grad-fixes-table/grad-fixes-table.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../lab/lab-state.ts';
import { sectionStyles } from '../lab/section.styles.ts';
import { FIX_STATS, fixVariants, type FixRun, type FixVariant } from './fix-variants.ts';

/** The settings this section changes, by their URL names. */
type FixField = 'residual' | 'batchnorm' | 'output-activation';

/**
 * The chapter's fixes for vanishing gradients (§17.6) on the lab's network: residual connections,
 * batch normalization, and a linear output unit. The baseline has every fix off (the chapter's
 * network, with the hidden activation on the output unit too); each fix is added alone, and the
 * settings' own combination when it is more than one, all on the same charts. Prose and a
 * composition of figures: per-layer gradient norm, activation std, and dead and saturated
 * fractions (grad-fixes-plot), and how much of the output layer's gradient reaches layer 1
 * (grad-fixes-table), which carries Cancel and Run for all of them. The figures share the
 * variants' runs. The toggles are shared lab settings (they go to the URL).
 *
 * @summary Residual connections, batch norm and the output unit, compared layer by layer.
 * @event grad-state-change - `detail` holds URL-style entries ('residual', 'batchnorm',
 *   'output-activation': 'true'/'false', 'linear'/'same') for the lab to apply.
 * @csspart run-status - Progress, Cancel, Run, and errors of the comparison's runs.
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
      .figures {
        display: grid;
        gap: 1rem;
      }
    `,
  ];
  static override properties = {
    state: { attribute: false },
    controlError: { state: true },
  };

  declare state: LabState;
  declare private controlError: string | null;

  private variants: readonly FixVariant[] = [];
  private variantsOf: LabState['spec'] | null = null;
  private readonly onGroupEvent = groupListener(() => this.renderRoot);

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.controlError = null;
  }

  /**
   * The completed runs on show (variant, spec and statistics), once the table has them all (null
   * until then): for tests and readers. The charts draw the same runs as they come near the
   * viewport.
   */
  get results(): readonly FixRun[] | null {
    const table = this.renderRoot?.querySelector<GradFixesTable>('grad-fixes-table');
    return table?.hasAttribute('data-complete') ? table.fixRuns : null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (this.state.spec !== this.variantsOf) {
      this.variantsOf = this.state.spec;
      this.variants = fixVariants(this.state.spec);
    }
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
    // Every figure draws the variants that can run; the others are named once, here.
    const fixes = this.variants
      .filter((v) => v.problem === null)
      .map((v) => v.id)
      .join(',');
    const figureControls = this.getAttribute('controls') === 'none' ? 'none' : 'compact';
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
      <div
        class="figures"
        @grad-figure-cancel=${this.onGroupEvent}
        @grad-figure-rerun=${this.onGroupEvent}
      >
        <div class="charts">
          ${FIX_STATS.map(
            (stat) =>
              html`<grad-fixes-plot
                export
                controls="none"
                stat=${stat}
                fixes=${fixes}
                aspect="4:3"
                .state=${this.state}
              ></grad-fixes-plot>`,
          )}
        </div>
        <grad-fixes-table
          export
          controls=${figureControls}
          fixes=${fixes}
          exportparts="table, run-status"
          .state=${this.state}
        ></grad-fixes-table>
      </div>
    `;
  }
}
