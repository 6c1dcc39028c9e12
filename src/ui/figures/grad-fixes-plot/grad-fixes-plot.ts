import { html } from 'lit';
import { ACTIVATIONS } from '../../../engine/activations.ts';
import type { FigureControls } from '../../figure/figure-controls.ts';
import { choiceOption } from '../../figure/figure-options.ts';
import { GradFigure } from '../../figure/grad-figure.ts';
import {
  FIX_STAT_INFO,
  FIX_STATS,
  fixesChart,
  fixVariants,
  type FixId,
} from '../../grad-fixes/fix-variants.ts';
import { FIXES, FixesFigure } from '../fixes-figure.ts';

const STAT = choiceOption('stat', FIX_STATS, 'grad');

/**
 * The chapter's fixes for vanishing gradients (§17.6) on one chart: a per-layer statistic
 * (`stat`: the gradient norm ‖δ⁽ˡ⁾‖, the activation std, or the dead or saturated fraction) of
 * the network with no fixes (residual connections off, no batch normalization, the hidden
 * activation on the output unit too, as in the chapter), with each fix alone, and with the
 * settings' own combination when it is more than one fix. `fixes` lists the variants to draw.
 *
 * @summary Residual connections, batch norm and the output unit, compared layer by layer.
 * @event grad-figure-cancel - The reader cancelled the runs; a section stops its other figures'.
 * @event grad-figure-rerun - The reader pressed Run; a section has its other figures run too.
 * @csspart run-status - Progress, Cancel, Run, and run errors.
 * @tagname grad-fixes-plot
 */
export class GradFixesPlot extends FixesFigure {
  static override styles = [GradFigure.styles];
  static override optionRules = [...FixesFigure.optionRules, STAT];

  protected override defaultCaption(): string {
    const { spec } = this.state;
    const info = FIX_STAT_INFO[this.option(STAT)];
    return `${info.title}, with and without the fixes: ${ACTIVATIONS[spec.activation].label}, ${spec.init} init, ${spec.depth} hidden layers`;
  }

  private toggleFix(id: FixId, event: Event): void {
    const box = event.target as HTMLInputElement;
    const listed = this.option(FIXES);
    const next = box.checked
      ? [...listed.filter((f) => f !== id), id]
      : listed.filter((f) => f !== id);
    // At least one variant stays.
    if (next.length === 0) {
      box.checked = true;
      return;
    }
    this.setAttribute('fixes', next.join(','));
  }

  protected override renderControls(ui: FigureControls): unknown {
    const listed = this.option(FIXES);
    return html`${ui.segmented(
        'statistic',
        'stat',
        FIX_STATS.map((value) => ({ value, label: value })),
        this.option(STAT),
        (value) => this.setAttribute('stat', value),
      )}
      <fieldset class="chips" data-control="fixes">
        <legend>networks</legend>
        <div class="chip-row">
          ${fixVariants(this.state.spec).map(
            (variant) =>
              html`<label class="chip"
                ><input
                  type="checkbox"
                  name="fixes"
                  value=${variant.id}
                  .checked=${listed.includes(variant.id)}
                  @change=${(event: Event) => this.toggleFix(variant.id, event)}
                /><span>${variant.label}</span></label
              >`,
          )}
        </div>
      </fieldset>`;
  }

  protected override renderFigure(): unknown {
    const stat = this.option(STAT);
    const info = FIX_STAT_INFO[stat];
    const runs = this.fixRuns;
    return html`${this.problemNotes()}${this.chart({
      name: `fixes-${stat}`,
      exportName: `fixes-${info.quantity}`,
      data: runs.length ? fixesChart(runs, info.quantity) : null,
      xLabel: 'layer (1 = input side)',
      yLabel: info.yLabel,
      logY: info.logY,
      ...(info.logY ? {} : { yMin: 0, yMax: 1 }),
    })}`;
  }
}
