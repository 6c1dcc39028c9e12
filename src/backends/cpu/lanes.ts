/**
 * Threads for the CPU backend: a team of lanes that share a pass's buffers (SharedArrayBuffer)
 * and split each row job of pass-rows.ts between them (lane-jobs.ts runs one lane's share). Lane
 * 0 is the thread that runs the pass (the coordinator); lanes 1 … n − 1 are workers (Node
 * worker_threads, or Web Workers on a cross-origin-isolated page), reached through a LanePort
 * each. A pass on one thread needs none of this module.
 *
 * Protocol, over one Int32Array in shared memory (CONTROL):
 * - the coordinator posts `attach` (the buffers; once per network) and `enter` (the current
 *   generation) to every lane, then for each job writes kind/layer/flags, zeroes `done`, bumps
 *   `generation` and notifies; it runs its own share, then waits until `done` = n − 1;
 * - a lane that entered waits for `generation` to change (spinning briefly, then Atomics.wait),
 *   runs its share, increments `done` and notifies; a LEAVE job sends it back to its event loop,
 *   and the coordinator waits for every lane to count itself out before the pass returns.
 * Atomics operations order the plain reads and writes of the shared buffers around them.
 */
import { JOB, runLaneJob, type JobKind } from './lane-jobs.ts';
import {
  KernelStopwatch,
  laneScratch,
  type KernelVariant,
  type LaneScratch,
  type PassBuffers,
  type PrecisionKernels,
} from './pass-rows.ts';
import type { KernelName } from '../../engine/results.ts';

const CONTROL = {
  generation: 0,
  kind: 1,
  layer: 2,
  flags: 3,
  done: 4,
  failed: 5,
  lanes: 6,
} as const;
const CONTROL_WORDS = 8;
/**
 * Polls before blocking (Atomics.wait): about 10 µs at the ~6 ns a poll took here. Long enough
 * to catch the next job, which the coordinator posts microseconds after the last one; short
 * enough that a waiting thread soon gives its core back. On the shared 2-core machine of
 * docs/benchmarks.md, with another process busy, 20 000 polls made a 2-thread pass take ~100 ms
 * (threads spinning while the one they waited for had no core) where 2 000 took ~60 ms.
 */
const SPINS = 2_000;

/** Messages from the coordinator to a lane. */
export type LaneMessage =
  | { readonly type: 'hello'; readonly lane: number; readonly control: Int32Array }
  /** Fault injection (tests): the lane's thread ends when its next `afterJobs + 1`th job starts. */
  | { readonly type: 'fault'; readonly exitAfterJobs: number }
  | {
      readonly type: 'attach';
      readonly buffers: PassBuffers;
      /** The coordinator's kernels: every lane computes with the same ones. */
      readonly variant: KernelVariant;
    }
  | { readonly type: 'enter'; readonly generation: number };

/** A lane's answer to `hello`, once it can serve jobs. */
export const LANE_READY = 'gradlab-lane-ready';

/** How the coordinator reaches one lane: a worker, or a MessagePort to one. */
export interface LanePort {
  postMessage(message: LaneMessage): void;
}

/** How long a team waits for its lanes to answer before it runs on one thread. */
export const LANE_START_TIMEOUT_MS = 10_000;

/**
 * How long the coordinator waits for the other lanes to finish a job before it decides one has
 * died (its thread crashed or was terminated: nothing else can tell a thread blocked in
 * Atomics.wait). Their shares are the size of its own, so it also waits at least
 * STALL_FACTOR × the time its own share took.
 */
export const LANE_STALL_MS = 10_000;
const STALL_FACTOR = 50;

/** A lane stopped answering: the pass fails with this, and the team is given up. */
export class LaneStalledError extends Error {
  override name = 'LaneStalledError';
}

/**
 * Waits until control[index] is no longer `value`; false if `deadline` (a performance.now() time)
 * passes first.
 */
