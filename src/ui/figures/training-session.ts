/**
 * One training run that several figure elements show. The heat-maps, the loss curve and the
 * summary table of a training are separate elements, often far apart on a page, yet they must
 * show the same weights at the same step, and a comparison's networks must advance in lockstep.
 * So the training lives here, not in a figure: a session per configuration (the networks, the
 * task and optimizer options, and the shared training set of a comparison: setupKey), created by
 * the first figure that shows it and dropped when the last one leaves.
 *
 * A session trains chunk by chunk through one of its figures' RunControllers (TaskContext.train):
 * the chunks go through the page's one queue, and the driving figure is one near the viewport,
 * handed over to another when it scrolls away, so the session pauses between chunks only while
 * none of its figures is near, and stops when the last one is removed. Start, Pause, Step and Reset
 * act on the session; every figure of it redraws (at most every REDRAW_MS while training). A
 * session none of whose figures shows controls trains by itself, up to the step count its figures
 * ask for, once one of them comes near.
 *
 * Nothing here touches the DOM: a figure joins as a SessionMember (its runner, its nearness and
 * its redraw), so the rules are tested in Node with members made by hand.
 */
import type { TrainingRecord, TrainingState } from '../../backends/cpu/training-state.ts';
import type { TaskContext } from '../lab/run-controller.ts';
import {
  comparisonStates,
  setupKey,
  sharedColorRange,
  type TrainingConfig,
  type TrainingSetup,
} from '../grad-training/training-compare.ts';
import { CHUNK_STEPS, type LayerQuantity } from '../grad-training/training-data.ts';

/** While training, figures redraw at most this often (thousands of heat-map columns are slow). */
export const REDRAW_MS = 250;

/** What a session needs of a figure's RunController (lab/run-controller.ts). */
export interface SessionRunner {
  start<T>(task: (context: TaskContext) => Promise<T>): Promise<T | undefined>;
  cancel(report?: boolean): void;
  /** Waiting, before its task starts, for its element to come near. */
  readonly waiting: boolean;
  /** Waiting, between two jobs, for its element to come back near. */
  readonly paused: boolean;
  /** Why its last task failed before it could start (e.g. the run code did not load). */
  readonly error: string | null;
}

/** A figure that shows a session. */
export interface SessionMember {
  readonly runner: SessionRunner;
  /** Steps the figure asks for: a session trains up to the most any of its figures asks. */
  readonly steps: number;
  /** Whether the figure shows Start, Pause, Step and Reset. */
  readonly controlled: boolean;
  /** Calls `listener` with whether the figure is near the viewport, now and on each change. */
  watchNear(listener: (near: boolean) => void): () => void;
  /** The session changed: redraw. */
  sessionChanged(): void;
}

/** One network of a session. */
export interface NetworkTraining {
  readonly config: TrainingConfig;
  /** The latest state; null before its first chunk. */
  readonly state: TrainingState | null;
  readonly records: readonly TrainingRecord[];
  /** Why its latest chunk, meant for the GPU, was trained on the CPU (as the trainer says). */
  readonly fallback: string | null;
}

interface Membership {
  near: boolean;
  stop: () => void;
}

export class TrainingSession {
  /** The networks in training; empty before the first Start or Step, and after Reset. */
  networks: readonly NetworkTraining[] = [];
  /** Why training stopped on an error; cleared by the next Start or Step. */
  error: string | null = null;
  /** Changes each time the figures are told to redraw (what they draw may be cached by it). */
  version = 0;

  /** The step the current run trains to ('target': the figures' step count), or null. */
  private goal: number | 'target' | null = null;
  private pauseRequested = false;
  /** The figure whose RunController runs the training now. */
  private driver: SessionMember | null = null;
  /** Reset starts a new generation: chunks of an older one are dropped. */
  private generation = 0;
  /** The comparison's initial states, all on one training set (null: the trainer makes them). */
  private initial: readonly (TrainingState | null)[] = [];
  /** An autostart decision waits for the end of the current task (autostart()). */
  private autostartPending = false;
  private readonly members = new Map<SessionMember, Membership>();
  private lastNotified = -Infinity;
  private trailing: ReturnType<typeof setTimeout> | null = null;
  private ranges = new Map<LayerQuantity, { min: number; max: number } | null>();
  /** The networks `ranges` were computed from. */
  private rangesOf: readonly NetworkTraining[] | null = null;

  constructor(
    readonly key: string,
    readonly setup: TrainingSetup,
  ) {}

  get memberCount(): number {
    return this.members.size;
  }

  /** Whether a Start or Step is in progress (Pause ends it after the chunk in progress). */
  get running(): boolean {
    return this.goal !== null;
  }

  /** Pause was pressed and the chunk in progress is finishing. */
  get pausing(): boolean {
    return this.running && this.pauseRequested;
  }

  /** Training, but waiting because none of the session's figures is near the viewport. */
  get offScreen(): boolean {
    return this.running && ![...this.members.values()].some((m) => m.near);
  }

