import { html, LitElement, nothing } from 'lit';
import type { ImportedRunResult } from '../../import/import-client.ts';
import type { ImportProgress } from '../../import/import-protocol.ts';
import { describeProblem, type RunFileHeader, type RunProblem } from '../../import/run-format.ts';
import { DEFAULT_RUN_FILE_STATE, type RunFileState } from '../figures/run-file-state.ts';
import { sharedRunImporter } from '../figures/run-file-store.ts';
import { nextTask } from '../figure/ready-queue.ts';
import { gradImportStyles } from './grad-import.styles.ts';
import { headerText, meanFieldText, progressText, summaryText } from './import-text.ts';

/** What the section shows: nothing yet, a file being read, a refused file, or a run. */
export type ImportPhase =
  | { readonly kind: 'idle'; readonly note: string | null }
  | {
      readonly kind: 'reading';
      readonly name: string;
      readonly header: RunFileHeader | null;
      readonly progress: ImportProgress | null;
    }
  | {
      readonly kind: 'failed';
      readonly name: string;
      readonly problem: RunProblem;
      readonly problems: readonly RunProblem[];
    }
  | { readonly kind: 'done'; readonly name: string; readonly result: ImportedRunResult };

/** What `grad-import-complete` carries. */
export type ImportCompleteDetail =
  | { readonly ok: true; readonly name: string; readonly result: ImportedRunResult }
  | { readonly ok: false; readonly name: string; readonly message: string };

/**
 * The figures under a run, in order: ‖δ‖ through depth (with the mean-field prediction) and the
 * loss; the layers × steps heat-maps of ‖δ‖ and of the update ratio; the histograms, whose step
 * slider (the one control, `compact`) also moves the fractions beside them.
 */
const FIGURE_VIEWS: readonly {
  readonly view: string;
  readonly metric?: string;
  readonly controls: 'none' | 'compact';
}[] = [
  { view: 'depth', controls: 'none' },
  { view: 'loss', controls: 'none' },
  { view: 'heatmap', metric: 'grad-norm', controls: 'none' },
  { view: 'heatmap', metric: 'update-ratio', controls: 'none' },
  { view: 'histograms', controls: 'compact' },
  { view: 'fractions', controls: 'none' },
];

/** Resolves once a figure's chart has drawn (or after a few seconds, whatever happened). */
async function chartDrawn(figure: Element, timeoutMs = 5000): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    const chart = figure.shadowRoot?.querySelector('grad-chart');
    if (chart?.shadowRoot?.querySelector('.uplot')) return;
    await new Promise((resolve) => setTimeout(resolve, 16));
  }
}

/** Problems listed in full under a run; the rest are counted. */
const PROBLEMS_SHOWN = 20;

const RECIPE = `from gradlab_record import Recorder   # python/gradlab_record.py

with Recorder(model, "run.gradlab.jsonl", every=10) as recorder:
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        recorder.step(loss)   # after optimizer.step()`;

/**
 * Bring your own network: a run recorded from any PyTorch model with python/gradlab_record.py
 * (docs/run-format.md), dropped on the page or picked with the file picker, read in a worker in
 * chunks (a file of hundreds of megabytes keeps the page responsive, with progress; nothing is
 * uploaded), then drawn with the lab's own figures (grad-run-file-chart): ‖δ⁽ˡ⁾‖ through depth
 * with the mean-field prediction where the model is a plain stack of Linear layers, layers ×
 * steps heat-maps of ‖δ‖ and of the update ratio, every layer's histograms and its dead and
 * saturated fractions at a chosen step, and the loss; with the run's summary, its flags (each
 * naming its layers and step) and the mean-field line. A file that is not a run file, is
 * truncated, of a newer version, has records that disagree with its layer list or non-finite
 * values written as bare NaN gets a message naming the line and the field; another file can be
 * imported at any time.
 *
 * @summary Import a run recorded from your own PyTorch model and see its gradients layer by layer.
 * @event grad-import-complete - A file was read: `detail` is `{ ok: true, name, result }` (the run, its summary and mean-field prediction) or `{ ok: false, name, message }`.
 * @csspart drop-zone - The area a file is dropped on, with the file picker.
 * @cssproperty --grad-accent - Colour of the drop zone while a file is dragged over it.
 */
