import { html } from 'lit';
import { ACTIVATIONS, type ActivationName } from '../../../engine/activations.ts';
import { SpecError } from '../../../engine/spec-rules.ts';
import type { ChartData, ChartSeries } from '../../grad-chart/chart-data.ts';
import { sampleActivation } from '../../grad-activations/activation-curves.ts';
import type { FigureControls } from '../../figure/figure-controls.ts';
import { choiceOption, numberOption } from '../../figure/figure-options.ts';
import { GradFigure } from '../../figure/grad-figure.ts';
import {
  ACTIVATION_STATE_READER,
  alphaFor,
  drawnActivations,
  type ActivationState,
} from '../activation-state.ts';

const SHOW = choiceOption('show', ['both', 'f', 'df'] as const, 'both');
const X_MIN = numberOption('x-min', -1000, 1000, -5);
const X_MAX = numberOption('x-max', -1000, 1000, 5);

/** Samples per curve, the chapter's grid spacing over [−5, 5]: 0.05. */
const POINTS = 201;

/**
 * f and f′ of one activation (`activation`, with `alpha` where it has one), or of several
 * overlaid (`activations`), straight from the engine's one activation table (§17.1–17.4): the
 * derivative is dashed beside its function. `show` picks f, f′ or both; `x-min` and `x-max` the
 * range (the chapter plots −5 to 5). It needs no runs and no worker.
 *
 * @summary An activation and its derivative, or several overlaid.
 * @event grad-state-change - `detail.alpha` when the reader moves the α slider.
 * @tagname grad-activation-plot
 */
export class GradActivationPlot extends GradFigure<ActivationState> {
  static override styles = [GradFigure.styles];
  static override optionRules = [SHOW, X_MIN, X_MAX];
  static override stateReader = ACTIVATION_STATE_READER;

  /** Several activations overlaid (an `activations` list), or one. */
  get overlaid(): boolean {
    return this.state.activations !== null;
  }

  /** The activations drawn. */
  get drawn(): readonly ActivationName[] {
    return drawnActivations(this.state);
  }

  private alphaOf(name: ActivationName): number {
    return alphaFor(this.state, name);
  }

  protected override optionRelationProblems(): SpecError[] {
    const min = this.option(X_MIN);
    const max = this.option(X_MAX);
    return min < max
      ? []
      : [new SpecError('x-max', `got ${max}; allowed: greater than x-min (${min})`)];
  }

  /** The range drawn: the options, or the defaults where they contradict each other. */
  private range(): [number, number] {
    const min = this.option(X_MIN);
    const max = this.option(X_MAX);
    return min < max ? [min, max] : [X_MIN.fallback, X_MAX.fallback];
  }

  protected override defaultCaption(): string {
    const show = this.option(SHOW);
    const what = show === 'f' ? 'f(x)' : show === 'df' ? 'f′(x)' : 'f(x) and f′(x)';
    const names = this.drawn.map((name) => {
      const alpha =
        ACTIVATIONS[name].defaultAlpha === undefined ? '' : `, α = ${this.alphaOf(name)}`;
      return `${ACTIVATIONS[name].label}${alpha}`;
    });
    return `${names.join(', ')}: ${what}`;
  }

  /** The curves, one or two per activation (f solid, f′ dashed), on one x grid. */
  chartData(): ChartData {
    const show = this.option(SHOW);
    const [from, to] = this.range();
    const series: ChartSeries[] = [];
    let x: ArrayLike<number> = [];
    const single = this.drawn.length === 1;
    for (const name of this.drawn) {
      const curves = sampleActivation(name, this.alphaOf(name), from, to, POINTS);
      x = curves.x;
      const label = ACTIVATIONS[name].label;
      // One hue per activation; in a single plot, f and f′ are told apart by the dash alone.
      if (show !== 'df') {
        series.push({ label: single ? 'f(x)' : label, colorKey: name, values: curves.values });
      }
      if (show !== 'f') {
        series.push({
          label: single ? 'f′(x)' : `${label} f′`,
          colorKey: name,
          values: curves.derivatives,
          dashed: show === 'both',
        });
      }
    }
    return { x, series };
  }

  protected override renderControls(ui: FigureControls): unknown {
    const alphaOwner = this.drawn.find((name) => ACTIVATIONS[name].defaultAlpha !== undefined);
    const slider = alphaOwner
      ? html`<label class="slider"
          >${ACTIVATIONS[alphaOwner].label} α
          <input
            type="range"
            name="alpha"
            min="0"
            max=${alphaOwner === 'elu' ? 2 : 0.5}
            step="0.01"
            .value=${String(this.alphaOf(alphaOwner))}
            @input=${(event: Event) =>
              this.changeState({ alpha: (event.target as HTMLInputElement).value })}
          /><output>${this.alphaOf(alphaOwner)}</output></label
        >`
      : null;
    return html`${ui.segmented(
      'show',
      'show',
      [
        { value: 'both', label: 'f and f′' },
        { value: 'f', label: 'f' },
        { value: 'df', label: 'f′' },
      ],
      this.option(SHOW),
      (value) => this.setAttribute('show', value),
    )}${slider}`;
  }

  protected override renderFigure(): unknown {
    const show = this.option(SHOW);
    return this.chart({
      name: this.overlaid ? `activations-${show}` : `activation-${this.state.activation}`,
      data: this.chartData(),
      xLabel: 'x',
      yLabel: show === 'f' ? 'f(x)' : show === 'df' ? 'f′(x)' : 'f(x), f′(x)',
    });
  }
}
