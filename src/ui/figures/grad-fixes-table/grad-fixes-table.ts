import { css, html } from 'lit';
import { GradFigure } from '../../figure/grad-figure.ts';
import { fixesTableRows, formatFixValue } from '../../grad-fixes/fix-variants.ts';
import { FixesFigure } from '../fixes-figure.ts';

const cell = (value: number) =>
  html`<td class=${Number.isFinite(value) ? '' : 'nonfinite'}>${formatFixValue(value)}</td>`;

/**
 * How much of the output layer's gradient reaches layer 1 with and without the chapter's fixes
 * (§17.6): per variant that `fixes` lists, ‖δ⁽¹⁾‖, the output layer's ‖δ⁽ᴸ⁾‖, their ratio, and a
 * verdict (vanishing, exploding, flowing) computed from the numbers. The same runs as
 * grad-fixes-plot.
 *
 * @summary The fixes compared: how much gradient reaches the first layer.
 * @event grad-figure-cancel - The reader cancelled the runs; a section stops its other figures'.
 * @event grad-figure-rerun - The reader pressed Run; a section has its other figures run too.
 * @csspart table - The table.
 * @csspart run-status - Progress, Cancel, Run, and run errors.
 * @tagname grad-fixes-table
 */
export class GradFixesTable extends FixesFigure {
  static override shape = 'table' as const;
  static override styles = [
    GradFigure.styles,
    css`
      td[data-verdict] {
        text-align: left;
      }
    `,
  ];

  protected override defaultCaption(): string {
    return 'How much of the output layer’s gradient reaches layer 1';
  }

  protected override renderFigure(): unknown {
    return this.tableFrame(
      html`${this.problemNotes()}
        <div
          class="table-wrap"
          tabindex="0"
          role="region"
          aria-label=${`${this.caption} (table; scrolls sideways on narrow screens)`}
        >
          <table part="table" data-table="fixes">
            <caption>
              ${this.caption}
            </caption>
            <thead>
              <tr>
                <th scope="col">network</th>
                <th scope="col">‖δ⁽¹⁾‖</th>
                <th scope="col">‖δ⁽ᴸ⁾‖ (output)</th>
                <th scope="col">‖δ⁽¹⁾‖ / ‖δ⁽ᴸ⁾‖</th>
                <th scope="col">verdict</th>
              </tr>
            </thead>
            <tbody>
              ${fixesTableRows(this.fixRuns).map(
                (row) =>
                  html`<tr data-variant=${row.id}>
                    <th scope="row">${row.label}</th>
                    ${cell(row.first)} ${cell(row.output)} ${cell(row.ratio)}
                    <td data-verdict=${row.verdict}>${row.verdictText}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`,
    );
  }
}