export class GradImport extends LitElement {
  static override styles = gradImportStyles;
  static override properties = {
    phase: { state: true },
    dragging: { state: true },
    step: { state: true },
    drawn: { state: true },
  };

  /** What the section shows. */
  declare phase: ImportPhase;
  declare dragging: boolean;
  /** The step of the histograms and fractions (null: the first recorded). */
  declare step: number | null;
  /**
   * How many of the run's figures have been handed the run: one per task, so that drawing the
   * heat-maps of a long run (thousands of steps) never blocks the page for all figures at once.
   */
  declare drawn: number;

  private controller: AbortController | null = null;
  private imports = 0;

  constructor() {
    super();
    this.phase = { kind: 'idle', note: null };
    this.dragging = false;
    this.step = null;
    this.drawn = 0;
  }

  /** The run shown, or null. */
  get result(): ImportedRunResult | null {
    return this.phase.kind === 'done' ? this.phase.result : null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.controller?.abort();
    this.controller = null;
  }

  /** Reads a file (from a drop, the picker, or a script); a file being read is cancelled. */
  async importFile(file: File): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const id = ++this.imports;
    const name = file.name || 'the file';
    this.step = null;
    this.phase = { kind: 'reading', name, header: null, progress: null };
    const reading = (update: Partial<Extract<ImportPhase, { kind: 'reading' }>>): void => {
      if (id !== this.imports || this.phase.kind !== 'reading') return;
      this.phase = { ...this.phase, ...update };
    };
    let detail: ImportCompleteDetail;
    try {
      const outcome = await sharedRunImporter().importFile(file, {
        signal: controller.signal,
        onHeader: (header) => reading({ header }),
        onProgress: (progress) => reading({ progress }),
      });
      if (id !== this.imports) return;
      if (outcome.ok) {
        // The run's figures load with the first file a reader imports, not with the section.
        await import('../figures/grad-run-file-chart/define.ts');
        if (id !== this.imports) return;
        this.phase = { kind: 'done', name, result: outcome };
        this.drawn = 0;
        void this.drawFigures(id);
        detail = { ok: true, name, result: outcome };
      } else {
        this.phase = { kind: 'failed', name, problem: outcome.problem, problems: outcome.problems };
        detail = { ok: false, name, message: describeProblem(outcome.problem) };
      }
    } catch (error) {
      if (id !== this.imports) return;
      const message = error instanceof Error ? error.message : String(error);
      if (controller.signal.aborted) {
        this.phase = { kind: 'idle', note: `Reading ${name} was cancelled.` };
        return;
      }
      const problem: RunProblem = { line: 0, field: null, severity: 'error', message };
      this.phase = { kind: 'failed', name, problem, problems: [] };
      detail = { ok: false, name, message };
    } finally {
      if (this.controller === controller) this.controller = null;
    }
    this.dispatchEvent(
      new CustomEvent<ImportCompleteDetail>('grad-import-complete', {
        detail,
        bubbles: true,
        composed: true,
      }),
    );
  }

  /**
   * Hands the run to the figures one by one, each in a task of its own, the next once the last
   * has drawn: a long run's heat-maps each take a task.
   */
  private async drawFigures(id: number): Promise<void> {
    for (let count = 1; count <= FIGURE_VIEWS.length; count++) {
      await nextTask();
      if (id !== this.imports) return;
      this.drawn = count;
      await this.updateComplete;
      const figure = this.renderRoot.querySelectorAll('grad-run-file-chart')[count - 1];
      if (figure) await chartDrawn(figure);
    }
  }

  private filesOf(list: FileList | null | undefined): void {
    const file = list?.[0];
    if (!file) {
      this.phase = { kind: 'idle', note: 'Nothing to read: drop a file (not text or a link).' };
      return;
    }
    void this.importFile(file);
  }

  private readonly onDragOver = (event: DragEvent): void => {
    // Accepting the drag is what allows the drop.
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    this.dragging = true;
  };

  private readonly onDragLeave = (event: DragEvent): void => {
    const zone = event.currentTarget as HTMLElement;
    if (event.relatedTarget instanceof Node && zone.contains(event.relatedTarget)) return;
    this.dragging = false;
  };

  private readonly onDrop = (event: DragEvent): void => {
    event.preventDefault();
    this.dragging = false;
    this.filesOf(event.dataTransfer?.files);
  };

  private readonly onPick = (event: Event): void => {
    const input = event.target as HTMLInputElement;
    this.filesOf(input.files);
    // The same file picked again (after fixing it) is read again.
    input.value = '';
  };

  /** The step slider of the histograms sets the step of both per-step figures. */
  private readonly onFigureState = (event: CustomEvent<Record<string, string>>): void => {
    event.stopPropagation();
    const step = event.detail.step;
    if (step !== undefined && /^\d+$/.test(step)) this.step = Number(step);
  };

  private renderIntro(): unknown {
    return html`<div class="prose">
        <p>
          Record any PyTorch model while it trains, then drop the file here: the lab draws the
          figures it draws for its own networks, flags what deserves a look (each flag names its
          layers and step), and where the model is a plain stack of <code>Linear</code> layers with
          one activation, draws the mean-field prediction over the measured gradients. The file is
          read in a worker on this page; nothing is uploaded.
        </p>
        <p>
          Copy <code>python/gradlab_record.py</code> from gradlab's repository next to your training
          script (it needs only torch) and wrap your loop:
        </p>
      </div>
      <pre class="recipe"><code>${RECIPE}</code></pre>
      <p class="note">
        Every <code>every</code>-th step it writes, for each <code>Linear</code> and
        <code>Conv1d/2d/3d</code> layer, ‖δ⁽ˡ⁾‖ (the gradient with respect to the layer's output),
        ‖∂L/∂W‖, ‖W‖, the update ratio ‖ΔW‖/‖W‖, and the mean, spread, histogram, dead and saturated
        fractions of the activation that follows (the format: <code>docs/run-format.md</code>).
      </p>`;
  }

  private renderDropZone(): unknown {
    const busy = this.phase.kind === 'reading';
    return html`<div
      class="drop-zone ${this.dragging ? 'over' : ''}"
      part="drop-zone"
      data-testid="drop-zone"
      @dragenter=${this.onDragOver}
      @dragover=${this.onDragOver}
      @dragleave=${this.onDragLeave}
      @drop=${this.onDrop}
    >
      <p>Drop a run file (<code>.jsonl</code>) here, or</p>
      <label
        >Choose a run file
        <input
          type="file"
          name="run-file"
          accept=".jsonl,.json,.txt,application/json,application/x-ndjson,text/plain"
          aria-describedby="import-status"
          @change=${this.onPick}
      /></label>
      ${
        busy
          ? nothing
          : html`<p class="note">A file being read is replaced by the next one you choose.</p>`
      }
    </div>`;
  }

  private renderStatus(): unknown {
    const phase = this.phase;
    const inPage = sharedRunImporter().inPageReason;
    const fallback = inPage ? html`<p class="note">${inPage}.</p>` : nothing;
    switch (phase.kind) {
      case 'idle':
        return html`<div id="import-status" role="status">
          ${phase.note ? html`<p class="note">${phase.note}</p>` : nothing}
        </div>`;
      case 'reading': {
        const { progress, header } = phase;
        const total = progress?.totalBytes ?? null;
        return html`<div id="import-status" class="reading" role="status">
            ${
              total && progress
                ? html`<progress
                    max=${total}
                    .value=${progress.bytes}
                    aria-label="reading ${phase.name}"
                  ></progress>`
                : html`<progress aria-label="reading ${phase.name}"></progress>`
            }
            <span data-testid="import-progress"
              >Reading
              ${phase.name}${header ? html`: ${headerText(header)}` : nothing}${
                progress ? html`, ${progressText(progress)}` : nothing
              }</span
            >
            <button type="button" @click=${() => this.controller?.abort()}>Cancel</button>
          </div>
          ${fallback}`;
      }
      case 'failed': {
        const { problem } = phase;
        // The problems list holds the one that stopped the import too (a copy, from the worker).
        const others = phase.problems.filter(
          (p) =>
            p.line !== problem.line || p.field !== problem.field || p.message !== problem.message,
        );
        return html`<div id="import-status">
          <p class="error" role="alert" data-testid="import-error">
            ${phase.name} was not imported: ${describeProblem(phase.problem)}
          </p>
          ${this.renderProblems(others, others.length)}
          <p class="note">Fix the file or choose another one: nothing of it was kept.</p>
        </div>`;
      }
      case 'done':
        return html`<div id="import-status" role="status">${fallback}</div>`;
    }
  }

  private renderProblems(problems: readonly RunProblem[], total: number): unknown {
    if (total <= 0) return nothing;
    const shown = problems.slice(0, PROBLEMS_SHOWN);
    const more = total - shown.length;
    return html`<ul class="problems" data-testid="problems">
      ${shown.map(
        (problem) =>
          html`<li class=${problem.severity} data-line=${problem.line}>
            ${describeProblem(problem)}
          </li>`,
      )}
      ${more > 0 ? html`<li>and ${more.toLocaleString('en-US')} more</li>` : nothing}
    </ul>`;
  }

  private renderResult(name: string, result: ImportedRunResult): unknown {
    const { run, summary, meanField } = result;
    const problems = summary.problemCount;
    const figureState: RunFileState = { ...DEFAULT_RUN_FILE_STATE, step: this.step };
    const figures = FIGURE_VIEWS.map(
      ({ view, metric, controls }, i) =>
        html`<grad-run-file-chart
          view=${view}
          metric=${metric ?? nothing}
          controls=${controls}
          export
          .run=${i < this.drawn ? run : null}
          .meanField=${meanField}
          .state=${figureState}
        ></grad-run-file-chart>`,
    );
    return html`<section class="result" aria-labelledby="result-heading">
      <h3 id="result-heading">${name}</h3>
      <p data-testid="summary">${summaryText(summary)}</p>
      <details>
        <summary>Layers</summary>
        <div
          class="table-wrap"
          tabindex="0"
          role="region"
          aria-label=${`layers of ${name} (table; scrolls sideways on narrow screens)`}
        >
          <table data-testid="layers">
            <thead>
              <tr>
                <th>layer</th>
                <th>module</th>
                <th>type</th>
                <th>units</th>
                <th>output shape</th>
                <th>activation</th>
              </tr>
            </thead>
            <tbody>
              ${summary.layers.map(
                (layer) =>
                  html`<tr>
                    <td>${layer.layer}</td>
                    <td><code>${layer.name}</code></td>
                    <td>${layer.type}</td>
                    <td>${layer.units}</td>
                    <td>${layer.outputShape.join(' × ')}</td>
                    <td>
                      ${layer.activation ?? '—'}${
                        layer.activation && !layer.gradlabActivation
                          ? ' (not one of gradlab’s)'
                          : nothing
                      }
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
      </details>
      ${
        problems > 0
          ? html`<h4>${problems.toLocaleString('en-US')} problem${problems === 1 ? '' : 's'}</h4>
              ${this.renderProblems(summary.problems, problems)}`
          : nothing
      }
      ${
        run.recordCount === 0
          ? html`<p class="error" role="alert" data-testid="import-error">
              ${name} has no step record that could be imported: nothing to draw.
            </p>`
          : html`<h4>Flags</h4>
              ${
                summary.flags.length === 0
                  ? html`<p data-testid="flags">
                      Nothing to flag: no non-finite value, no vanishing or exploding gradient, no
                      dead or saturated layer, no layer that learns far too slowly or too fast.
                    </p>`
                  : html`<ul class="flags" data-testid="flags">
                      ${summary.flags.map(
                        (flag) =>
                          html`<li
                            class=${flag.severity}
                            data-kind=${flag.kind}
                            data-layers=${flag.layers.join('-')}
                            data-step=${flag.step}
                          >
                            ${flag.message}
                          </li>`,
                      )}
                    </ul>`
              }
              <p data-testid="mean-field">${meanFieldText(summary.meanField)}</p>
              <div class="figures" @grad-state-change=${this.onFigureState}>${figures}</div>`
      }
    </section>`;
  }

  override render(): unknown {
    const phase = this.phase;
    return html`${this.renderIntro()} ${this.renderDropZone()} ${this.renderStatus()}
    ${phase.kind === 'done' ? this.renderResult(phase.name, phase.result) : nothing}`;
  }
}