  /** Whether some figure of the session shows controls (then it, not the session, starts). */
  get controlled(): boolean {
    return [...this.members.keys()].some((member) => member.controlled);
  }

  /** The step every network has reached (those that diverged stopped earlier and are left out). */
  get step(): number {
    const going = this.networks.filter((n) => n.state?.diverged == null);
    const steps = (going.length ? going : this.networks).map((n) => n.state?.step ?? 0);
    return steps.length ? Math.min(...steps) : 0;
  }

  /** The steps to train: the most that any figure of the session asks for. */
  get target(): number {
    return Math.max(0, ...[...this.members.keys()].map((member) => member.steps));
  }

  /** Whether any network has taken a step. */
  get started(): boolean {
    return this.networks.some((n) => n.state !== null);
  }

  get allDiverged(): boolean {
    return this.networks.length > 0 && this.networks.every((n) => n.state?.diverged != null);
  }

  /** Trained to the target, or every network diverged. */
  get finished(): boolean {
    return this.started && (this.allDiverged || this.step >= this.target);
  }

  /** Whether Start and Step can train now. */
  get canTrain(): boolean {
    return !this.running && !this.finished && this.members.size > 0;
  }

  /** Why networks meant for the GPU trained on the CPU, once per distinct reason. */
  get fallbacks(): string[] {
    return [...new Set(this.networks.flatMap((n) => (n.fallback ? [n.fallback] : [])))];
  }

  /** The colour range a quantity's heat-maps share across the networks (null: no value yet). */
  colorRange(quantity: LayerQuantity): { min: number; max: number } | null {
    if (this.rangesOf !== this.networks) {
      this.ranges = new Map();
      this.rangesOf = this.networks;
    }
    if (!this.ranges.has(quantity))
      this.ranges.set(
        quantity,
        sharedColorRange(
          this.networks.map((n) => n.records),
          quantity,
        ),
      );
    return this.ranges.get(quantity)!;
  }

  /** Trains up to the target (Start, or Resume after Pause). */
  start(): void {
    this.run('target');
  }

  /** Trains one step. */
  stepOnce(): void {
    this.run(this.step + 1);
  }

  /** Stops after the chunk in progress. */
  pause(): void {
    if (!this.running) return;
    this.pauseRequested = true;
    this.notify(true);
  }

  /** Back to the initial weights, nothing trained. */
  reset(): void {
    this.generation++;
    this.goal = null;
    this.pauseRequested = false;
    this.error = null;
    this.networks = [];
    this.initial = [];
    this.driver?.runner.cancel(false);
    this.notify(true);
  }

  /** A figure starts showing the session. */
  join(member: SessionMember): void {
    if (this.members.has(member)) return;
    const membership: Membership = { near: false, stop: () => {} };
    this.members.set(member, membership);
    membership.stop = member.watchNear((near) => {
      if (membership.near === near) return;
      membership.near = near;
      this.nearChanged();
    });
    this.membersChanged();
    // A run left without a figure (one moved in the page) goes on with this one.
    this.drive();
  }

  /** A figure stops showing the session; the last one to leave stops the training. */
  leave(member: SessionMember): void {
    const membership = this.members.get(member);
    if (!membership) return;
    membership.stop();
    this.members.delete(member);
    // The run goes on with another figure (drive() after the driver's task ends).
    if (this.driver === member) member.runner.cancel(false);
    this.notify(true);
  }

  /** Stops for good (the store drops a session that no figure has joined again). */
  dispose(): void {
    this.generation++;
    this.goal = null;
    this.driver?.runner.cancel(false);
    if (this.trailing !== null) clearTimeout(this.trailing);
    this.trailing = null;
  }

  /** A figure's step count or controls changed: redraw, and train by itself if it now may. */
  membersChanged(): void {
    this.notify(true);
    this.autostart();
  }

  private nearChanged(): void {
    this.notify(true);
    const driver = this.driver;
    // The driver waits for its own element; another figure is near: hand over at once.
    if (
      driver &&
      !this.members.get(driver)?.near &&
      this.someOtherNear(driver) &&
      (driver.runner.paused || driver.runner.waiting)
    )
      driver.runner.cancel(false);
    this.autostart();
  }

  private someOtherNear(member: SessionMember): boolean {
    return [...this.members].some(([other, m]) => other !== member && m.near);
  }

  /**
   * A session whose figures have no controls trains by itself once one of them is near. It
   * decides after the current task: the figures of one render join one at a time, and a figure
   * with controls that joins after the others must still keep the session waiting for its Start.
   */
  private autostart(): void {
    if (this.autostartPending) return;
    this.autostartPending = true;
    setTimeout(() => {
      this.autostartPending = false;
      if (this.running || this.error !== null || this.controlled || this.finished) return;
      if (this.members.size === 0 || ![...this.members.values()].some((m) => m.near)) return;
      this.start();
    }, 0);
  }

