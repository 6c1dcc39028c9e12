import { html } from 'lit';
import { INITS } from '../../../engine/inits.ts';
import {
  formatFraction,
  formatStatistic,
  initLayerRows,
} from '../../grad-init-explorer/explorer-data.ts';
import { InitRunFigure } from '../init-run-figure.ts';

/** A cell that marks a non-finite statistic. */
const cell = (text: string) =>
  html`<td class=${text === 'non-finite' ? 'nonfinite' : ''}>${text}</td>`;

/**
 * One init's activation statistics (the spec's `init`), every hidden layer: the mean, std,
 * smallest and largest activation, the dead and saturated fractions, and how many activations
 * were non-finite. The same run as grad-init-histograms.
 *
 * @summary Per-layer activation statistics of one initialization, as a table.
 * @event grad-state-change - `detail.depth` or `detail.init` from the compact controls.
 * @csspart table - The table.
 * @csspart run-status - Progress, Cancel, Run, and run errors.
 * @tagname grad-init-layer-table
 */
export class GradInitLayerTable extends InitRunFigure {
  static override shape = 'table' as const;
  protected override defaultCaption(): string {
    return `${INITS[this.init].label}: activation statistics per hidden layer`;
  }

  protected override renderFigure(): unknown {
    const run = this.initRun;
    return this.tableFrame(
      html`${this.refusedNote()}
        <div
          class="table-wrap"
          tabindex="0"
          role="region"
          aria-label=${`${this.caption} (table; scrolls sideways on narrow screens)`}
        >
          <table part="table" data-table="init-layers" data-init=${this.init}>
            <caption>
              ${this.caption}
            </caption>
            <thead>
              <tr>
                <th scope="col">layer</th>
                <th scope="col">mean</th>
                <th scope="col">std</th>
                <th scope="col">min</th>
                <th scope="col">max</th>
                <th scope="col">dead</th>
                <th scope="col">saturated</th>
                <th scope="col">non-finite</th>
              </tr>
            </thead>
            <tbody>
              ${(run ? initLayerRows(run) : []).map(
                (row) =>
                  html`<tr>
                    <td>${row.layer}</td>
                    ${cell(formatStatistic(row.mean))} ${cell(formatStatistic(row.std))}
                    ${cell(formatStatistic(row.min))} ${cell(formatStatistic(row.max))}
                    ${cell(formatFraction(row.deadFraction))}
                    ${cell(formatFraction(row.saturatedFraction))}
                    <td class=${row.nonFinite > 0 ? 'nonfinite' : ''}>${row.nonFinite}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`,
    );
  }
}
