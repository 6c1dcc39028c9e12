import { html } from 'lit';
import { ACTIVATIONS } from '../../../engine/activations.ts';
import { NOTEBOOK_ACTIVATIONS } from '../../../engine/notebook.ts';
import { pythonRepr } from '../../grad-notebook/notebook-figures.ts';
import { NotebookFigure } from '../notebook-figure.ts';
import { notebookTableStyles } from '../notebook-table.styles.ts';

/**
 * The numbers of the chapter's ten-layer bar chart (§17.5) as Python prints them: ‖δ⁽ˡ⁾‖ per
 * layer for sigmoid and ReLU. The ReLU column is eleven exact zeros (0.0).
 *
 * @summary The chapter's ten-layer run as a table of Python-printed numbers.
 * @csspart table - The table.
 * @cssproperty --grad-mono - The font of the numbers.
 * @tagname grad-notebook-ten-layer-table
 */
export class GradNotebookTenLayerTable extends NotebookFigure {
  static override shape = 'table' as const;
  static override styles = [NotebookFigure.styles, notebookTableStyles];

  protected override defaultCaption(): string {
    return 'Figure 2: ‖δ⁽ˡ⁾‖ per layer, ten hidden layers';
  }

  protected override renderFigure(): unknown {
    const report = this.notebook.report;
    const rows = report ? report.tenLayer.sigmoid.length : 0;
    return this.tableFrame(
      html`<div
        class="table-wrap"
        tabindex="0"
        role="region"
        aria-label=${`${this.caption} (table; scrolls sideways on narrow screens)`}
      >
        <table part="table" data-table="ten-layer">
          <caption>
            ${this.caption}
          </caption>
          <thead>
            <tr>
              <th scope="col">layer</th>
              ${NOTEBOOK_ACTIVATIONS.map((a) => html`<th scope="col">${ACTIVATIONS[a].label}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${Array.from(
              { length: rows },
              (_, i) =>
                html`<tr>
                  <th scope="row">${i + 1}</th>
                  ${NOTEBOOK_ACTIVATIONS.map(
                    (a) =>
                      html`<td class="python" data-series=${a}>
                        ${pythonRepr(report!.tenLayer[a][i]!)}
                      </td>`,
                  )}
                </tr>`,
            )}
          </tbody>
        </table>
      </div>`,
    );
  }
}
