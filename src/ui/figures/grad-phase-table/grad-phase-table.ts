import { html, nothing } from 'lit';
import { formatNumber } from '../../grad-theory/theory-data.ts';
import { PHASE_TABLE } from '../../grad-theory/theory-options.ts';
import { PhaseSweepFigure } from '../phase-sweep-figure.ts';

/**
 * The phase diagram's numbers, as a table. `table="points"`: every grid point measured so far,
 * its measured and predicted log₁₀(‖δ⁽¹⁾‖/‖δ⁽ᴸ⁾‖), χ₁ and phase (engine sweep.ts's points,
 * non-finite ones in the error colour). `table="critical-line"`: the χ₁ = 1 line the other way
 * round from the diagram, the critical σ_w² for each σ_b² row (engine criticalLine, searched from
 * half the smallest to twice the largest σ_w²), which also shows a vertical line. Same grid
 * attributes as grad-phase-diagram; a table and a diagram of the same grid share one sweep.
 *
 * @summary The phase diagram's grid points, or its χ₁ = 1 line, as a table.
 * @event grad-options-change - `detail` holds the grid's attributes when the reader runs a grid.
 * @csspart table - The table.
 * @csspart run-status - Progress, Cancel, and run errors.
 * @tagname grad-phase-table
 */
export class GradPhaseTable extends PhaseSweepFigure {
  static override shape = 'table' as const;
  static override optionRules = [...PhaseSweepFigure.optionRules, PHASE_TABLE];

  protected override measures(): boolean {
    return this.option(PHASE_TABLE) === 'points';
  }

  protected override defaultCaption(): string {
    return this.measures()
      ? 'Measured and predicted log₁₀(‖δ⁽¹⁾‖/‖δ⁽ᴸ⁾‖) per grid point, with χ₁ and the phase'
      : 'χ₁ = 1: critical σ_w² per σ_b² row';
  }

  private renderPoints(): unknown {
    const points = this.entry?.points ?? [];
    return html`<table part="table" data-table="phase-points">
      <caption>
        ${this.caption}
      </caption>
      <thead>
        <tr>
          <th scope="col">σ_w²</th>
          <th scope="col">σ_b²</th>
          <th scope="col">measured</th>
          <th scope="col">predicted</th>
          <th scope="col">χ₁</th>
          <th scope="col">phase</th>
        </tr>
      </thead>
      <tbody>
        ${points.map((p) =>
          p
            ? html`<tr>
                <td>${formatNumber(p.sigmaW2)}</td>
                <td>${formatNumber(p.sigmaB2)}</td>
                <td class=${Number.isFinite(p.measuredLog10Ratio) ? '' : 'nonfinite'}>
                  ${formatNumber(p.measuredLog10Ratio)}
                </td>
                <td>${formatNumber(p.predictedLog10Ratio)}</td>
                <td>${formatNumber(p.chi1)}</td>
                <td>${p.phase}</td>
              </tr>`
            : nothing,
        )}
      </tbody>
    </table>`;
  }

  private renderCriticalLine(): unknown {
    const rows = this.entry?.critical.curve?.rows ?? [];
    return html`<table part="table" data-table="critical-line">
      <caption>
        ${this.caption}
      </caption>
      <thead>
        <tr>
          <th scope="col">σ_b²</th>
          <th scope="col">critical σ_w²</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (row) =>
            html`<tr>
              <td>${formatNumber(row.sigmaB2)}</td>
              <td>${row.sigmaW2 === null ? 'none in range' : formatNumber(row.sigmaW2)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  }

  protected override renderFigure(): unknown {
    return this.tableFrame(
      html`<div
        class="table-wrap"
        tabindex="0"
        role="region"
        aria-label=${`${this.caption} (table; scrolls sideways on narrow screens)`}
      >
        ${this.measures() ? this.renderPoints() : this.renderCriticalLine()}
      </div>`,
    );
  }
}