function waitWhileEqual(
  control: Int32Array,
  index: number,
  value: number,
  deadline = Infinity,
): boolean {
  for (let spin = 0; spin < SPINS; spin++) if (Atomics.load(control, index) !== value) return true;
  while (Atomics.load(control, index) === value) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    Atomics.wait(control, index, value, Math.min(left, 1000));
  }
  return true;
}

/**
 * The coordinator's side of a team. Owns the lanes' ports; `dispose` ends them.
 */
export class LaneTeam {
  private readonly control = new Int32Array(
    new SharedArrayBuffer(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT),
  );
  /** The buffers each helper lane holds. */
  private readonly attached: (PassBuffers | null)[];
  /** Lanes taking part in the current pass, this thread included. */
  private active = 1;
  /** Jobs handed to other lanes so far (tests check that threads were used). */
  dispatched = 0;
  /** Why the team was given up (a lane stopped answering), or null while it works. */
  broken: string | null = null;
  /** How long to wait for a silent lane (LANE_STALL_MS unless a test shortens it). */
  stallMs = LANE_STALL_MS;

  /**
   * @param ports one per helper lane (lanes 1 … n − 1); each must answer `hello` with LANE_READY,
   *   which the environment's factory awaits (see `ready`)
   * @param dispose ends the helper threads
   */
  constructor(
    private readonly ports: readonly LanePort[],
    readonly dispose: () => void = () => {},
  ) {
    this.attached = ports.map(() => null);
    ports.forEach((port, i) =>
      port.postMessage({ type: 'hello', lane: i + 1, control: this.control }),
    );
  }

  /** Lanes in the team, the coordinator included (1 once the team was given up). */
  get size(): number {
    return this.broken === null ? this.ports.length + 1 : 1;
  }

  /** Fault injection (tests): lane `lane` (1 … size − 1) ends its thread after `afterJobs` jobs. */
  injectLaneExit(lane: number, afterJobs: number): void {
    this.ports[lane - 1]!.postMessage({ type: 'fault', exitAfterJobs: afterJobs });
  }

  /**
   * Lets the first `lanes` lanes (this thread included) serve jobs on these buffers until
   * `leave`; hands the buffers to those that do not hold them yet.
   */
  enter(buffers: PassBuffers, variant: KernelVariant, lanes = this.size): void {
    this.active = Math.max(1, Math.min(lanes, this.size));
    // A failure belongs to the pass it happened in.
    Atomics.store(this.control, CONTROL.failed, 0);
    const generation = Atomics.load(this.control, CONTROL.generation);
    for (let i = 0; i < this.active - 1; i++) {
      const port = this.ports[i]!;
      if (this.attached[i] !== buffers) {
        port.postMessage({ type: 'attach', buffers, variant });
        this.attached[i] = buffers;
      }
      port.postMessage({ type: 'enter', generation });
    }
  }

  /** Lanes taking part in the current pass. */
  get lanes(): number {
    return this.active;
  }

  /** Runs a job on every active lane, this thread's share included; returns when all are done. */
  run(
    net: PassBuffers,
    scratch: LaneScratch,
    kind: JobKind,
    layer: number,
    flags: number,
    clock: KernelStopwatch,
    waitKernel: KernelName,
  ): void {
    this.dispatched++;
    this.post(kind, layer, flags);
    const start = performance.now();
    runLaneJob(net, scratch, kind, layer, flags, 0, this.active, clock);
    const own = performance.now() - start;
    clock.reset();
    this.awaitHelpers(Math.max(this.stallMs, STALL_FACTOR * own));
    // Time spent waiting for the other lanes counts toward the job's main kernel.
    clock.lap(waitKernel);
    if (Atomics.load(this.control, CONTROL.failed) !== 0)
      throw new Error('a CPU thread failed during the pass (see the console)');
  }

  /**
   * Sends the lanes back to their event loops (after a pass, or when it fails) and waits until
   * each has left: a lane still in the loop could otherwise take the next pass's first job before
   * it has read that pass's messages (its buffers).
   */
  leave(): void {
    if (this.broken !== null) return;
    this.post(JOB.leave, 0, 0);
    this.awaitHelpers(this.stallMs);
  }

