import { css, html } from 'lit';
import {
  attenuationTableData,
  formatFactor,
  formatScientific,
} from '../../grad-norms/norms-data.ts';
import { ComparisonFigure } from '../comparison-figure.ts';

/**
 * The chapter's attenuation table (§17.5) for k = 1…20 layers: each activation's bound
 * (max|f′|)^k, in the chapter's two notations, beside the measured ‖δ⁽ᴸ⁻ᵏ⁾‖ / ‖δ⁽ᴸ⁾‖ of a network
 * of the spec's depth. Rows the chapter lists for sigmoid are highlighted; a measurement above
 * its bound (the weights amplify) is in italics; k beyond the network's depth shows "—".
 *
 * @summary The attenuation table: the (max|f′|)^k bound beside the measurement.
 * @event grad-state-change - `detail.activations` when the reader changes the compared activations.
 * @csspart table - The table.
 * @cssproperty --grad-highlight - Background of the rows the chapter's own table lists.
 * @cssproperty --grad-muted - Colour of cells with no measurement.
 * @tagname grad-attenuation-table
 */
export class GradAttenuationTable extends ComparisonFigure {
  static override shape = 'table' as const;
  static override styles = [
    ComparisonFigure.styles,
    css`
      tr.chapter th {
        font-weight: 700;
      }
      tr.chapter {
        background: var(--grad-highlight, rgba(11, 99, 197, 0.08));
      }
      td {
        white-space: nowrap;
      }
      td.above {
        font-style: italic;
      }
      .missing {
        color: var(--grad-muted, #6e7781);
      }
    `,
  ];

  protected override defaultCaption(): string {
    return `Attenuation after k layers: the chapter's bound (max|f′|)^k beside the measured ‖δ⁽ᴸ⁻ᵏ⁾‖ / ‖δ⁽ᴸ⁾‖ at ${this.state.spec.depth} hidden layers`;
  }

  protected override renderFigure(): unknown {
    const table = attenuationTableData(this.comparison);
    const depth = this.state.spec.depth;
    const measuredCell = (measured: number | undefined, bound: number) =>
      measured === undefined
        ? html`<td class="missing" title="the network has only ${depth} hidden layers">—</td>`
        : html`<td
            class=${!Number.isFinite(measured) ? 'nonfinite' : measured > bound ? 'above' : ''}
          >
            ${formatFactor(measured)}
          </td>`;
    return this.tableFrame(
      html`${this.refusedNotes()}
        <div
          class="table-wrap"
          tabindex="0"
          role="region"
          aria-label=${`${this.caption} (table; scrolls sideways on narrow screens)`}
        >
          <table part="table" data-table="attenuation">
            <caption>
              ${this.caption}
            </caption>
            <thead>
              <tr>
                <th rowspan="2" scope="col">layers k</th>
                ${table.columns.map(
                  (c) =>
                    html`<th colspan="3" scope="colgroup">
                      ${c.label} (max|f′| = ${formatFactor(c.maxAbsDerivative)})
                    </th>`,
                )}
              </tr>
              <tr>
                ${table.columns.map(
                  () =>
                    html`<th scope="col">attenuation factor</th>
                      <th scope="col">scientific notation</th>
                      <th scope="col">measured</th>`,
                )}
              </tr>
            </thead>
            <tbody>
              ${table.rows.map(
                (row) =>
                  html`<tr class=${row.inChapter ? 'chapter' : ''} data-layers=${row.layers}>
                    <th scope="row">${row.layers}</th>
                    ${row.cells.map(
                      (cell) =>
                        html`<td>${formatFactor(cell.bound)}</td>
                          <td>${formatScientific(cell.bound)}</td>
                          ${measuredCell(cell.measured, cell.bound)}`,
                    )}
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`,
    );
  }
}
