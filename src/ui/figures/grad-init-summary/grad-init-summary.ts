import { css, html, nothing } from 'lit';
import { INITS } from '../../../engine/inits.ts';
import { GradFigure } from '../../figure/grad-figure.ts';
import {
  bestVarianceKeeper,
  formatFraction,
  formatStatistic,
  middleLayer,
  planInitRuns,
  varianceSummary,
  type InitRun,
  type PlannedInitRun,
} from '../../grad-init-explorer/explorer-data.ts';
import { GroupRunFigure } from '../figure-group.ts';

/** A cell that marks a non-finite statistic. */
const cell = (text: string) =>
  html`<td class=${text === 'non-finite' ? 'nonfinite' : ''}>${text}</td>`;

/**
 * Exercise 17.5's question, answered from the runs: for each listed init (`inits`) at the spec's
 * depth, the activation std in the first, middle and last hidden layer, the variance ratio
 * Var(a⁽ᴸ⁾) / Var(a⁽¹⁾), the dead and saturated fractions of the last layer and the count of
 * non-finite activations; above the table, the init whose ratio is closest to 1, never one
 * that overflowed.
 *
 * @summary Which initialization keeps the activation variance: the summary table.
 * @csspart table - The table.
 * @csspart run-status - Progress, Cancel, Run, and run errors.
 * @cssproperty --grad-error - Colour of non-finite values.
 * @tagname grad-init-summary
 */
export class GradInitSummary extends GroupRunFigure {
  static override shape = 'table' as const;
  static override styles = [
    GradFigure.styles,
    css`
      .verdict {
        font-weight: 600;
        margin: 0.5rem 0;
      }
    `,
  ];

  private planned: { runs: PlannedInitRun[]; refused: string[] } = { runs: [], refused: [] };

  /** The runs that have arrived, one per init in the list's order. */
  get initRuns(): InitRun[] {
    return this.planned.runs.flatMap((run) => {
      const result = this.results.get(run.key);
      return result ? [{ init: run.init, spec: result.spec, stats: result.stats }] : [];
    });
  }

  protected override planKey(): string {
    return JSON.stringify([this.state.spec, this.state.inits]);
  }

  protected override plan(): void {
    this.planned = planInitRuns(this.state.spec, this.state.inits);
    void this.ensureRuns(this.planned.runs);
  }

  protected override defaultCaption(): string {
    const { depth } = this.state.spec;
    return `Activation std from the first hidden layer to the last (layer ${depth})`;
  }

  private renderVerdict(runs: readonly InitRun[]): unknown {
    if (runs.length === 0 || !this.hasAll(this.planned.runs)) return nothing;
    const depth = runs[0]!.spec.depth;
    const best = bestVarianceKeeper(runs.map(varianceSummary));
    return html`<p class="verdict" data-testid="verdict">
      ${
        best
          ? html`Closest to constant variance over ${depth} layers: ${INITS[best.init].label},
            Var(a⁽${depth}⁾) / Var(a⁽¹⁾) = ${formatStatistic(best.varianceRatio)}.`
          : html`No initialization kept a finite, nonzero activation variance through ${depth}
            layers.`
      }
    </p>`;
  }

  protected override renderFigure(): unknown {
    const { depth } = this.state.spec;
    const middle = middleLayer(depth);
    const runs = this.initRuns;
    return this.tableFrame(
      html`${this.planned.refused.map(
          (message) => html`<p class="error" role="alert">${message}</p>`,
        )}${this.renderVerdict(runs)}
        <div
          class="table-wrap"
          tabindex="0"
          role="region"
          aria-label=${`${this.caption} (table; scrolls sideways on narrow screens)`}
        >
          <table part="table" data-table="init-summary">
            <caption>
              ${this.caption}
            </caption>
            <thead>
              <tr>
                <th scope="col">init</th>
                <th scope="col">std, layer 1</th>
                <th scope="col">std, layer ${middle}</th>
                <th scope="col">std, layer ${depth}</th>
                <th scope="col">Var ratio ${depth} / 1</th>
                <th scope="col">dead, layer ${depth}</th>
                <th scope="col">saturated, layer ${depth}</th>
                <th scope="col">non-finite activations</th>
              </tr>
            </thead>
            <tbody>
              ${runs.map(varianceSummary).map(
                (s) =>
                  html`<tr data-init=${s.init}>
                    <th scope="row">${INITS[s.init].label}</th>
                    ${cell(formatStatistic(s.firstStd))} ${cell(formatStatistic(s.middleStd))}
                    ${cell(formatStatistic(s.lastStd))} ${cell(formatStatistic(s.varianceRatio))}
                    ${cell(formatFraction(s.lastDeadFraction))}
                    ${cell(formatFraction(s.lastSaturatedFraction))}
                    <td class=${s.nonFinite > 0 ? 'nonfinite' : ''}>${s.nonFinite}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`,
    );
  }
}
