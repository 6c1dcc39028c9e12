import { tenLayerChart } from '../../grad-notebook/notebook-figures.ts';
import { NotebookFigure } from '../notebook-figure.ts';

/**
 * The chapter's bar chart (§17.5), reproduced with its exact numbers: ‖δ⁽ˡ⁾‖ per layer of ten
 * hidden layers of width 15, 8 inputs, one sample, numpy reseeded with 42 for each activation,
 * sigmoid beside ReLU. The ReLU run is exactly zero at every layer (its output unit is inactive
 * for that seed), which a log axis cannot draw: the chart's note counts the zeros.
 *
 * @summary The chapter's ten-layer sigmoid vs ReLU bars, reproduced.
 * @csspart run-status - Progress, Cancel, and run errors.
 * @tagname grad-notebook-ten-layer
 */
export class GradNotebookTenLayer extends NotebookFigure {
  protected override defaultCaption(): string {
    return '‖δ⁽ˡ⁾‖ per layer, ten hidden layers, sigmoid and ReLU (the chapter’s figure 2)';
  }

  protected override renderFigure(): unknown {
    const report = this.notebook.report;
    return this.chart({
      name: 'ten-layer',
      exportName: 'notebook-ten-layer',
      kind: 'bars',
      data: report ? tenLayerChart(report) : null,
      xLabel: 'layer (1 = closest to input)',
      yLabel: 'gradient norm ‖δ⁽ˡ⁾‖',
      logY: true,
    });
  }
}
