import { comparisonLossChart } from '../../grad-training/training-compare.ts';
import { lossChart } from '../../grad-training/training-data.ts';
import { TrainingFigure } from '../training-figure.ts';

/**
 * The minibatch loss ½‖a⁽ᴸ⁾ − y‖² (averaged over the batch) at every step of a training, on a log
 * axis; in a comparison (`networks` lists several), one curve per network, all trained in
 * lockstep on one training set with one optimizer. A network that diverged stops where it did.
 *
 * Attributes: the run spec's, and the training's: `task` (teacher | spirals; default teacher),
 * `optimizer` (sgd | adam; sgd), `lr` (> 0 and ≤ 100; 0.1 for sgd, 0.001 for adam), `steps` (1
 * to 5000; 200), `networks` (comma-separated lab, sigmoid, relu, residual, batchnorm: the lab
 * settings and the chapter's presets; lab). Figures with the same spec and training attributes
 * show one training. With `controls="none"` on every figure of a training, it trains by itself
 * when it comes near the viewport; `compact` (the default) gives Start, Pause, Step and Reset;
 * `full` adds the training's settings.
 *
 * @summary The loss curve of a training, one curve per network compared.
 * @event grad-run-complete - Training stopped (its steps done, or paused); `detail` is the
 *   session (training-session.ts), when this figure was the one training it.
 * @event grad-state-change - `detail` holds the training attributes the reader changed (full).
 * @csspart run-status - Progress and notices, where no figure of the training has controls.
 * @cssproperty --grad-error - Colour of errors and of a diverged run.
 * @tagname grad-training-loss
 */
export class GradTrainingLoss extends TrainingFigure {
  private get compared(): boolean {
    return (this.session?.setup.configs.length ?? 0) > 1;
  }

  protected override defaultCaption(): string {
    return this.compared ? 'Minibatch loss of each network' : 'Minibatch loss';
  }

  protected override renderFigure(): unknown {
    const compared = this.compared;
    const data = this.cached([compared], () => {
      const networks = this.session?.networks ?? [];
      if (!networks.some((n) => n.records.length)) return null;
      return compared
        ? comparisonLossChart(networks.map((n) => ({ label: n.config.label, records: n.records })))
        : lossChart(networks[0]!.records);
    });
    return this.chart({
      name: 'loss',
      exportName: compared ? 'training-compare-loss' : 'training-loss',
      data,
      xLabel: 'step',
      yLabel: 'loss',
      logY: true,
    });
  }
}
