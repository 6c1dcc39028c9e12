import { html, nothing } from 'lit';
import { ACTIVATIONS } from '../../../engine/activations.ts';
import { INITS } from '../../../engine/inits.ts';
import {
  distributionChartData,
  formatLayerList,
  nonFiniteLayers,
} from '../../grad-init-explorer/explorer-data.ts';
import { InitRunFigure } from '../init-run-figure.ts';

/**
 * Exercise 17.5 for one init (the spec's `init`): the distribution of the activations a⁽ˡ⁾ in
 * every hidden layer, as a heat-map of the engine's per-layer histograms (each column shaded by
 * its own largest bin), with the mean and mean ± std drawn over it. Activations that overflowed
 * (NaN or ±∞) are not in any bin: the figure counts them and names their layers.
 *
 * @summary Per-layer activation histograms with mean ± std, for one initialization.
 * @event grad-state-change - `detail.depth` or `detail.init` (with `sigma-w` and `gain` back to
 *   their defaults where the new init has none) from the compact controls.
 * @csspart run-status - Progress, Cancel, Run, and run errors.
 * @tagname grad-init-histograms
 */
export class GradInitHistograms extends InitRunFigure {
  protected override defaultCaption(): string {
    const { spec } = this.state;
    return `${INITS[this.init].label}: ${ACTIVATIONS[spec.activation].label}, ${spec.depth} hidden layers`;
  }

  /** Says how many activations overflowed, and where: they are in no bin. */
  private nonFiniteNote(): unknown {
    const run = this.initRun;
    if (!run) return nothing;
    const { layers, count } = nonFiniteLayers(run);
    if (count === 0) return nothing;
    return html`<p class="error" role="note" data-testid="non-finite">
      ${count} activation${count === 1 ? ' was' : 's were'} non-finite (NaN or ±∞, overflow) in
      layer${layers.length === 1 ? '' : 's'} ${formatLayerList(layers)}; the histograms hold the
      finite ones only.
    </p>`;
  }

  protected override renderFigure(): unknown {
    const { spec } = this.state;
    const run = this.initRun;
    return html`${this.refusedNote()}${this.chart({
      name: 'init-histograms',
      exportName: `init-explorer-${this.init}-${spec.activation}-depth${spec.depth}`,
      data: run ? distributionChartData(run) : null,
      xLabel: 'hidden layer',
      yLabel: 'activation a⁽ˡ⁾',
    })}${this.nonFiniteNote()}`;
  }
}
