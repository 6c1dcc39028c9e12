import { html } from 'lit';
import type { FigureControls } from '../../figure/figure-controls.ts';
import { choiceOption } from '../../figure/figure-options.ts';
import { comparisonChart, PAIRINGS, type Pairing } from '../../grad-norms/norms-data.ts';
import { ComparisonFigure } from '../comparison-figure.ts';
import { setupText } from '../grad-depth-sweep/grad-depth-sweep.ts';

const KIND = choiceOption('kind', ['lines', 'bars'] as const, 'lines');
const PAIRING = choiceOption('pairing', PAIRINGS, 'shared');

/**
 * ‖δ⁽ˡ⁾‖ per layer for several activations at one depth, on a log scale: as lines, or as the
 * chapter's 10-layer bar chart (`kind="bars"`, §17.5). Every activation runs with the same spec
 * (init, width, batch, seed), a batch rather than the chapter's single sample; with
 * `pairing="recommended"` each runs with the init made for it instead (sigmoid with Xavier, ReLU
 * with He), the chapter's comparison done as its fixes advise.
 *
 * @summary Gradient norms per layer across activations, as lines or the chapter's bars.
 * @event grad-state-change - `detail.activations` when the reader changes the compared activations.
 * @csspart run-status - Progress, Cancel, and run errors.
 * @tagname grad-activation-compare
 */
export class GradActivationCompare extends ComparisonFigure {
  static override optionRules = [KIND, PAIRING];

  protected override pairing(): Pairing {
    return this.option(PAIRING);
  }

  protected override defaultCaption(): string {
    const { spec } = this.state;
    return this.option(KIND) === 'bars'
      ? `Gradient magnitude across ${spec.depth} hidden layers (the chapter's bar chart)`
      : this.option(PAIRING) === 'recommended'
        ? `‖δ⁽ˡ⁾‖ per layer, each activation with its own init, ${spec.depth} hidden layers`
        : `‖δ⁽ˡ⁾‖ per layer by activation, ${spec.depth} hidden layers, ${setupText(spec)}`;
  }

  protected override renderControls(ui: FigureControls): unknown {
    return html`${this.activationControls(ui)}
    ${ui.segmented(
      'draw as',
      'kind',
      [
        { value: 'lines', label: 'lines' },
        { value: 'bars', label: 'bars (the chapter’s)' },
      ],
      this.option(KIND),
      (value) => this.setAttribute('kind', value),
    )}`;
  }

  protected override renderFigure(): unknown {
    const comparison = this.comparison;
    const bars = this.option(KIND) === 'bars';
    return html`${this.refusedNotes()}${this.chart({
      name: bars ? 'activation-bars' : 'activation-grad-norms',
      exportName: bars ? 'gradient-flow-bars' : 'gradient-flow-activations',
      data: comparison.length ? comparisonChart(this.slots, 'gradNorm') : null,
      xLabel: 'layer l (1 = closest to the input)',
      yLabel: 'gradient norm ‖δ⁽ˡ⁾‖',
      logY: true,
      kind: bars ? 'bars' : 'line',
    })}`;
  }
}
