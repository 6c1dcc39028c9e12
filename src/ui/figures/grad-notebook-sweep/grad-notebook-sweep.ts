import { html } from 'lit';
import { ACTIVATIONS } from '../../../engine/activations.ts';
import { NOTEBOOK_ACTIVATIONS } from '../../../engine/notebook.ts';
import type { FigureControls } from '../../figure/figure-controls.ts';
import { choiceOption } from '../../figure/figure-options.ts';
import { depthSweepChart } from '../../grad-notebook/notebook-figures.ts';
import { NotebookFigure } from '../notebook-figure.ts';

const ACTIVATION = choiceOption('activation', NOTEBOOK_ACTIVATIONS, 'sigmoid');

/**
 * The chapter's first figure (§17.5), reproduced with its exact numbers: ‖δ⁽ˡ⁾‖ at each layer
 * (1 = input side) of networks with 3, 5, 10 and 20 hidden layers of width 20 and 10 inputs, all
 * drawn from one numpy stream seeded 42, Xavier init, one sample, for one activation (`activation`:
 * the chapter's sigmoid or ReLU panel). Computed in f64 in the CPU worker, once per page for every
 * notebook figure.
 *
 * @summary The chapter's depth sweep for sigmoid or ReLU, reproduced.
 * @csspart run-status - Progress, Cancel, and run errors.
 * @tagname grad-notebook-sweep
 */
export class GradNotebookSweep extends NotebookFigure {
  static override optionRules = [ACTIVATION];

  protected override defaultCaption(): string {
    return `${ACTIVATIONS[this.option(ACTIVATION)].label}: ‖δ⁽ˡ⁾‖ per layer, by depth (the chapter’s figure 1)`;
  }

  protected override renderControls(ui: FigureControls): unknown {
    return html`${ui.segmented(
      'activation',
      'activation',
      NOTEBOOK_ACTIVATIONS.map((value) => ({ value, label: ACTIVATIONS[value].label })),
      this.option(ACTIVATION),
      (value) => this.setAttribute('activation', value),
    )}${super.renderControls()}`;
  }

  protected override renderFigure(): unknown {
    const activation = this.option(ACTIVATION);
    const report = this.notebook.report;
    return this.chart({
      name: `depth-sweep-${activation}`,
      exportName: `notebook-depth-sweep-${activation}`,
      data: report ? depthSweepChart(report, activation) : null,
      xLabel: 'layer (from input to output)',
      yLabel: 'gradient norm ‖δ⁽ˡ⁾‖',
      logY: true,
    });
  }
}
