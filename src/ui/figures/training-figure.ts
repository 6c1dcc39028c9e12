/**
 * What the training figures share (grad-training-heatmap, grad-training-loss,
 * grad-training-summary): the attributes that choose the training (task, optimizer, lr, steps,
 * networks, beside the run spec's), the session they show (training-session.ts: figures with the
 * same spec and attributes show one training), and its controls. `compact` gives Start, Pause,
 * Step and Reset with the progress line; `full` adds the training's settings (task, optimizer,
 * learning rate, steps, and the networks to compare), which a figure on its own writes to its
 * attributes and a section takes up for all its figures. A figure whose session has controls
 * nowhere (every figure `controls="none"`) trains by itself when it comes near the viewport.
 */
import { css, html, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import {
  DEFAULT_LEARNING_RATE,
  OPTIMIZER_NAMES,
  parseTrainingOptions,
  type OptimizerName,
  type TrainingOptions,
} from '../../backends/cpu/training-options.ts';
import { SpecError } from '../../engine/spec.ts';
import { TASK_NAMES, type TaskName } from '../../engine/tasks.ts';
import type { FigureControls } from '../figure/figure-controls.ts';
import { choiceListOption, choiceOption, type OptionRule } from '../figure/figure-options.ts';
import { GradFigure } from '../figure/grad-figure.ts';
import { watchNear } from '../figure/near-viewport.ts';
import { RunFigure } from '../figure/run-figure.ts';
import {
  COMPARISON_CHOICES,
  comparisonPlan,
  describeNetwork,
  LAB_CONFIG_ID,
  setupKey,
  trainingSetup,
  type TrainingSetup,
} from '../grad-training/training-compare.ts';
import {
  DEFAULT_PAGE_STEPS,
  formatNumber,
  PAGE_MAX_STEPS,
  parseDraft,
  type TrainingDraft,
} from '../grad-training/training-data.ts';
import {
  joinSession,
  leaveSession,
  type SessionMember,
  type TrainingSession,
} from './training-session.ts';

const CHOICE_IDS = COMPARISON_CHOICES.map((choice) => choice.id);

export const TASK = choiceOption('task', TASK_NAMES, 'teacher');
export const OPTIMIZER = choiceOption('optimizer', OPTIMIZER_NAMES, 'sgd');

/** The learning rate; null (no attribute) is the optimizer's default. */
export const LEARNING_RATE: OptionRule<number | null> = {
  attribute: 'lr',
  fallback: null,
  allowed: `a number > 0 and ≤ 100 (default ${DEFAULT_LEARNING_RATE.sgd} for sgd, ${DEFAULT_LEARNING_RATE.adam} for adam)`,
  parse: (raw) => {
    try {
      return parseTrainingOptions({ lr: raw }).learningRate;
    } catch {
      return undefined;
    }
  },
  format: (value) => (value === null ? '' : String(value)),
};

export const STEPS: OptionRule<number> = {
  attribute: 'steps',
  fallback: DEFAULT_PAGE_STEPS,
  allowed: `an integer from 1 to ${PAGE_MAX_STEPS}`,
  parse: (raw) => {
    const text = raw.trim();
    const value = Number(text);
    return /^\d+$/.test(text) && value >= 1 && value <= PAGE_MAX_STEPS ? value : undefined;
  },
  format: (value) => String(value),
};

/** The networks trained: the lab settings alone, or several side by side (a comparison). */
export const NETWORKS = choiceListOption('networks', CHOICE_IDS, [LAB_CONFIG_ID]);

export const TRAINING_OPTION_RULES: readonly OptionRule<unknown>[] = [
  TASK,
  OPTIMIZER,
  LEARNING_RATE,
  STEPS,
  NETWORKS,
] as OptionRule<unknown>[];

/** The attributes that choose a training; a section hands the same ones to all its figures. */
export const TRAINING_KEYS: readonly string[] = TRAINING_OPTION_RULES.map((rule) => rule.attribute);

/** The settings form as typed, until it is valid and committed to the attributes. */
interface SettingsDraft extends TrainingDraft {
  /** Whether several networks are compared, and which (ids of COMPARISON_CHOICES). */
  readonly compare: boolean;
  readonly selection: readonly string[];
}

/** The attributes' values as the form writes them. */
type Committed = Record<'task' | 'optimizer' | 'lr' | 'steps' | 'networks', string>;

const choiceLabel = (id: string): string =>
  COMPARISON_CHOICES.find((choice) => choice.id === id)?.label ?? id;

export const trainingFigureStyles = css`
  .controls > .row {
    flex: 1 1 100%;
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1rem;
    align-items: end;
  }
  .controls > .row > p {
    margin: 0;
  }
  .controls fieldset {
    min-width: 0;
    max-width: 100%;
  }
  select,
  input {
    max-width: 100%;
    min-width: 0;
  }
  input[name='lr'],
  input[name='steps'] {
    width: 7rem;
  }
  .progress-line {
    font-variant-numeric: tabular-nums;
    margin: 0;
  }
  .diverged {
    color: var(--grad-error, #b00020);
    font-weight: 600;
  }
  .run-status .status {
    background: color-mix(in srgb, var(--grad-surface, #ffffff) 85%, transparent);
  }
`;

export abstract class TrainingFigure extends RunFigure {
  static override styles = [GradFigure.styles, trainingFigureStyles];
  static override optionRules = TRAINING_OPTION_RULES;
  static override properties = {
    ...GradFigure.properties,
    draft: { state: true },
    draftError: { state: true },
  };

  declare draft: SettingsDraft;
  /** What is wrong with the settings as typed (they are not applied meanwhile). */
  declare draftError: string | null;

  private joined: TrainingSession | null = null;
  /** Why the attributes make no training (shown instead of it). */
  private setupError: string | null = null;
  private lastCommitted: Committed | null = null;

  /** How the session sees this figure. */
  private readonly member: SessionMember = this.makeMember();

  constructor() {
    super();
    this.draft = {
      task: 'teacher',
      optimizer: 'sgd',
      lr: String(DEFAULT_LEARNING_RATE.sgd),
      steps: String(DEFAULT_PAGE_STEPS),
      compare: false,
      selection: ['sigmoid', 'relu'],
    };
    this.draftError = null;
  }

  private makeMember(): SessionMember {
    const steps = (): number => this.option(STEPS);
    const controlled = (): boolean => this.controls !== 'none';
    return {
      runner: this.runs,
      get steps() {
        return steps();
      },
      get controlled() {
        return controlled();
      },
      watchNear: (listener) => watchNear(this, listener),
      sessionChanged: () => this.requestUpdate(),
    };
  }

  /** The training this figure shows (shared with every figure of the same configuration). */
  get session(): TrainingSession | null {
    return this.joined;
  }

  /** The optimizer and task options from the attributes. */
  protected trainingOptions(): TrainingOptions {
    const lr = this.option(LEARNING_RATE);
    return parseTrainingOptions({
      task: this.option(TASK),
      optimizer: this.option(OPTIMIZER),
      ...(lr === null ? {} : { lr }),
    });
  }

  /** What is trained: the networks listed, on the state's spec, with the options. */
  protected setup(): TrainingSetup {
    return trainingSetup(this.state.spec, this.trainingOptions(), this.option(NETWORKS));
  }

  protected override planKey(): string {
    return JSON.stringify([
      this.state.spec,
      this.option(TASK),
      this.option(OPTIMIZER),
      this.option(LEARNING_RATE),
      this.option(NETWORKS),
      this.option(STEPS),
      this.controls,
    ]);
  }

  /** Joins the session of the current configuration (leaving the one it showed before). */
  protected override plan(): void {
    let setup: TrainingSetup;
    try {
      setup = this.setup();
      this.setupError = null;
    } catch (error) {
      // A preset that cannot apply to the lab's spec: say so, and show no training.
      if (!(error instanceof SpecError)) throw error;
      this.setupError = error.message;
      if (this.joined) leaveSession(this.joined, this.member);
      this.joined = null;
      return;
    }
    if (this.joined?.key === setupKey(setup)) {
      this.joined.membersChanged();
      return;
    }
    if (this.joined) leaveSession(this.joined, this.member);
    this.joined = joinSession(setup, this.member);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.joined) leaveSession(this.joined, this.member);
    this.joined = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.syncDraft();
    super.willUpdate(changed);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const session = this.joined;
    this.toggleAttribute('data-complete', Boolean(session?.finished && !session.running));
  }

  /** The attributes' values, as the settings form shows them. */
  private committed(): Committed {
    return {
      task: this.option(TASK),
      optimizer: this.option(OPTIMIZER),
      lr: String(this.trainingOptions().learningRate),
      steps: String(this.option(STEPS)),
      networks: this.option(NETWORKS).join(','),
    };
  }

  /** A setting changed from outside (a preset, a section, an attribute): the form shows it. */
  private syncDraft(): void {
    const now = this.committed();
    const before = this.lastCommitted;
    if (before && (Object.keys(now) as (keyof Committed)[]).every((k) => now[k] === before[k]))
      return;
    this.lastCommitted = now;
    let draft: SettingsDraft = this.draft;
    for (const key of ['task', 'optimizer', 'lr', 'steps'] as const) {
      if (before?.[key] !== now[key]) draft = { ...draft, [key]: now[key] };
    }
    if (before?.networks !== now.networks) {
      const networks = now.networks.split(',');
      draft =
        networks.length > 1
          ? { ...draft, compare: true, selection: networks }
          : { ...draft, compare: false };
    }
    this.draft = draft;
    this.draftError = null;
  }

  /** The attributes the draft stands for, or the problem with it (naming the field). */
  private checkDraft(draft: SettingsDraft): Committed | string {
    try {
      const { steps } = parseDraft(draft);
      let networks = [LAB_CONFIG_ID];
      if (draft.compare) {
        const { configs } = comparisonPlan(draft.selection, this.state.spec);
        if (configs.length < 2)
          throw new SpecError(
            'compare',
            `pick at least two different networks to compare (${configs.length} picked)`,
          );
        networks = CHOICE_IDS.filter((id) => draft.selection.includes(id));
      }
      return {
        task: draft.task,
        optimizer: draft.optimizer,
        lr: draft.lr.trim(),
        steps: String(steps),
        networks: networks.join(','),
      };
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      return error.message;
    }
  }

  /** Keeps what is being typed (a redraw meanwhile must not undo it); applied on change. */
  private typeDraft(patch: Partial<SettingsDraft>): void {
    this.draft = { ...this.draft, ...patch };
  }

  /** Applies an edit of the form: a valid form changes the attributes it differs in. */
  private editDraft(patch: Partial<SettingsDraft>): void {
    this.draft = { ...this.draft, ...patch };
    const checked = this.checkDraft(this.draft);
    if (typeof checked === 'string') {
      this.draftError = checked;
      return;
    }
    this.draftError = null;
    const committed = this.committed();
    const changed = Object.fromEntries(
      (Object.keys(checked) as (keyof Committed)[])
        .filter((key) => checked[key] !== committed[key])
        .map((key) => [key, checked[key]]),
    );
    if (Object.keys(changed).length) this.changeState(changed);
  }

  private renderSettingsForm(running: boolean): unknown {
    const draft = this.draft;
    const merged = draft.compare ? comparisonPlan(draft.selection, this.state.spec).merged : [];
    return html`<div class="row training-options">
        <label>
          Task
          <select
            name="task"
            .value=${live(draft.task)}
            ?disabled=${running}
            @change=${(e: Event) =>
              this.editDraft({ task: (e.target as HTMLSelectElement).value as TaskName })}
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
              this.editDraft({
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
            aria-describedby="training-error"
            @input=${(e: Event) => this.typeDraft({ lr: (e.target as HTMLInputElement).value })}
            @change=${(e: Event) => this.editDraft({ lr: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label>
          Steps
          <input
            name="steps"
            inputmode="numeric"
            .value=${live(draft.steps)}
            ?disabled=${running}
            aria-describedby="training-error"
            @input=${(e: Event) => this.typeDraft({ steps: (e.target as HTMLInputElement).value })}
            @change=${(e: Event) => this.editDraft({ steps: (e.target as HTMLInputElement).value })}
          />
        </label>
      </div>
      <div class="row networks">
        <label class="inline">
          <input
            type="checkbox"
            name="compare"
            .checked=${live(draft.compare)}
            ?disabled=${running}
            @change=${(e: Event) =>
              this.editDraft({ compare: (e.target as HTMLInputElement).checked })}
          />
          Compare several networks side by side
        </label>
        ${
          draft.compare
            ? html`<fieldset data-testid="compare-choices">
                <legend>Networks to compare (the lab's sizes, each with its own network)</legend>
                ${COMPARISON_CHOICES.map(
                  (choice) =>
                    html`<label class="inline">
                      <input
                        type="checkbox"
                        name="config"
                        value=${choice.id}
                        .checked=${live(draft.selection.includes(choice.id))}
                        ?disabled=${running}
                        @change=${(e: Event) => {
                          const others = draft.selection.filter((id) => id !== choice.id);
                          this.editDraft({
                            selection: (e.target as HTMLInputElement).checked
                              ? [...others, choice.id]
                              : others,
                          });
                        }}
                      />
                      ${
                        choice.id === LAB_CONFIG_ID
                          ? `the lab settings (${describeNetwork(this.state.spec)})`
                          : choice.label
                      }
                    </label>`,
                )}
              </fieldset>`
            : nothing
        }
        ${merged.map(
          ({ id, sameAs }) =>
            html`<p class="note" data-testid="merged">
              ${choiceLabel(id)} is the same network as ${choiceLabel(sameAs)}: trained once.
            </p>`,
        )}
      </div>`;
  }

  /** "Step 40 of 200; loss 0.0123 (training…)", or for a comparison the networks in lockstep. */
  protected progressText(): string {
    const session = this.joined;
    if (!session?.started)
      return session?.running
        ? 'Starting…'
        : 'Not started: press Start to train, or Step for one step.';
    const activity = session.running
      ? session.pausing
        ? ' (pausing…)'
        : session.offScreen
          ? ' (paused while off screen)'
          : ' (training…)'
      : '';
    const of = `Step ${session.step} of ${session.target}`;
    if (session.networks.length === 1) {
      const last = session.networks[0]!.records.at(-1);
      return `${of}${last ? `; loss ${formatNumber(last.loss)}` : ''}${activity}`;
    }
    return `${of} for ${session.networks.length} networks in lockstep${activity}`;
  }

  /** Errors, CPU fallbacks and divergence; `alerts` gives them roles (one place per session). */
  private renderNotices(alerts: boolean): unknown {
    const session = this.joined;
    if (this.setupError) return html`<p class="error" role="alert">${this.setupError}</p>`;
    if (!session) return nothing;
    const diverged = session.networks.filter((n) => n.state?.diverged != null);
    const divergedText =
      session.networks.length === 1
        ? `Diverged at step ${diverged[0]?.state?.diverged}: the loss, a gradient or the weights were not finite. Lower the learning rate and Reset.`
        : `${diverged.map((n) => `${n.config.label} diverged at step ${n.state!.diverged}`).join('; ')}: the loss, a gradient or the weights were not finite, and that network stopped. Lower the learning rate and Reset.`;
    return html`${
      session.error
        ? html`<p class="error" role=${alerts ? 'alert' : nothing}>${session.error}</p>`
        : nothing
    }${session.fallbacks.map(
      (reason) =>
        html`<p class="error" role="status" data-testid="training-fallback">${reason}</p>`,
    )}${
      diverged.length
        ? html`<p
            class="diverged"
            role=${alerts ? 'alert' : nothing}
            data-testid=${alerts ? 'diverged' : nothing}
          >
            ${divergedText}
          </p>`
        : nothing
    }`;
  }

  /** Start, Pause, Step and Reset (compact), with the settings before them (full). */
  protected override renderControls(ui: FigureControls): unknown {
    const session = this.joined;
    const running = session?.running ?? false;
    const canTrain = Boolean(session?.canTrain) && this.draftError === null;
    return html`${this.controls === 'full' ? this.renderSettingsForm(running) : nothing}
      <div class="row buttons" role="group" aria-label="training">
        <button
          type="button"
          data-action="start"
          ?disabled=${!canTrain}
          @click=${() => session?.start()}
        >
          ${(session?.step ?? 0) > 0 ? 'Resume' : 'Start'}
        </button>
        <button
          type="button"
          data-action="pause"
          ?disabled=${!running || Boolean(session?.pausing)}
          @click=${() => session?.pause()}
        >
          Pause
        </button>
        <button
          type="button"
          data-action="step"
          ?disabled=${!canTrain}
          @click=${() => session?.stepOnce()}
        >
          Step
        </button>
        <button
          type="button"
          data-action="reset"
          ?disabled=${!session?.networks.length && !running}
          @click=${() => session?.reset()}
        >
          Reset
        </button>
      </div>
      <div class="row">
        <p class="status progress-line" role="status" data-testid="progress">
          ${this.progressText()}
        </p>
      </div>
      <div class="row">${ui.fieldError('training-error', this.draftError)}</div>
      <div class="row">${this.renderNotices(true)}</div>`;
  }

  /**
   * Over the chart: progress and notices, where no figure of the session shows controls (those
   * show them once, beside Start and Pause).
   */
  protected override runStatus(): unknown {
    const session = this.joined;
    if (this.setupError && this.controls === 'none') return this.renderNotices(true);
    if (!session || session.controlled) return nothing;
    return html`<div class="run-status" part="run-status">
      ${
        session.running
          ? html`<span class="status" role="status"
              >${
                session.offScreen
                  ? 'paused while off screen'
                  : `training: step ${session.step} of ${session.target}`
              }</span
            >`
          : nothing
      }
      ${this.renderNotices(true)}
    </div>`;
  }

  /**
   * A value computed from the session, kept until the session redraws or `deps` change: a figure
   * re-renders more often than its session changes (the driving figure at every chunk).
   */
  protected cached<T>(deps: readonly unknown[], compute: () => T): T {
    const session = this.joined;
    const key = [session, session?.version, ...deps];
    const memo = this.memo;
    if (memo && memo.key.length === key.length && memo.key.every((v, i) => v === key[i]))
      return memo.value as T;
    const value = compute();
    this.memo = { key, value };
    return value;
  }

  private memo: { key: unknown[]; value: unknown } | null = null;
}
