import { html } from 'lit';
import { INIT_NAMES } from '../../../engine/inits.ts';
import type { FigureControls } from '../../figure/figure-controls.ts';
import { choiceOption } from '../../figure/figure-options.ts';
import { ComparisonFigure } from '../comparison-figure.ts';
import { groupRunStatus } from '../figure-group.ts';
import { setupText } from '../grad-depth-sweep/grad-depth-sweep.ts';
import {
  COMPARE_BY,
  LAYER_STATS,
  layerStatsChart,
  planLayerStats,
  STAT_INFO,
  type CompareBy,
  type LabelledRun,
} from './layer-stats-data.ts';
import { ACTIVATIONS } from '../../../engine/activations.ts';

const STAT = choiceOption('stat', LAYER_STATS, 'std');
const COMPARE = choiceOption('compare', COMPARE_BY, 'activations');

/**
 * One per-layer statistic of a network at the spec's depth, one line per init (Exercise 17.5's
 * comparison of normal, Xavier and He) or per activation: the std or mean of the activations
 * a⁽ˡ⁾, the fraction of dead or saturated units, or the weight-gradient norms ‖∂L/∂W⁽ˡ⁾‖.
 * It compares inits when `compare="inits"`, or when only an `inits` attribute is given.
 *
 * @summary One per-layer statistic for several inits or activations.
 * @event grad-state-change - `detail.activations` or `detail.inits` from the compact controls.
 * @event grad-figure-cancel - The reader cancelled the runs; a section stops its other figures'.
 * @event grad-figure-rerun - The reader pressed Run; a section has its other figures run too.
 * @csspart run-status - Progress, Cancel, Run, and run errors.
 * @tagname grad-layer-stats
 */
export class GradLayerStats extends ComparisonFigure {
  static override optionRules = [STAT, COMPARE];

  private labelled: LabelledRun[] = [];

  /** Whether the lines are inits or activations. */
  get compareBy(): CompareBy {
    if (this.hasAttribute('compare')) return this.option(COMPARE);
    return this.hasAttribute('inits') && !this.hasAttribute('activations')
      ? 'inits'
      : 'activations';
  }

  protected override planKey(): string {
    const list = this.compareBy === 'inits' ? this.state.inits : this.state.activations;
    return JSON.stringify([this.state.spec, this.compareBy, list]);
  }

  protected override plan(): void {
    const { runs, refused } = planLayerStats(this.state, this.compareBy);
    this.labelled = runs;
    this.planned = { runs: [], refused };
    void this.ensureRuns(runs);
  }

  protected override runStatus(): unknown {
    return groupRunStatus(this, this.runs);
  }

  protected override defaultCaption(): string {
    const { spec } = this.state;
    const info = STAT_INFO[this.option(STAT)];
    // Comparing inits, the spec's own init is not one of the lines: leave it out of the setup.
    const [across, setup] =
      this.compareBy === 'inits'
        ? [
            `every init, ${ACTIVATIONS[spec.activation].label}`,
            `width ${spec.width}, batch ${spec.batch}`,
          ]
        : ['by activation', setupText(spec)];
    return `${info.label} per layer, ${across}, ${spec.depth} hidden layers, ${setup}`;
  }

  protected override renderControls(ui: FigureControls): unknown {
    const stat = ui.segmented(
      'statistic',
      'stat',
      LAYER_STATS.map((value) => ({ value, label: value })),
      this.option(STAT),
      (value) => this.setAttribute('stat', value),
    );
    if (this.compareBy === 'activations') return html`${this.activationControls(ui)}${stat}`;
    return html`<fieldset class="chips" data-control="inits">
        <legend>inits to compare</legend>
        <div class="chip-row">
          ${INIT_NAMES.map(
            (init) =>
              html`<label class="chip"
                ><input
                  type="checkbox"
                  name="inits"
                  value=${init}
                  .checked=${this.state.inits.includes(init)}
                  @change=${(event: Event) => {
                    const box = event.target as HTMLInputElement;
                    const next = box.checked
                      ? [...this.state.inits.filter((i) => i !== init), init]
                      : this.state.inits.filter((i) => i !== init);
                    if (next.length === 0) box.checked = true;
                    else this.changeState({ inits: next.join(',') });
                  }}
                /><span>${init}</span></label
              >`,
          )}
        </div>
      </fieldset>
      ${stat}`;
  }

  protected override renderFigure(): unknown {
    const stat = this.option(STAT);
    const info = STAT_INFO[stat];
    const slots = this.labelled.map((run) => ({
      label: run.label,
      colorKey: run.colorKey,
      stats: this.results.get(run.key)?.stats,
      depth: run.spec.depth,
    }));
    const arrived = slots.some((slot) => slot.stats);
    return html`${this.refusedNotes()}${this.chart({
      name: `layer-stats-${stat}`,
      exportName: `layer-stats-${stat}-by-${this.compareBy}`,
      data: arrived ? layerStatsChart(slots, stat) : null,
      xLabel: info.hiddenOnly ? 'hidden layer l' : 'layer l (1 = closest to the input)',
      yLabel: info.axis,
      logY: info.log,
      ...(info.fraction ? { yMin: 0, yMax: 1 } : {}),
    })}`;
  }
}
