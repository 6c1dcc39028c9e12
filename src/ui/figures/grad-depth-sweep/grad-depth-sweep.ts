import { html } from 'lit';
import { ACTIVATIONS } from '../../../engine/activations.ts';
import { SpecError } from '../../../engine/spec.ts';
import type { FigureControls } from '../../figure/figure-controls.ts';
import { choiceOption } from '../../figure/figure-options.ts';
import { GradFigure } from '../../figure/grad-figure.ts';
import { RunFigure } from '../../figure/run-figure.ts';
import { parseLabList } from '../../lab/lab-state.ts';
import {
  depthSweepChart,
  planDepthSweep,
  sweepResults,
  sweepSlots,
  SWEEP_AXES,
  type FigureRuns,
  type SweepResult,
} from '../../grad-norms/norms-data.ts';
import type { PropertyValues } from 'lit';

const X_AXIS = choiceOption('x-axis', SWEEP_AXES, 'layer');

/** The setup a gradient-norm caption names beside the activation. */
export const setupText = (spec: { init: string; width: number; batch: number }): string =>
  `${spec.init} init, width ${spec.width}, batch ${spec.batch}`;

/**
 * The chapter's depth sweep (§17.5): ‖δ⁽ˡ⁾‖ per layer on a log scale, one line per depth, for
 * the spec's activation. On the chapter's axis (layer 1 = closest to the input) a deeper network
 * reaches further left; `x-axis="below-output"` counts layers k down from the output instead,
 * where every depth's gradient starts, so each extra layer continues the same decay.
 *
 * @summary Gradient norms per layer for several depths.
 * @event grad-state-change - `detail.depths` when the reader edits the depth list.
 * @csspart run-status - Progress, Cancel, and run errors.
 * @tagname grad-depth-sweep
 */
export class GradDepthSweep extends RunFigure {
  static override styles = [GradFigure.styles];
  static override optionRules = [X_AXIS];
  static override properties = {
    ...GradFigure.properties,
    depthsDraft: { state: true },
    depthsError: { state: true },
  };

  /** The depth list as typed, until it is valid and committed. */
  declare depthsDraft: string;
  declare depthsError: string | null;

  private planned: FigureRuns = { runs: [], refused: [] };
  private committedDepths = '';

  constructor() {
    super();
    this.depthsDraft = '';
    this.depthsError = null;
  }

  /** The sweep's results so far, one per depth in the list's order. */
  get sweep(): SweepResult[] {
    return sweepResults(this.planned.runs, (key) => this.results.get(key));
  }

  protected override planKey(): string {
    return JSON.stringify([this.state.spec, this.state.depths]);
  }

  protected override plan(): void {
    this.planned = planDepthSweep(this.state);
    void this.ensureRuns(this.planned.runs);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const depths = this.state.depths.join(',');
    if (depths !== this.committedDepths) {
      this.committedDepths = depths;
      this.depthsDraft = depths;
      this.depthsError = null;
    }
    super.willUpdate(changed);
  }

  protected override defaultCaption(): string {
    const { spec } = this.state;
    return `‖δ⁽ˡ⁾‖ per layer, one line per depth: ${ACTIVATIONS[spec.activation].label}, ${setupText(spec)}`;
  }

  /** Checks the typed depth list; the message names the field and what is allowed. */
  private validateDepths(text: string): number[] | null {
    try {
      const depths = parseLabList('depths', text);
      this.depthsError = null;
      return [...depths];
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      this.depthsError = error.message;
      return null;
    }
  }

  private commitDepths(event: Event): void {
    event.preventDefault();
    const depths = this.validateDepths(this.depthsDraft);
    if (depths && depths.join(',') !== this.state.depths.join(',')) {
      this.changeState({ depths: depths.join(',') });
    }
  }

  protected override renderControls(ui: FigureControls): unknown {
    return html`<form class="field-form" @submit=${this.commitDepths}>
        <label
          >depths to sweep (hidden layers, comma-separated)
          <input
            type="text"
            name="depths"
            inputmode="numeric"
            autocomplete="off"
            .value=${this.depthsDraft}
            aria-invalid=${this.depthsError ? 'true' : 'false'}
            aria-describedby="depths-error"
            @input=${(event: Event) => {
              this.depthsDraft = (event.target as HTMLInputElement).value;
              this.validateDepths(this.depthsDraft);
            }}
            @change=${this.commitDepths}
        /></label>
        <button type="submit">Apply</button>
      </form>
      ${ui.segmented(
        'x axis',
        'x-axis',
        [
          { value: 'layer', label: 'layer (the chapter’s)' },
          { value: 'below-output', label: 'layers below the output' },
        ],
        this.option(X_AXIS),
        (value) => this.setAttribute('x-axis', value),
      )}
      ${ui.fieldError('depths-error', this.depthsError)}`;
  }

  protected override renderFigure(): unknown {
    const arrived = this.sweep.length > 0;
    const slots = sweepSlots(this.planned.runs, (key) => this.results.get(key));
    const belowOutput = this.option(X_AXIS) === 'below-output';
    return html`${this.planned.refused.map(
      (message) => html`<p class="error" role="alert">${message}</p>`,
    )}${this.chart({
      name: 'depth-sweep',
      exportName: 'gradient-flow-depths',
      data: arrived ? depthSweepChart(slots, this.option(X_AXIS)) : null,
      xLabel: belowOutput ? 'layers below the output, k' : 'layer l (1 = closest to the input)',
      yLabel: 'gradient norm ‖δ⁽ˡ⁾‖',
      logY: true,
    })}`;
  }
}