  /**
   * Waits until every active helper lane has counted itself done with the current job. A lane
   * silent for `patienceMs` has died: the team is given up (its threads ended, size 1 from now
   * on, so the next pass runs on this thread) and the pass fails with a LaneStalledError.
   */
  private awaitHelpers(patienceMs: number): void {
    const helpers = this.active - 1;
    for (;;) {
      const done = Atomics.load(this.control, CONTROL.done);
      if (done >= helpers) return;
      if (!waitWhileEqual(this.control, CONTROL.done, done, performance.now() + patienceMs)) {
        const silent = helpers - done;
        this.broken = `${silent} of ${helpers} CPU helper threads stopped answering for ${Math.round(patienceMs)} ms`;
        this.active = 1;
        this.dispose();
        throw new LaneStalledError(
          `${this.broken} during the pass (a thread crashed or was terminated); the next run uses one thread`,
        );
      }
    }
  }

  private post(kind: JobKind, layer: number, flags: number): void {
    const control = this.control;
    Atomics.store(control, CONTROL.lanes, this.active);
    Atomics.store(control, CONTROL.kind, kind);
    Atomics.store(control, CONTROL.layer, layer);
    Atomics.store(control, CONTROL.flags, flags);
    Atomics.store(control, CONTROL.done, 0);
    Atomics.add(control, CONTROL.generation, 1);
    Atomics.notify(control, CONTROL.generation);
  }
}

/**
 * The lane's side: give it every LaneMessage in order. `kernelsFor` gives this thread's kernels
 * of a variant (with its own wasm instance).
 */
export function createLaneServer(
  kernelsFor: (variant: KernelVariant) => PrecisionKernels,
  answer: (ready: typeof LANE_READY) => void,
  /** Ends this lane's thread (an injected fault): Node's process.exit, a worker's close. */
  exit: () => void = () => {},
): {
  handle(message: LaneMessage): void;
} {
  let lane = 0;
  /** Jobs left before an injected exit; null without one. */
  let jobsBeforeExit: number | null = null;
  let control: Int32Array | null = null;
  let net: PassBuffers | null = null;
  let scratch: LaneScratch | null = null;
  const clock = new KernelStopwatch({} as Record<KernelName, number>);
  return {
    handle(message) {
      if (message.type === 'fault') {
        jobsBeforeExit = message.exitAfterJobs;
        return;
      }
      if (message.type === 'hello') {
        lane = message.lane;
        control = message.control;
        answer(LANE_READY);
        return;
      }
      if (message.type === 'attach') {
        net = message.buffers;
        scratch = laneScratch(net, kernelsFor(message.variant));
        return;
      }
      if (!control || !net || !scratch) throw new Error('a CPU lane entered before it was set up');
      let seen = message.generation;
      for (;;) {
        waitWhileEqual(control, CONTROL.generation, seen);
        seen = Atomics.load(control, CONTROL.generation);
        const kind = Atomics.load(control, CONTROL.kind) as JobKind;
        if (kind === JOB.leave) {
          Atomics.add(control, CONTROL.done, 1);
          Atomics.notify(control, CONTROL.done);
          return;
        }
        if (jobsBeforeExit !== null && jobsBeforeExit-- <= 0) {
          // The injected crash: the thread ends without counting itself done.
          exit();
          return;
        }
        const layer = Atomics.load(control, CONTROL.layer);
        const flags = Atomics.load(control, CONTROL.flags);
        const lanes = Atomics.load(control, CONTROL.lanes);
        try {
          runLaneJob(net, scratch, kind, layer, flags, lane, lanes, clock);
        } catch (error) {
          console.error('gradlab CPU lane', lane, error);
          Atomics.store(control, CONTROL.failed, 1);
        }
        Atomics.add(control, CONTROL.done, 1);
        Atomics.notify(control, CONTROL.done);
      }
    },
  };
}
