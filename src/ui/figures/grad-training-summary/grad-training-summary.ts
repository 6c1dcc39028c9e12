import { css, html, nothing } from 'lit';
import {
  comparisonRow,
  formatDecades,
  type ComparisonRow,
} from '../../grad-training/training-compare.ts';
import {
  formatNumber,
  summarizeLoss,
  summarizeUpdates,
} from '../../grad-training/training-data.ts';
import { TrainingFigure } from '../training-figure.ts';

/**
 * A training's networks at their latest step, as a table: the backend that trained each, its
 * step and loss, the update ratio ‖ΔW⁽ˡ⁾‖/‖W⁽ˡ⁾‖ of layer 1 and of layer L, how many orders of
 * magnitude apart they are (−3: layer 1 moves a thousand times less), and whether it diverged.
 * For one network it also says, over the whole run, how much more slowly layer 1 learns than
 * layer L (geometric means: the chapter's claim in numbers) and how far the loss fell.
 *
 * Attributes: the run spec's, and the training's: `task` (teacher | spirals; default teacher),
 * `optimizer` (sgd | adam; sgd), `lr` (> 0 and ≤ 100; 0.1 for sgd, 0.001 for adam), `steps` (1
 * to 5000; 200), `networks` (comma-separated lab, sigmoid, relu, residual, batchnorm; lab).
 * Figures with the same spec and training attributes show one training.
 *
 * @summary Layer 1 against layer L for each network of a training, at its latest step.
 * @event grad-run-complete - Training stopped (its steps done, or paused); `detail` is the
 *   session (training-session.ts), when this figure was the one training it.
 * @event grad-state-change - `detail` holds the training attributes the reader changed (full).
 * @csspart table - The table.
 * @csspart run-status - Progress and notices, where no figure of the training has controls.
 * @cssproperty --grad-error - Colour of non-finite values and a diverged run.
 * @tagname grad-training-summary
 */
export class GradTrainingSummary extends TrainingFigure {
  static override shape = 'table' as const;
  static override styles = [
    TrainingFigure.styles,
    css`
      .summary {
        font-size: 0.95rem;
        margin: 0.5rem 0;
      }
      .summary p {
        margin: 0.25rem 0;
      }
    `,
  ];

  /** The table's rows: each network at its latest step (null where it has not trained yet). */
  get rows(): (ComparisonRow | null)[] {
    const session = this.session;
    if (!session) return [];
    return session.setup.configs.map((config) => {
      const network = session.networks.find((n) => n.config.id === config.id);
      return network?.state ? comparisonRow(config, network.state, network.records) : null;
    });
  }

  private lastLayer(): string {
    const layers = this.session?.networks.find((n) => n.state)?.state?.sizes.length;
    return layers ? `layer ${layers - 1}` : 'layer L';
  }

  protected override defaultCaption(): string {
    return `Each network at its latest step: how fast layer 1 moves against ${this.lastLayer()}`;
  }

  /** One network: layer 1 against layer L over the whole run, and the loss, in sentences. */
  private renderFindings(): unknown {
    const networks = this.session?.networks ?? [];
    if (networks.length !== 1 || !networks[0]!.records.length) return nothing;
    const records = networks[0]!.records;
    const sentences = this.cached(['findings'], () =>
      [summarizeUpdates(records), summarizeLoss(records)].filter((s) => s !== null),
    );
    return html`<div class="summary" data-testid="summary">
      ${sentences.map((sentence, i) => (i === 0 ? html`<p><strong>${sentence}</strong></p>` : html`<p>${sentence}</p>`))}
    </div>`;
  }

  protected override renderFigure(): unknown {
    const session = this.session;
    const configs = session?.setup.configs ?? [];
    const rows = this.rows;
    const lastLayer = this.lastLayer();
    const ratio = (value: number) =>
      Number.isFinite(value)
        ? html`<td>${formatNumber(value)}</td>`
        : html`<td class="nonfinite">${String(value)}</td>`;
    const untrained = (label: string, id: string) =>
      html`<tr data-config=${id}>
        <th scope="row">${label}</th>
        <td colspan="7" class="note">not trained yet</td>
      </tr>`;
    return this.tableFrame(
      html`${this.renderFindings()}
        <div
          class="table-wrap"
          role="region"
          aria-label="Each network at its latest step"
          tabindex="0"
        >
          <table part="table" data-testid="compare-table">
            <caption>
              ${this.caption}
            </caption>
            <thead>
              <tr>
                <th scope="col">network</th>
                <th scope="col">trained on</th>
                <th scope="col">step</th>
                <th scope="col">loss</th>
                <th scope="col">‖ΔW⁽¹⁾‖/‖W⁽¹⁾‖</th>
                <th scope="col">‖ΔW⁽ᴸ⁾‖/‖W⁽ᴸ⁾‖</th>
                <th scope="col">layer 1 vs ${lastLayer} (orders of magnitude)</th>
                <th scope="col">non-finite</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map((row, i) =>
                row === null
                  ? untrained(configs[i]!.label, configs[i]!.id)
                  : html`<tr data-config=${row.id} data-decades=${row.decades}>
                      <th scope="row">${row.label}</th>
                      <td data-testid="trained-on">${row.trainedOn ?? '—'}</td>
                      <td>${row.step}</td>
                      ${ratio(row.loss)} ${ratio(row.firstRatio)} ${ratio(row.lastRatio)}
                      <td class=${Number.isFinite(row.decades) ? '' : 'nonfinite'}>
                        ${formatDecades(row.decades)}
                      </td>
                      <td
                        class=${row.diverged !== null ? 'nonfinite' : ''}
                        data-nonfinite=${row.nonFiniteSteps}
                      >
                        ${row.diverged !== null ? `diverged at step ${row.diverged}` : 'none'}
                      </td>
                    </tr>`,
              )}
            </tbody>
          </table>
        </div>`,
    );
  }
}
