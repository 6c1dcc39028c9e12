import { SpecError } from '../../../engine/spec.ts';
import { choiceOption, type OptionRule } from '../../figure/figure-options.ts';
import {
  COMPARISON_CHOICES,
  trainedOn,
  type TrainingConfig,
} from '../../grad-training/training-compare.ts';
import { layerHeatmapChart, type LayerQuantity } from '../../grad-training/training-data.ts';
import { NETWORKS, TRAINING_OPTION_RULES, TrainingFigure } from '../training-figure.ts';

const QUANTITIES = ['update-ratio', 'grad-norm'] as const;
type Quantity = (typeof QUANTITIES)[number];

const QUANTITY = choiceOption('quantity', QUANTITIES, 'update-ratio');

const CHOICE_IDS = COMPARISON_CHOICES.map((choice) => choice.id);

/** Which network of a comparison; null (no attribute) is the first listed. */
const NETWORK: OptionRule<string | null> = {
  attribute: 'network',
  fallback: null,
  allowed: `one of ${CHOICE_IDS.join(', ')}, listed in networks`,
  parse: (raw) => (CHOICE_IDS.includes(raw.trim()) ? raw.trim() : undefined),
  format: (value) => value ?? '',
};

const QUANTITY_INFO: Record<Quantity, { readonly field: LayerQuantity; readonly title: string }> = {
  'update-ratio': { field: 'updateRatio', title: 'Update ratio ‖ΔW⁽ˡ⁾‖/‖W⁽ˡ⁾‖' },
  'grad-norm': { field: 'gradNorm', title: 'Gradient norm ‖∂L/∂W⁽ˡ⁾‖' },
};

/**
 * One quantity of a training, per layer and step: the update ratio ‖ΔW⁽ˡ⁾‖/‖W⁽ˡ⁾‖ (how fast
 * layer l learns) or the gradient norm ‖∂L/∂W⁽ˡ⁾‖, on a log colour scale. With sigmoid and
 * Xavier init the first layers update orders of magnitude more slowly than the last (§17.5). In a
 * comparison (`networks` lists several), it shows the network named by `network`, on the colour
 * scale that the quantity's heat-maps of every network share, so equal colours are equal values.
 *
 * Attributes: the run spec's; `quantity` (update-ratio | grad-norm; default update-ratio);
 * `network` (in a comparison, one of the ids in `networks`; default the first); and the
 * training's: `task` (teacher | spirals; teacher), `optimizer` (sgd | adam; sgd), `lr` (> 0 and
 * ≤ 100; 0.1 for sgd, 0.001 for adam), `steps` (1 to 5000; 200), `networks` (comma-separated
 * lab, sigmoid, relu, residual, batchnorm: the lab settings and the chapter's presets; lab).
 * Figures with the same spec and training attributes show one training. With `controls="none"`
 * on every figure of a training, it trains by itself when it comes near the viewport; `compact`
 * (the default) gives Start, Pause, Step and Reset; `full` adds the training's settings.
 *
 * @summary Per-layer update ratio or gradient norm over the training steps, as a heat-map.
 * @event grad-run-complete - Training stopped (its steps done, or paused); `detail` is the
 *   session (training-session.ts), when this figure was the one training it.
 * @event grad-state-change - `detail` holds the training attributes the reader changed (full).
 * @csspart run-status - Progress and notices, where no figure of the training has controls.
 * @cssproperty --grad-error - Colour of errors, non-finite cells and a diverged run.
 * @tagname grad-training-heatmap
 */
export class GradTrainingHeatmap extends TrainingFigure {
  static override optionRules = [
    ...TRAINING_OPTION_RULES,
    QUANTITY,
    NETWORK,
  ] as OptionRule<unknown>[];

  /** The network drawn: `network` (or the one it was merged with), else the first. */
  get network(): TrainingConfig | undefined {
    const setup = this.session?.setup;
    if (!setup) return undefined;
    const wanted = this.option(NETWORK);
    const id = setup.merged.find((m) => m.id === wanted)?.sameAs ?? wanted;
    return setup.configs.find((config) => config.id === id) ?? setup.configs[0];
  }

  protected override optionRelationProblems(): SpecError[] {
    const wanted = this.option(NETWORK);
    const listed = this.option(NETWORKS);
    if (wanted === null || listed.includes(wanted)) return [];
    return [
      new SpecError(
        'network',
        `got ${JSON.stringify(wanted)}; allowed: one of the networks listed in networks (${listed.join(', ')})`,
      ),
    ];
  }

  private get compared(): boolean {
    return (this.session?.setup.configs.length ?? 0) > 1;
  }

  protected override defaultCaption(): string {
    const info = QUANTITY_INFO[this.option(QUANTITY)];
    const config = this.network;
    if (!this.compared || !config) return `${info.title} per layer and step (log colour)`;
    const state = this.session?.networks.find((n) => n.config.id === config.id)?.state;
    const on = state ? `, trained on ${trainedOn(state)}` : '';
    return `${info.title} of ${config.label} (shared log colour)${on}`;
  }

  protected override renderFigure(): unknown {
    const quantity = this.option(QUANTITY);
    const { field } = QUANTITY_INFO[quantity];
    const config = this.network;
    const compared = this.compared;
    const data = this.cached([quantity, config?.id], () => {
      const session = this.session;
      const records = session?.networks.find((n) => n.config.id === config?.id)?.records ?? [];
      if (!session || records.length === 0) return null;
      const range = compared ? session.colorRange(field) : null;
      return layerHeatmapChart(records, field, range ?? undefined);
    });
    return this.chart({
      name: quantity,
      exportName: compared ? `training-${quantity}-${config?.id}` : `training-${quantity}`,
      data,
      xLabel: 'step',
      yLabel: 'layer (1 = input side)',
    });
  }
}
