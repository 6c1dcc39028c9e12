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
import {
  COMPARISON_CHOICES,
  comparisonLossChart,
  comparisonPlan,
  comparisonRow,
  comparisonStates,
  DEFAULT_COMPARISON,
  describeNetwork,
  formatDecades,
  LAB_CONFIG_ID,
  sharedColorRange,
  trainedOn,
  type ComparisonPlan,
  type ComparisonRow,
  type TrainingConfig,
} from './training-compare.ts';

/** One network's run as the section shows it. */
export interface ConfigurationResults {
  readonly config: TrainingConfig;
  /** The latest state (null before the first chunk). */
  readonly state: TrainingState | null;
  readonly records: readonly TrainingRecord[];
  readonly updateRatio: ChartData;
  readonly gradNorm: ChartData;
  /** Its numbers at the latest step (the comparison's summary table). */
  readonly row: ComparisonRow;
}

/** What the section shows, for tests and readers. */
export interface TrainingResults {
  /** One network (the lab settings), or several trained side by side. */
  readonly mode: 'single' | 'compare';
  readonly configurations: readonly ConfigurationResults[];
  /** The loss of every network, one curve each. */
  readonly loss: ChartData;
  /** Single mode: layer 1 against layer L over the whole run, in a sentence. */
  readonly summary: string | null;
}

/** What is trained: the networks, the optimizer options and the step count. */
interface TrainingPlan {
  readonly configs: readonly TrainingConfig[];
  readonly options: TrainingOptions;
  readonly steps: number;
  /** What the runs depend on: a change starts again from the initial weights. */
  readonly key: string;
}

/** One network in training. */
interface ConfigTraining {
  readonly config: TrainingConfig;
  readonly state: TrainingState | null;
  readonly records: readonly TrainingRecord[];
  /** Why its latest chunk, meant for the GPU, was trained on the CPU (when the trainer says so). */
  readonly fallback: string | null;
}

const choiceLabel = (id: string): string =>
  COMPARISON_CHOICES.find((choice) => choice.id === id)?.label ?? id;

