import { variantsChart } from '../../grad-notebook/notebook-figures.ts';
import { NotebookFigure } from '../notebook-figure.ts';

/**
 * The chapter's ten-layer ReLU run as ordinary lab runs, its flaws fixed one at a time: the
 * chapter's own settings, a linear output unit, He init, both, and both with a batch of 32.
 * ‖δ⁽ˡ⁾‖ per layer, one line per change; runs that are exactly zero cannot be drawn on the log
 * axis, and the chart's note counts them.
 *
 * @summary The ten-layer ReLU run, one fix at a time.
 * @csspart run-status - Progress, Cancel, and run errors.
 * @tagname grad-notebook-variants
 */
export class GradNotebookVariants extends NotebookFigure {
  protected override defaultCaption(): string {
    return 'Ten hidden ReLU layers: ‖δ⁽ˡ⁾‖ per layer, one change at a time';
  }

  protected override renderFigure(): unknown {
    const variants = this.notebook.variants;
    return this.chart({
      name: 'variants',
      exportName: 'notebook-what-changes',
      data: variants.length ? variantsChart(variants) : null,
      xLabel: 'layer (1 = closest to input)',
      yLabel: 'gradient norm ‖δ⁽ˡ⁾‖',
      logY: true,
    });
  }
}