  private run(goal: number | 'target'): void {
    if (!this.canTrain) return;
    if (this.networks.length === 0) {
      try {
        const { configs, options, sharedSet } = this.setup;
        // A comparison starts every network on one training set (comparisonStates).
        this.initial = sharedSet ? comparisonStates(configs, sharedSet, options) : [];
      } catch (error) {
        this.error = error instanceof Error ? error.message : String(error);
        this.notify(true);
        return;
      }
      this.networks = this.setup.configs.map((config) => ({
        config,
        state: null,
        records: [],
        fallback: null,
      }));
    }
    this.goal = goal;
    this.pauseRequested = false;
    this.error = null;
    this.notify(true);
    this.drive();
  }

  /** The figure to train through: one near the viewport, else any (its runner waits). */
  private pickDriver(): SessionMember | undefined {
    const members = [...this.members];
    return (members.find(([, m]) => m.near) ?? members[0])?.[0];
  }

  /** Trains through a figure's runner; when it stops without finishing, goes on with another. */
  private drive(): void {
    if (this.driver || this.goal === null) return;
    const driver = this.pickDriver();
    if (!driver) return;
    this.driver = driver;
    const generation = this.generation;
    let started = false;
    void driver.runner
      .start((context) => {
        started = true;
        return this.train(context, driver, generation);
      })
      .then(() => {
        if (this.driver === driver) this.driver = null;
        if (!started && driver.runner.error && generation === this.generation) {
          this.error = driver.runner.error;
          this.goal = null;
          this.notify(true);
        }
        // Handed over, or the driving figure left: another figure goes on.
        this.drive();
      });
  }

  /** Whether the driver should leave the training to a figure that is near while it is not. */
  private shouldHandOver(driver: SessionMember): boolean {
    return !this.members.get(driver)?.near && this.someOtherNear(driver);
  }

  /**
   * Trains every network a chunk per round up to the goal: the rounds go through the page's one
   * queue, so the networks advance together, until Pause, the goal, or divergence (a network that
   * diverged stops; the others go on).
   */
  private async train(
    context: TaskContext,
    driver: SessionMember,
    generation: number,
  ): Promise<TrainingSession | undefined> {
    const current = () => generation === this.generation && !context.signal.aborted;
    try {
      for (;;) {
        if (!current()) return undefined;
        const goal = this.goal === 'target' ? this.target : (this.goal ?? 0);
        const round = this.networks.filter(
          (n) => n.state?.diverged == null && (n.state?.step ?? 0) < goal,
        );
        if (round.length === 0 || this.pauseRequested) {
          this.stop();
          return this;
        }
        if (this.shouldHandOver(driver)) return undefined;
        const { options } = this.setup;
        const chunks = await Promise.all(
          round.map((network) =>
            context.train({
              spec: network.config.spec,
              options,
              state: network.state ?? this.initial[this.networks.indexOf(network)] ?? null,
              steps: Math.min(CHUNK_STEPS, goal - (network.state?.step ?? 0)),
            }),
          ),
        );
        if (!current()) return undefined;
        this.networks = this.networks.map((network) => {
          const i = round.indexOf(network);
          if (i < 0) return network;
          const chunk = chunks[i]!;
          return {
            ...network,
            state: chunk.state,
            records: [...network.records, ...chunk.records],
            fallback: chunk.fallback ?? null,
          };
        });
        this.notify(false);
      }
    } catch (error) {
      if (!current()) return undefined;
      this.error = error instanceof Error ? error.message : String(error);
      this.stop();
      return undefined;
    }
  }

  private stop(): void {
    this.goal = null;
    this.pauseRequested = false;
    this.notify(true);
  }

  /**
   * Tells every figure to redraw: at once when forced, else at most every REDRAW_MS (and once
   * more when that time is up, so the last chunk before a pause is drawn too).
   */
  private notify(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastNotified < REDRAW_MS) {
      this.trailing ??= setTimeout(
        () => {
          this.trailing = null;
          this.notify(true);
        },
        REDRAW_MS - (now - this.lastNotified),
      );
      return;
    }
    if (this.trailing !== null) clearTimeout(this.trailing);
    this.trailing = null;
    this.lastNotified = now;
    this.version++;
    for (const member of this.members.keys()) member.sessionChanged();
  }
}

const sessions = new Map<string, TrainingSession>();

/** The session of `setup` (created if no figure shows it yet), with `member` among its figures. */
export function joinSession(setup: TrainingSetup, member: SessionMember): TrainingSession {
  const key = setupKey(setup);
  let session = sessions.get(key);
  if (!session) {
    session = new TrainingSession(key, setup);
    sessions.set(key, session);
  }
  session.join(member);
  return session;
}

/**
 * Takes `member` out of its session. A session left without figures is dropped, and its training
 * stopped, unless a figure joins it again at once (an element moved in the page).
 */
export function leaveSession(session: TrainingSession, member: SessionMember): void {
  session.leave(member);
  if (session.memberCount > 0) return;
  queueMicrotask(() => {
    if (session.memberCount > 0 || sessions.get(session.key) !== session) return;
    sessions.delete(session.key);
    session.dispose();
  });
}

/** The sessions shown now (tests). */
export function liveSessions(): readonly TrainingSession[] {
  return [...sessions.values()];
}
