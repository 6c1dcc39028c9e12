import { errorChart } from '../../grad-verify/verify-text.ts';
import { VerifyFigure } from '../verify-figure.ts';

/**
 * The verification as a chart: per layer, the largest relative error of the statistics of the
 * backend under test against cpu64, on a log axis, beside the f32 tolerance. A layer whose error
 * is exactly 0 cannot be drawn on the log axis, and a non-finite error is not drawn either: the
 * chart's note counts both. The same verification as grad-verify-table, computed once.
 *
 * @summary The largest relative error per layer against cpu64, beside the tolerance.
 * @csspart run-status - Progress, Cancel, and run errors.
 * @tagname grad-verify-errors
 */
export class GradVerifyErrors extends VerifyFigure {
  protected override defaultCaption(): string {
    return 'Largest relative error per layer against cpu64';
  }

  protected override renderFigure(): unknown {
    const report = this.verification.verification?.report;
    return this.chart({
      name: 'verify-errors',
      exportName: 'verify-errors',
      data: report ? errorChart(report) : null,
      xLabel: 'layer',
      yLabel: 'relative error',
      logY: true,
    });
  }
}
