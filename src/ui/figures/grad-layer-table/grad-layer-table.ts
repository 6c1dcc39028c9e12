import { html } from 'lit';
import { ACTIVATIONS } from '../../../engine/activations.ts';
import { layerRecords } from '../../../engine/results.ts';
import { formatLayerValue } from '../../grad-run/run-data.ts';
import { SingleRunFigure } from '../single-run-figure.ts';

const cell = (value: number | null) =>
  html`<td class=${value === null ? 'nonfinite' : ''}>${formatLayerValue(value)}</td>`;

/**
 * Every per-layer statistic of one run of the spec, input side first and the output layer last:
 * ‖δ⁽ˡ⁾‖, ‖∂L/∂W⁽ˡ⁾‖, the mean and std of the activations, and the dead and saturated
 * fractions; non-finite values are shown as such. A parent that made the run hands it down as
 * `.result` (grad-run).
 *
 * @summary One run's per-layer statistics, as a table.
 * @event grad-figure-cancel - The reader cancelled the run; a section stops its other figures'.
 * @event grad-figure-rerun - The reader pressed Run; a section has its other figures run too.
 * @csspart table - The table.
 * @csspart run-status - Progress, Cancel, Run, and run errors.
 * @tagname grad-layer-table
 */
export class GradLayerTable extends SingleRunFigure {
  static override shape = 'table' as const;
  protected override defaultCaption(): string {
    const spec = this.shownSpec;
    return `Per-layer statistics: ${ACTIVATIONS[spec.activation].label}, ${spec.init} init, ${spec.depth} hidden layers × ${spec.width}, batch ${spec.batch}`;
  }

  protected override renderFigure(): unknown {
    const result = this.result;
    return this.tableFrame(
      html`${this.refusedNote()}
        <div
          class="table-wrap"
          tabindex="0"
          role="region"
          aria-label=${`${this.caption} (table; scrolls sideways on narrow screens)`}
        >
          <table part="table" aria-label="per-layer statistics" data-table="layers">
            <caption>
              ${this.caption}
            </caption>
            <thead>
              <tr>
                <th scope="col">layer</th>
                <th scope="col">‖δ‖</th>
                <th scope="col">‖∂L/∂W‖</th>
                <th scope="col">mean a</th>
                <th scope="col">std a</th>
                <th scope="col">dead</th>
                <th scope="col">saturated</th>
              </tr>
            </thead>
            <tbody>
              ${(result ? layerRecords(result.stats) : []).map(
                (r) =>
                  html`<tr>
                    <td>${r.layer}</td>
                    ${cell(r.gradNorm)}${cell(r.weightGradNorm)}${cell(r.activationMean)}${cell(r.activationStd)}${cell(r.deadFraction)}${cell(r.saturatedFraction)}
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`,
    );
  }
}
