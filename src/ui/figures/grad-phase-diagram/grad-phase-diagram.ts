import { activationName, heatmapColumns, phaseChart } from '../../grad-theory/theory-data.ts';
import { PhaseSweepFigure } from '../phase-sweep-figure.ts';

/**
 * The order-to-chaos phase diagram (Poole et al. 2016, fig. 2; Schoenholz et al. 2017, fig. 1):
 * one run per point of a (σ_w², σ_b²) grid, a plain network with init custom, W ~ N(0, σ_w²/n)
 * and b ~ N(0, σ_b²), with the spec's activation, seed and backend, at `sweep-depth` and
 * `sweep-width`; each cell is the measured log₁₀(‖δ⁽¹⁾‖/‖δ⁽ᴸ⁾‖) on a diverging scale (negative:
 * gradients vanish toward the input, the ordered phase; positive: they explode, chaos), under the
 * theoretical χ₁ = 1 line. Drawn once every point is measured. The sweep is long: it waits while
 * the figure is far from the viewport and resumes when it returns. With `start="button"` it runs
 * when the reader presses Run sweep (controls compact or full).
 *
 * @summary The (σ_w², σ_b²) phase diagram from a grid of runs, with the χ₁ = 1 line.
 * @event grad-options-change - `detail` holds the grid's attributes when the reader runs a grid.
 * @csspart run-status - Progress, Cancel, and run errors.
 * @tagname grad-phase-diagram
 */
export class GradPhaseDiagram extends PhaseSweepFigure {
  /** The heat-map's values as drawn: one array per σ_w², σ_b² from the lowest up; null until done. */
  get phaseValues(): number[][] | null {
    const entry = this.entry;
    if (!entry?.complete) return null;
    return heatmapColumns(entry.grid, entry.points).map((column) => Array.from(column.values));
  }

  protected override defaultCaption(): string {
    const network = this.entry?.options.spec ?? this.state.spec;
    const name = activationName(network.activation, network.alpha);
    return `Phase diagram of ${name}, depth ${network.depth}, width ${network.width}: measured log₁₀(‖δ⁽¹⁾‖/‖δ⁽ᴸ⁾‖) and the χ₁ = 1 line`;
  }

  protected override renderFigure(): unknown {
    const entry = this.entry;
    return this.chart({
      name: 'phase-diagram',
      exportName: 'theory-phase-diagram',
      data: entry?.complete ? phaseChart(entry.grid, entry.points, entry.critical.curve) : null,
      xLabel: 'σ_w²',
      yLabel: 'σ_b²',
    });
  }
}
