import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import { SpecError, type RunSpec } from '../../engine/spec.ts';
import { TASK_DESCRIPTIONS, TASK_NAMES, type TaskName } from '../../engine/tasks.ts';
import {
  OPTIMIZER_NAMES,
  type OptimizerName,
  type TrainingOptions,
  type TrainingRecord,
  type TrainingState,
} from '../../backends/cpu/training.ts';
import type { ChartData } from '../grad-chart/chart-data.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../lab/lab-state.ts';
import { RunController } from '../lab/run-controller.ts';
import { gradTrainingStyles } from './grad-training.styles.ts';
import {
  CHUNK_STEPS,
  DEFAULT_DRAFT,
  formatNumber,
  layerHeatmapChart,
  lossChart,
  parseDraft,
  presetMatches,
  summarizeLoss,
  summarizeUpdates,
  TRAINING_PRESETS,
  type TrainingDraft,
  type TrainingPreset,
} from './training-data.ts';

/** What the section shows, for tests and readers. */
export interface TrainingResults {
  /** The spec and options being trained (null before the first chunk). */
  readonly state: TrainingState | null;
  readonly records: readonly TrainingRecord[];
  readonly loss: ChartData;
  readonly updateRatio: ChartData;
  readonly gradNorm: ChartData;
  readonly summary: string | null;
}

/** What a training run depends on: the spec and the parsed options. */
const runKey = (spec: RunSpec, options: TrainingOptions | null): string =>
  JSON.stringify([spec, options]);

/**
 * Training dynamics of the lab's network: a few hundred steps of SGD or Adam on a synthetic task
 * (a random teacher network, or two spirals), run in chunks in the CPU worker, with the loss
 * curve and layers × steps heat-maps of the update ratio ‖ΔW⁽ˡ⁾‖/‖W⁽ˡ⁾‖ and of the gradient norm
 * ‖∂L/∂W⁽ˡ⁾‖. With sigmoid and Xavier init the first layers update orders of magnitude more
 * slowly than the last (chapter §17.5); the presets switch the lab to the cures of §17.6.
 * Training starts on the Start button only; Pause stops after the chunk in progress, Step trains
 * one step, Reset starts again from the initial weights. GPU training is not implemented: a
 * webgpu lab trains on the CPU in f32, and says so.
 *
 * @summary Train the deep network and watch which layers learn, and how fast.
 * @csspart run-status - Progress, Cancel, run errors (one per task).
 * @cssproperty --grad-error - Colour of errors and of a diverged run.
 * @cssproperty --grad-accent - Outline of the focused control and the current preset.
 * @event grad-state-change - `detail` holds URL-style entries (activation, init, alpha, sigma-w,
 *   gain, residual, batchnorm) when the reader picks a preset.
 * @event grad-run-complete - A chunk run finished; `detail` is the section's TrainingResults.
 */
export class GradTraining extends LitElement {
  static override styles = gradTrainingStyles;
  static override properties = {
    state: { attribute: false },
    draft: { state: true },
  };

  declare state: LabState;
  /** The form as typed. */
  declare draft: TrainingDraft;

  private readonly runs = new RunController(this, { lazy: true });

