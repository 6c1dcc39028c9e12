import { html } from 'lit';
import { ACTIVATIONS } from '../../../engine/activations.ts';
import { depthSweepColumns, pythonRepr } from '../../grad-notebook/notebook-figures.ts';
import { NotebookFigure } from '../notebook-figure.ts';
import { notebookTableStyles } from '../notebook-table.styles.ts';

/**
 * The numbers of the chapter's first figure (§17.5) as Python prints them (repr: the shortest
 * digits that read back exactly): ‖δ⁽ˡ⁾‖ per layer, one column per network (sigmoid, then ReLU,
 * at 3, 5, 10 and 20 hidden layers).
 *
 * @summary The chapter's depth sweep as a table of Python-printed numbers.
 * @csspart table - The table.
 * @cssproperty --grad-mono - The font of the numbers.
 * @tagname grad-notebook-sweep-table
 */
export class GradNotebookSweepTable extends NotebookFigure {
  static override shape = 'table' as const;
  static override styles = [NotebookFigure.styles, notebookTableStyles];

  protected override defaultCaption(): string {
    return 'Figure 1: ‖δ⁽ˡ⁾‖ per layer, each column one network (activation, hidden layers)';
  }

  protected override renderFigure(): unknown {
    const report = this.notebook.report;
    const columns = report ? depthSweepColumns(report) : [];
    const layers = Math.max(0, ...columns.map((c) => c.values.length));
    return this.tableFrame(
      html`<div
        class="table-wrap"
        tabindex="0"
        role="region"
        aria-label=${`${this.caption} (table; scrolls sideways on narrow screens)`}
      >
        <table part="table" data-table="depth-sweep">
          <caption>
            ${this.caption}
          </caption>
          <thead>
            <tr>
              <th scope="col">layer</th>
              ${columns.map(
                (c) => html`<th scope="col">${ACTIVATIONS[c.activation].label}, ${c.depth}</th>`,
              )}
            </tr>
          </thead>
          <tbody>
            ${Array.from(
              { length: layers },
              (_, i) =>
                html`<tr>
                  <th scope="row">${i + 1}</th>
                  ${columns.map(
                    (c) =>
                      html`<td class="python" data-series="${c.activation}-${c.depth}">
                        ${i < c.values.length ? pythonRepr(c.values[i]!) : ''}
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
