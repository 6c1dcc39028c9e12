import { html } from 'lit';
import { attenuationChart } from '../../grad-norms/norms-data.ts';
import { ComparisonFigure } from '../comparison-figure.ts';

/**
 * Attenuation k layers below the output: the measured ‖δ⁽ᴸ⁻ᵏ⁾‖/‖δ⁽ᴸ⁾‖ of each activation, which
 * starts at 1 at k = 0, beside the chapter's bound (max|f′|)^k (§17.5). The bound counts only the
 * activation's derivative, not the weights' scale, so a measurement can lie above it.
 *
 * @summary Measured gradient attenuation against the (max|f′|)^k bound.
 * @event grad-state-change - `detail.activations` when the reader changes the compared activations.
 * @csspart run-status - Progress, Cancel, and run errors.
 * @tagname grad-attenuation
 */
export class GradAttenuation extends ComparisonFigure {
  protected override defaultCaption(): string {
    return `Attenuation k layers below the output: measured ‖δ⁽ᴸ⁻ᵏ⁾‖ / ‖δ⁽ᴸ⁾‖ against the bound (max|f′|)^k, ${this.state.spec.depth} hidden layers`;
  }

  protected override renderFigure(): unknown {
    const comparison = this.comparison;
    return html`${this.refusedNotes()}${this.chart({
      name: 'attenuation',
      exportName: 'gradient-flow-attenuation',
      data: comparison.length ? attenuationChart(this.slots) : null,
      xLabel: 'layers below the output, k',
      yLabel: '‖δ⁽ᴸ⁻ᵏ⁾‖ / ‖δ⁽ᴸ⁾‖',
      logY: true,
    })}`;
  }
}