  private training: TrainingState | null = null;
  private records: TrainingRecord[] = [];
  /** The key of the spec and options that `training` and `records` belong to. */
  private trainedFor = '';
  private pauseRequested = false;
  /** The form parsed (null when it has an error, shown as formError). */
  private parsedDraft: { options: TrainingOptions; steps: number } | null = null;
  private formError: string | null = null;
  /** The charts of `records`, computed once per change of records. */
  private shown: TrainingResults | null = null;
  /** When the charts were last redrawn during a run (they are redrawn at most every 250 ms). */
  private lastDrawn = 0;

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.draft = DEFAULT_DRAFT;
  }

  /** The records, charts and summary on show. */
  get results(): TrainingResults {
    return this.refreshView();
  }

  /** Brings the charts up to date with the records (computed once per change of records). */
  private refreshView(): TrainingResults {
    const records = this.records;
    if (this.shown?.records !== records || this.shown.state !== this.training) {
      this.shown = {
        state: this.training,
        records,
        loss: lossChart(records),
        updateRatio: layerHeatmapChart(records, 'updateRatio'),
        gradNorm: layerHeatmapChart(records, 'gradNorm'),
        summary: summarizeUpdates(records),
      };
      this.requestUpdate();
    }
    return this.shown;
  }

  private parseForm(): void {
    try {
      this.parsedDraft = parseDraft(this.draft);
      this.formError = null;
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      this.parsedDraft = null;
      this.formError = error.message;
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('state') && !changed.has('draft')) return;
    this.parseForm();
    const key = runKey(this.state.spec, this.parsedDraft?.options ?? null);
    // A new spec or new options start again from the initial weights (nothing runs until asked).
    if (key !== this.trainedFor && (this.training || this.records.length || this.runs.running))
      this.reset();
  }

  private reset(): void {
    this.runs.cancel(false);
    this.training = null;
    this.records = [];
    this.trainedFor = '';
    this.pauseRequested = false;
    this.refreshView();
  }

  /** Trains up to `limit` more steps in chunks, until Pause, divergence or the limit. */
  private async train(limit: number): Promise<void> {
    const parsed = this.parsedDraft;
    if (!parsed) return;
    const { options, steps } = parsed;
    const spec = this.state.spec;
    const key = runKey(spec, options);
    if (key !== this.trainedFor) {
      this.training = null;
      this.records = [];
      this.trainedFor = key;
    }
    const target = Math.min(steps, (this.training?.step ?? 0) + limit);
    this.pauseRequested = false;
    await this.runs.start(async (context) => {
      const done = () => this.training?.step ?? 0;
      context.setTotal(Math.ceil((target - done()) / CHUNK_STEPS));
      while (done() < target && !this.pauseRequested && this.training?.diverged == null) {
        const chunk = await context.train({
          spec,
          options,
          state: this.training,
          steps: Math.min(CHUNK_STEPS, target - done()),
        });
        if (context.signal.aborted || this.trainedFor !== key) return this.results;
        this.training = chunk.state;
        this.records = [...this.records, ...chunk.records];
        // Redrawing thousands of heat-map columns after every chunk would starve the page.
        if (performance.now() - this.lastDrawn > 250) {
          this.lastDrawn = performance.now();
          this.refreshView();
        }
      }
      return this.results;
    });
    this.pauseRequested = false;
    this.requestUpdate();
  }

  private pause(): void {
    this.pauseRequested = true;
    this.requestUpdate();
  }

  private setDraft(patch: Partial<TrainingDraft>): void {
    this.draft = { ...this.draft, ...patch };
  }

  private applyPreset(preset: TrainingPreset): void {
    this.setDraft({ lr: preset.lr });
    this.dispatchEvent(
      new CustomEvent('grad-state-change', {
        detail: { ...preset.entries },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private renderControls(running: boolean, stepsTarget: number | null): unknown {
    const draft = this.draft;
    const step = this.training?.step ?? 0;
    const diverged = this.training?.diverged != null;
    const finished = stepsTarget !== null && step >= stepsTarget;
    return html`
      <fieldset>
        <legend>Presets (set the lab's network)</legend>
        ${TRAINING_PRESETS.map(
          (preset) =>
            html`<button
              type="button"
              data-preset=${preset.id}
              aria-pressed=${presetMatches(preset, this.state.spec) ? 'true' : 'false'}
              @click=${() => this.applyPreset(preset)}
            >
              ${preset.label}
            </button>`,
        )}
      </fieldset>
      <div class="controls">
        <label>
          Task
          <select
            name="task"
            .value=${live(draft.task)}
            ?disabled=${running}
            @change=${(e: Event) =>
              this.setDraft({ task: (e.target as HTMLSelectElement).value as TaskName })}
          >
            ${TASK_NAMES.map(
              (name) =>
                html`<option value=${name} ?selected=${name === draft.task}>${name}</option>`,
            )}
          </select>
        </label>
        <label>
          Optimizer
          <select
            name="optimizer"
            .value=${live(draft.optimizer)}
            ?disabled=${running}
            @change=${(e: Event) =>
              this.setDraft({
                optimizer: (e.target as HTMLSelectElement).value as OptimizerName,
              })}
          >
            ${OPTIMIZER_NAMES.map(
              (name) =>
                html`<option value=${name} ?selected=${name === draft.optimizer}>
                  ${name === 'sgd' ? 'SGD' : 'Adam'}
                </option>`,
            )}
          </select>
        </label>
        <label>
          Learning rate
          <input
            name="lr"
            inputmode="decimal"
            .value=${live(draft.lr)}
            ?disabled=${running}
            @change=${(e: Event) => this.setDraft({ lr: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label>
          Steps
          <input
            name="steps"
            inputmode="numeric"
            .value=${live(draft.steps)}
            ?disabled=${running}
            @change=${(e: Event) => this.setDraft({ steps: (e.target as HTMLInputElement).value })}
          />
        </label>
        <button
          type="button"
          data-action="start"
          ?disabled=${running || diverged || finished || this.formError !== null}
          @click=${() => void this.train(Infinity)}
        >
          ${step > 0 ? 'Resume' : 'Start'}
        </button>
        <button
          type="button"
          data-action="pause"
          ?disabled=${!running || this.pauseRequested}
          @click=${() => this.pause()}
        >
          Pause
        </button>
        <button
          type="button"
          data-action="step"
          ?disabled=${running || diverged || finished || this.formError !== null}
          @click=${() => void this.train(1)}
        >
          Step
        </button>
        <button
          type="button"
          data-action="reset"
          ?disabled=${!this.training && !running}
          @click=${() => this.reset()}
        >
          Reset
        </button>
      </div>
      <p class="note">
        Task: ${TASK_DESCRIPTIONS[draft.task]}. The loss is ½‖a⁽ᴸ⁾ − y‖² averaged over the batch of
        ${this.state.spec.batch}. Changing the task, optimizer, learning rate or the lab's network
        starts again from the initial weights.
        ${
          draft.optimizer === 'adam'
            ? html`Adam rescales every weight's step to about the learning rate, so its update
              ratios even out across layers; the gradient norms still show which layers the error
              reaches.`
            : nothing
        }
      </p>
    `;
  }

  private renderBackendNote(): unknown {
    const backend = this.state.spec.backend;
    if (backend === 'webgpu')
      return html`<p class="note" data-testid="cpu-note">
        Training runs on the CPU for now: the lab's backend is webgpu, so this section trains in f32
        on the CPU (in the page's worker), not on the GPU.
      </p>`;
    return html`<p class="note" data-testid="cpu-note">
      Training runs on the CPU (${backend === 'cpu64' ? 'f64' : 'f32'}, in the page's worker).
    </p>`;
  }

  override render(): unknown {
    const running = this.runs.running;
    const parsed = this.parsedDraft;
    const training = this.training;
    const spec = training?.spec ?? this.state.spec;
    const last = this.records.at(-1);
    // Charts and summaries as last refreshed (at most every 250 ms while training).
    const shown = this.shown;
    const records = shown?.records ?? [];
    const summary = shown?.summary ?? null;
    const lossSummary = summarizeLoss(records);
    return html`
      <p>
        Gradient descent on the lab's network (${spec.activation}, ${spec.init} init, ${spec.depth}
        hidden layers ×
        ${spec.width}${spec.residual ? ', residual' : ''}${spec.batchnorm ? ', batchnorm' : ''}).
        Each step changes W⁽ˡ⁾ by ΔW⁽ˡ⁾; the ratio ‖ΔW⁽ˡ⁾‖/‖W⁽ˡ⁾‖ says how fast layer l learns.
      </p>
      ${this.renderControls(running, parsed?.steps ?? null)}
      ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
      ${this.renderBackendNote()} ${this.runs.render()}
      <p class="status progress-line" role="status" data-testid="progress">
        ${
          training
            ? html`Step
              ${training.step}${parsed ? ` of ${parsed.steps}` : ''}${
                last ? html`; loss ${formatNumber(last.loss)}` : nothing
              }${running ? (this.pauseRequested ? ' (pausing…)' : ' (training…)') : ''}`
            : 'Not started: press Start to train, or Step for one step.'
        }
      </p>
      ${
        training?.diverged != null
          ? html`<p class="diverged" role="alert" data-testid="diverged">
              Diverged at step ${training.diverged}: the loss, a gradient or the weights were not
              finite. Lower the learning rate and Reset.
            </p>`
          : nothing
      }
      ${
        shown && records.length
          ? html`<div class="summary" data-testid="summary">
                ${summary ? html`<p><strong>${summary}</strong></p>` : nothing}
                ${lossSummary ? html`<p>${lossSummary}</p>` : nothing}
              </div>
              <div class="charts">
                <grad-chart
                  data-chart="update-ratio"
                  export-name="training-update-ratio"
                  chart-title="Update ratio ‖ΔW⁽ˡ⁾‖/‖W⁽ˡ⁾‖ per layer and step (log colour)"
                  x-label="step"
                  y-label="layer (1 = input side)"
                  .data=${shown.updateRatio}
                ></grad-chart>
                <grad-chart
                  data-chart="grad-norm"
                  export-name="training-grad-norm"
                  chart-title="Gradient norm ‖∂L/∂W⁽ˡ⁾‖ per layer and step (log colour)"
                  x-label="step"
                  y-label="layer (1 = input side)"
                  .data=${shown.gradNorm}
                ></grad-chart>
                <grad-chart
                  data-chart="loss"
                  export-name="training-loss"
                  chart-title="Minibatch loss"
                  x-label="step"
                  y-label="loss"
                  log-y
                  .data=${shown.loss}
                ></grad-chart>
              </div>`
          : nothing
      }
    `;
  }
}
