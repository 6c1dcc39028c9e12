import { html } from 'lit';
import { ACTIVATIONS } from '../../../engine/activations.ts';
import type { FigureControls } from '../../figure/figure-controls.ts';
import { choiceOption } from '../../figure/figure-options.ts';
import { GradFigure } from '../../figure/grad-figure.ts';
import { STAT_INFO } from '../grad-layer-stats/layer-stats-data.ts';
import { LAYER_PLOT_STATS, layerPlotAxes, layerPlotChart } from '../../grad-run/run-data.ts';
import { SingleRunFigure } from '../single-run-figure.ts';

const STAT = choiceOption('stat', LAYER_PLOT_STATS, 'gradients');

/**
 * One run of the spec, layer by layer, input side first: by default its gradient norms ‖δ⁽ˡ⁾‖
 * and weight-gradient norms ‖∂L/∂W⁽ˡ⁾‖ on one log axis (`stat="gradients"`), or one statistic
 * alone (`grad`, `weight-grad`, or of the hidden layers' activations: `std`, `mean`, `dead`,
 * `saturated`). A parent that made the run hands it down as `.result` (grad-run).
 *
 * @summary One run's per-layer gradient norms, or another per-layer statistic.
 * @event grad-figure-cancel - The reader cancelled the run; a section stops its other figures'.
 * @event grad-figure-rerun - The reader pressed Run; a section has its other figures run too.
 * @csspart run-status - Progress, Cancel, Run, and run errors.
 * @tagname grad-layer-plot
 */
export class GradLayerPlot extends SingleRunFigure {
  static override styles = [GradFigure.styles];
  static override optionRules = [STAT];

  protected override defaultCaption(): string {
    const spec = this.shownSpec;
    const stat = this.option(STAT);
    const what = stat === 'gradients' ? 'Gradient norms' : STAT_INFO[stat].label;
    return `${what} per layer (input side first): ${ACTIVATIONS[spec.activation].label}, ${spec.init} init, ${spec.depth} hidden layers`;
  }

  protected override renderControls(ui: FigureControls): unknown {
    return ui.segmented(
      'statistic',
      'stat',
      LAYER_PLOT_STATS.map((value) => ({ value, label: value })),
      this.option(STAT),
      (value) => this.setAttribute('stat', value),
    );
  }

  protected override renderFigure(): unknown {
    const stat = this.option(STAT);
    const axes = layerPlotAxes(stat);
    const result = this.result;
    return html`${this.refusedNote()}${this.chart({
      name: `layer-plot-${stat}`,
      exportName: stat === 'gradients' ? 'gradient-norms' : `layer-${stat}`,
      data: result ? layerPlotChart(result.stats, result.spec.depth, stat) : null,
      xLabel: axes.xLabel,
      yLabel: axes.yLabel,
      logY: axes.logY,
      ...(axes.fraction ? { yMin: 0, yMax: 1 } : {}),
    })}`;
  }
}
