import { html } from 'lit';
import { gradientVerdict } from '../../../engine/gradient-verdict.ts';
import { sixDigits } from '../../grad-notebook/notebook-figures.ts';
import { NotebookFigure } from '../notebook-figure.ts';
import { notebookTableStyles } from '../notebook-table.styles.ts';

/**
 * The ten-layer ReLU run with the chapter's flaws fixed one at a time, as a table: each run's
 * init, output unit and batch, ‖δ⁽¹⁾‖ and ‖δ⁽ᴸ⁾‖, and what its gradients do (exactly zero,
 * vanishing, flowing…), computed from the numbers.
 *
 * @summary What changes when the chapter's flaws are fixed, per run.
 * @csspart table - The table.
 * @cssproperty --grad-mono - The font of the numbers.
 * @tagname grad-notebook-variants-table
 */
export class GradNotebookVariantsTable extends NotebookFigure {
  static override shape = 'table' as const;
  static override styles = [NotebookFigure.styles, notebookTableStyles];

  protected override defaultCaption(): string {
    return 'What changes: the ten-layer ReLU run, one change at a time';
  }

  protected override renderFigure(): unknown {
    return this.tableFrame(
      html`<div
        class="table-wrap"
        tabindex="0"
        role="region"
        aria-label=${`${this.caption} (table; scrolls sideways on narrow screens)`}
      >
        <table part="table" data-table="variants">
          <caption>
            ${this.caption}
          </caption>
          <thead>
            <tr>
              <th scope="col">run</th>
              <th scope="col">init</th>
              <th scope="col">output unit</th>
              <th scope="col">batch</th>
              <th scope="col">‖δ⁽¹⁾‖</th>
              <th scope="col">‖δ⁽ᴸ⁾‖ (output)</th>
              <th scope="col">verdict</th>
            </tr>
          </thead>
          <tbody>
            ${this.notebook.variants.map(({ variant, result }) => {
              const norms = result.stats.gradNorm;
              const verdict = gradientVerdict(norms);
              return html`<tr data-variant=${variant.id}>
                <td>${variant.label}</td>
                <td>${result.spec.init}</td>
                <td>${result.spec.outputActivation === 'same' ? 'ReLU' : 'linear'}</td>
                <td>${result.spec.batch}</td>
                <td class="number">${sixDigits(norms[0]!)}</td>
                <td class="number">${sixDigits(norms[norms.length - 1]!)}</td>
                <td data-verdict=${verdict.kind}>${verdict.text}</td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>`,
    );
  }
}