/**
 * Training dynamics of the lab's network: a few hundred steps of SGD or Adam on a synthetic task
 * (a random teacher network, or two spirals), run in chunks through the page's queue, with the
 * loss curve and layers × steps heat-maps of the update ratio ‖ΔW⁽ˡ⁾‖/‖W⁽ˡ⁾‖ and of the gradient
 * norm ‖∂L/∂W⁽ˡ⁾‖. With sigmoid and Xavier init the first layers update orders of magnitude more
 * slowly than the last (chapter §17.5); the presets switch the lab to the cures of §17.6.
 * Comparison mode trains several networks (the lab settings and the presets) in lockstep on one
 * training set with one optimizer, their heat-maps on one shared colour scale, their losses on one
 * chart, and a table of layer 1 against layer L at the latest step. Training starts on the Start
 * button only; Pause stops after the chunk in progress, Step trains one step, Reset starts again
 * from the initial weights, for every network at once. Each network says which backend trained it.
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
    compare: { state: true },
    selection: { state: true },
  };

  declare state: LabState;
  /** The form as typed. */
  declare draft: TrainingDraft;
  /** Whether several networks train side by side (local to the section, not in the URL). */
  declare compare: boolean;
  /** The picked comparison choices (ids of COMPARISON_CHOICES). */
  declare selection: readonly string[];

  private readonly runs = new RunController(this, { lazy: true });

  private trainings: readonly ConfigTraining[] = [];
  /** The plan key that `trainings` belong to. */
  private trainedFor = '';
  private pauseRequested = false;
  /** The form parsed (null when it has an error, shown as formError). */
  private plan: TrainingPlan | null = null;
  /** Picked comparison choices that are the same network as another (shown even on an error). */
  private merged: ComparisonPlan['merged'] = [];
  private formError: string | null = null;
  /** The charts of `trainings`, computed once per change of trainings. */
  private shown: TrainingResults | null = null;
  private shownFor: readonly ConfigTraining[] | null = null;
  /** When the charts were last redrawn during a run (they are redrawn at most every 250 ms). */
  private lastDrawn = 0;

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.draft = DEFAULT_DRAFT;
    this.compare = false;
    this.selection = DEFAULT_COMPARISON;
  }

  /** The records, charts and summaries on show. */
  get results(): TrainingResults {
    return this.refreshView();
  }

  /** Brings the charts up to date with the trainings (computed once per change). */
  private refreshView(): TrainingResults {
    const trainings = this.trainings;
    if (this.shown && this.shownFor === trainings) return this.shown;
    const compare = trainings.length > 1;
    const range = (quantity: 'updateRatio' | 'gradNorm') =>
      compare
        ? (sharedColorRange(
            trainings.map((t) => t.records),
            quantity,
          ) ?? undefined)
        : undefined;
    const updateRange = range('updateRatio');
    const gradRange = range('gradNorm');
    const first = trainings[0];
    this.shown = {
      mode: compare ? 'compare' : 'single',
      configurations: trainings.map(({ config, state, records }) => ({
        config,
        state,
        records,
        updateRatio: layerHeatmapChart(records, 'updateRatio', updateRange),
        gradNorm: layerHeatmapChart(records, 'gradNorm', gradRange),
        row: comparisonRow(config, state, records),
      })),
      loss: compare
        ? comparisonLossChart(trainings.map((t) => ({ label: t.config.label, records: t.records })))
        : lossChart(first?.records ?? []),
      summary: !compare && first ? summarizeUpdates(first.records) : null,
    };
    this.shownFor = trainings;
    this.requestUpdate();
    return this.shown;
  }

  private parseForm(): void {
    const labSpec = this.state.spec;
    const { configs, merged } = this.compare
      ? comparisonPlan(this.selection, labSpec)
      : {
          configs: [
            {
              id: LAB_CONFIG_ID,
              label: `Lab settings (${describeNetwork(labSpec)})`,
              spec: labSpec,
            },
          ],
          merged: [],
        };
    this.merged = merged;
    try {
      const { options, steps } = parseDraft(this.draft);
      if (this.compare && configs.length < 2)
        throw new SpecError(
          'compare',
          `pick at least two different networks to compare (${configs.length} picked)`,
        );
      const key = JSON.stringify([this.compare, labSpec, configs, options]);
      this.plan = { configs, options, steps, key };
      this.formError = null;
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      this.plan = null;
      this.formError = error.message;
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (
      !changed.has('state') &&
      !changed.has('draft') &&
      !changed.has('compare') &&
      !changed.has('selection')
    )
      return;
    this.parseForm();
    // New networks or new options start again from the initial weights (nothing runs until asked).
    if ((this.plan?.key ?? '') !== this.trainedFor && (this.trainings.length || this.runs.running))
      this.reset();
  }

  private reset(): void {
    this.runs.cancel(false);
    this.trainings = [];
    this.trainedFor = '';
    this.pauseRequested = false;
    this.refreshView();
  }

  /** The step all networks have reached (those that diverged stopped earlier and are left out). */
  private lockstep(): number {
    const going = this.trainings.filter((t) => t.state?.diverged == null);
    const steps = (going.length ? going : this.trainings).map((t) => t.state?.step ?? 0);
    return steps.length ? Math.min(...steps) : 0;
  }

  private allDiverged(): boolean {
    return this.trainings.length > 0 && this.trainings.every((t) => t.state?.diverged != null);
  }

  /**
   * Trains every network up to `limit` more steps, a chunk each per round: the rounds go through
   * the page's one queue, so the networks advance together, until Pause, the step count, or
   * divergence (a network that diverged stops; the others go on).
   */
  private async train(limit: number): Promise<void> {
    const plan = this.plan;
    if (!plan) return;
    const { options, key } = plan;
    if (key !== this.trainedFor) {
      this.trainings = plan.configs.map((config) => ({
        config,
        state: null,
        records: [],
        fallback: null,
      }));
      this.trainedFor = key;
    }
    const target = Math.min(plan.steps, this.lockstep() + limit);
    const labSpec = this.state.spec;
    const compare = this.trainings.length > 1;
    this.pauseRequested = false;
    await this.runs.start(async (context) => {
      const active = () =>
        this.trainings.filter((t) => t.state?.diverged == null && (t.state?.step ?? 0) < target);
      context.setTotal(Math.ceil((target - this.lockstep()) / CHUNK_STEPS) * active().length);
      // A comparison starts every network on the lab settings' training set (comparisonStates).
      const initial =
        compare && this.trainings.some((t) => !t.state)
          ? comparisonStates(
              this.trainings.map((t) => t.config),
              labSpec,
              options,
            )
          : [];
      while (active().length && !this.pauseRequested) {
        const round = active();
        const chunks = await Promise.all(
          round.map((training) => {
            const step = training.state?.step ?? 0;
            const index = this.trainings.indexOf(training);
            return context.train({
              spec: training.config.spec,
              options,
              state: training.state ?? initial[index] ?? null,
              steps: Math.min(CHUNK_STEPS, target - step),
            });
          }),
        );
        if (context.signal.aborted || this.trainedFor !== key) return this.results;
        this.trainings = this.trainings.map((training) => {
          const i = round.indexOf(training);
          if (i < 0) return training;
          const chunk = chunks[i]!;
          return {
            ...training,
            state: chunk.state,
            records: [...training.records, ...chunk.records],
            fallback: chunk.fallback ?? null,
          };
        });
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

  private toggleChoice(id: string, picked: boolean): void {
    const others = this.selection.filter((s) => s !== id);
    this.selection = picked ? [...others, id] : others;
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

  private renderComparisonChoices(running: boolean): unknown {
    const merged = this.merged;
    return html`
      <label class="inline">
        <input
          type="checkbox"
          name="compare"
          .checked=${live(this.compare)}
          ?disabled=${running}
          @change=${(e: Event) => {
            this.compare = (e.target as HTMLInputElement).checked;
          }}
        />
        Compare several networks side by side
      </label>
      ${
        this.compare
          ? html`<fieldset data-testid="compare-choices">
                <legend>Networks to compare (the lab's sizes, each with its own network)</legend>
                ${COMPARISON_CHOICES.map(
                  (choice) =>
                    html`<label class="inline">
                      <input
                        type="checkbox"
                        name="config"
                        value=${choice.id}
                        .checked=${live(this.selection.includes(choice.id))}
                        ?disabled=${running}
                        @change=${(e: Event) =>
                          this.toggleChoice(choice.id, (e.target as HTMLInputElement).checked)}
                      />
                      ${
                        choice.id === LAB_CONFIG_ID
                          ? `the lab settings (${describeNetwork(this.state.spec)})`
                          : choice.label
                      }
                    </label>`,
                )}
              </fieldset>
              ${merged.map(
                ({ id, sameAs }) =>
                  html`<p class="note" data-testid="merged">
                    ${choiceLabel(id)} is the same network as ${choiceLabel(sameAs)}: trained once.
                  </p>`,
              )}`
          : nothing
      }
    `;
  }

  private renderControls(running: boolean): unknown {
    const draft = this.draft;
    const step = this.lockstep();
    const stepsTarget = this.plan?.steps ?? null;
    const diverged = this.allDiverged();
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
      ${this.renderComparisonChoices(running)}
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
          ?disabled=${!this.trainings.length && !running}
          @click=${() => this.reset()}
        >
          Reset
        </button>
      </div>
      <p class="note">
        Task: ${TASK_DESCRIPTIONS[draft.task]}. The loss is ½‖a⁽ᴸ⁾ − y‖² averaged over the batch of
        ${this.state.spec.batch}. Changing the task, optimizer, learning rate, the compared networks
        or the lab's network starts again from the initial weights.
        ${
          this.compare
            ? html`Compared networks train in lockstep on the same training set (the lab settings'),
              in the same minibatch order, with the same optimizer and learning rate; Pause, Step
              and Reset act on all of them.`
            : nothing
        }
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

  /** Which backend trains: predicted from the lab's backend, then read from the trained state. */
  private renderBackendNote(): unknown {
    const backend = this.state.spec.backend;
    const state = this.trainings[0]?.state;
    if (!this.compare && state) {
      const on = trainedOn(state);
      return html`<p class="note" data-testid="cpu-note">
        Trained on
        ${on}${
          backend === 'webgpu' && !on.startsWith('webgpu')
            ? ': the lab’s backend is webgpu, but this training ran on the CPU.'
            : '.'
        }
      </p>`;
    }
    if (backend === 'webgpu')
      return html`<p class="note" data-testid="cpu-note">
        Training runs on the GPU (webgpu, f32: weights and optimizer state stay on the device);
        where WebGPU is unavailable it runs on the CPU in f32 and says so. Each trained network
        shows the backend that trained it.
      </p>`;
    return html`<p class="note" data-testid="cpu-note">
      Training runs on the CPU (${backend === 'cpu64' ? 'f64' : 'f32'}, in the page's worker).
    </p>`;
  }

  /** Why networks meant for the GPU trained on the CPU, once per distinct reason. */
  private renderFallbacks(): unknown {
    const reasons = [...new Set(this.trainings.map((t) => t.fallback).filter((f) => f !== null))];
    return reasons.map(
      (reason) =>
        html`<p class="error" role="status" data-testid="training-fallback">${reason}</p>`,
    );
  }

  private renderProgress(running: boolean): unknown {
    const plan = this.plan;
    const trainings = this.trainings;
    if (!trainings.some((t) => t.state))
      return 'Not started: press Start to train, or Step for one step.';
    const step = this.lockstep();
    const of = plan ? ` of ${plan.steps}` : '';
    const activity = running ? (this.pauseRequested ? ' (pausing…)' : ' (training…)') : '';
    if (trainings.length === 1) {
      const last = trainings[0]!.records.at(-1);
      return html`Step
      ${step}${of}${last ? html`; loss ${formatNumber(last.loss)}` : nothing}${activity}`;
    }
    return html`Step ${step}${of} for ${trainings.length} networks in lockstep${activity}`;
  }

  private renderDiverged(): unknown {
    const diverged = this.trainings.filter((t) => t.state?.diverged != null);
    if (!diverged.length) return nothing;
    if (this.trainings.length === 1)
      return html`<p class="diverged" role="alert" data-testid="diverged">
        Diverged at step ${diverged[0]!.state!.diverged}: the loss, a gradient or the weights were
        not finite. Lower the learning rate and Reset.
      </p>`;
    return html`<p class="diverged" role="alert" data-testid="diverged">
      ${diverged.map((t) => `${t.config.label} diverged at step ${t.state!.diverged}`).join('; ')}:
      the loss, a gradient or the weights were not finite, and that network stopped. Lower the
      learning rate and Reset.
    </p>`;
  }

  private renderSingle(shown: TrainingResults): unknown {
    const run = shown.configurations[0];
    if (!run || !run.records.length) return nothing;
    const lossSummary = summarizeLoss(run.records);
    return html`<div class="summary" data-testid="summary">
        ${shown.summary ? html`<p><strong>${shown.summary}</strong></p>` : nothing}
        ${lossSummary ? html`<p>${lossSummary}</p>` : nothing}
      </div>
      <div class="charts">
        <grad-chart
          export
          data-chart="update-ratio"
          export-name="training-update-ratio"
          chart-title="Update ratio ‖ΔW⁽ˡ⁾‖/‖W⁽ˡ⁾‖ per layer and step (log colour)"
          x-label="step"
          y-label="layer (1 = input side)"
          .data=${run.updateRatio}
        ></grad-chart>
        <grad-chart
          export
          data-chart="grad-norm"
          export-name="training-grad-norm"
          chart-title="Gradient norm ‖∂L/∂W⁽ˡ⁾‖ per layer and step (log colour)"
          x-label="step"
          y-label="layer (1 = input side)"
          .data=${run.gradNorm}
        ></grad-chart>
        <grad-chart
          export
          data-chart="loss"
          export-name="training-loss"
          chart-title="Minibatch loss"
          x-label="step"
          y-label="loss"
          log-y
          .data=${shown.loss}
        ></grad-chart>
      </div>`;
  }

  private renderComparisonTable(rows: readonly ComparisonRow[]): unknown {
    const layers = this.trainings[0]?.state?.sizes.length;
    const lastLayer = layers ? `layer ${layers - 1}` : 'layer L';
    const ratio = (value: number) =>
      Number.isFinite(value)
        ? html`<td>${formatNumber(value)}</td>`
        : html`<td class="nonfinite">${String(value)}</td>`;
    return html`<div
      class="table-wrap"
      role="region"
      aria-label="Comparison at the latest step"
      tabindex="0"
    >
      <table part="table" data-testid="compare-table">
        <caption>
          Each network at its latest step: how fast layer 1 moves against ${lastLayer}
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
          ${rows.map(
            (row) =>
              html`<tr data-config=${row.id} data-decades=${row.decades}>
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
    </div>`;
  }

  private renderComparison(shown: TrainingResults): unknown {
    const runs = shown.configurations;
    if (!runs.some((run) => run.records.length)) return nothing;
    return html`${this.renderComparisonTable(runs.map((run) => run.row))}
      <p class="note">
        A negative order of magnitude means layer 1 updates more slowly than the last layer: −3 is a
        thousand times. The heat-maps share one colour scale per quantity, so equal colours are
        equal values across networks.
      </p>
      <grad-chart
        export
        data-chart="loss"
        export-name="training-compare-loss"
        chart-title="Minibatch loss of each network"
        x-label="step"
        y-label="loss"
        log-y
        .data=${shown.loss}
      ></grad-chart>
      <div class="compare-grid">
        ${runs.map(
          (run) =>
            html`<section
              class="network"
              data-config=${run.config.id}
              aria-labelledby="network-${run.config.id}"
            >
              <h3 id="network-${run.config.id}">${run.config.label}</h3>
              <p class="note">
                ${describeNetwork(run.config.spec)};
                ${run.state ? `trained on ${trainedOn(run.state)}` : 'not trained yet'}.
              </p>
              <grad-chart
                export
                data-chart="update-ratio"
                data-config=${run.config.id}
                export-name="training-update-ratio-${run.config.id}"
                chart-title="${run.config.label}: update ratio ‖ΔW⁽ˡ⁾‖/‖W⁽ˡ⁾‖ (shared log colour)"
                x-label="step"
                y-label="layer (1 = input side)"
                .data=${run.updateRatio}
              ></grad-chart>
              <grad-chart
                export
                data-chart="grad-norm"
                data-config=${run.config.id}
                export-name="training-grad-norm-${run.config.id}"
                chart-title="${run.config.label}: gradient norm ‖∂L/∂W⁽ˡ⁾‖ (shared log colour)"
                x-label="step"
                y-label="layer (1 = input side)"
                .data=${run.gradNorm}
              ></grad-chart>
            </section>`,
        )}
      </div>`;
  }

  override render(): unknown {
    const running = this.runs.running;
    const spec: RunSpec = this.trainings[0]?.state?.spec ?? this.state.spec;
    // Charts and summaries as last refreshed (at most every 250 ms while training).
    const shown = this.shown;
    return html`
      <p>
        ${
          this.compare
            ? html`Gradient descent on several networks of the lab's sizes (${spec.depth} hidden
              layers × ${spec.width}), side by side.`
            : html`Gradient descent on the lab's network (${spec.activation}, ${spec.init} init,
              ${spec.depth} hidden layers ×
              ${spec.width}${spec.residual ? ', residual' : ''}${spec.batchnorm ? ', batchnorm' : ''}).`
        }
        Each step changes W⁽ˡ⁾ by ΔW⁽ˡ⁾; the ratio ‖ΔW⁽ˡ⁾‖/‖W⁽ˡ⁾‖ says how fast layer l learns.
      </p>
      ${this.renderControls(running)}
      ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
      ${this.renderBackendNote()} ${this.renderFallbacks()} ${this.runs.render()}
      <p class="status progress-line" role="status" data-testid="progress">
        ${this.renderProgress(running)}
      </p>
      ${this.renderDiverged()}
      ${
        shown
          ? shown.mode === 'compare'
            ? this.renderComparison(shown)
            : this.renderSingle(shown)
          : nothing
      }
    `;
  }
}
