/**
 * The training sessions that several figures show (src/ui/figures/training-session.ts), with
 * figures made by hand: a runner that trains with trainSteps here and, like RunController, waits
 * between jobs while its figure is far from the viewport. One session per configuration; it trains
 * to the most steps its figures ask for, equal to trainSteps; Pause, Step and Reset; a session
 * without controls trains by itself once near; it pauses while every figure is far, hands over to
 * a figure that is near, and stops when the last figure leaves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/engine/spec.ts';
import {
  createTrainingState,
  parseTrainingOptions,
  trainSteps,
  type TrainingChunk,
} from '../../src/backends/cpu/training.ts';
import type { TrainJob } from '../../src/backends/cpu/worker-protocol.ts';
import type { TaskContext } from '../../src/ui/lab/run-controller.ts';
import { comparisonStates, trainingSetup } from '../../src/ui/grad-training/training-compare.ts';
import {
  joinSession,
  leaveSession,
  liveSessions,
  type SessionMember,
  type SessionRunner,
  type TrainingSession,
} from '../../src/ui/figures/training-session.ts';

const LAB = parseSpec({
  depth: '3',
  width: '8',
  inputs: '4',
  outputs: '2',
  batch: '4',
  backend: 'cpu64',
  seed: '3',
});
const OPTIONS = parseTrainingOptions({ task: 'teacher', optimizer: 'sgd', lr: '0.1' });

/** A figure: its nearness is set by the test, its runner trains in this process. */
class FakeFigure implements SessionMember, SessionRunner {
  readonly runner = this;
  waiting = false;
  paused = false;
  error: string | null = null;
  redraws = 0;
  jobs = 0;
  private nearNow: boolean;
  private readonly listeners = new Set<(near: boolean) => void>();
  private abort: AbortController | null = null;
  private wake: (() => void) | null = null;

  constructor(
    public steps: number,
    public controlled: boolean,
    near = true,
  ) {
    this.nearNow = near;
  }

  setNear(near: boolean): void {
    this.nearNow = near;
    if (near) this.wake?.();
    for (const listener of this.listeners) listener(near);
  }

  watchNear(listener: (near: boolean) => void): () => void {
    this.listeners.add(listener);
    listener(this.nearNow);
    return () => this.listeners.delete(listener);
  }

  sessionChanged(): void {
    this.redraws++;
  }

  /** Like RunController.pauseWhileFar: rejects when the task is cancelled meanwhile. */
  private async whileFar(signal: AbortSignal): Promise<void> {
    while (!this.nearNow) {
      this.paused = true;
      await new Promise<void>((resolve, reject) => {
        this.wake = resolve;
        signal.addEventListener('abort', () => reject(new Error('cancelled')), { once: true });
      }).finally(() => {
        this.paused = false;
        this.wake = null;
      });
    }
  }

  async start<T>(task: (context: TaskContext) => Promise<T>): Promise<T | undefined> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const unused = () => Promise.reject(new Error('unused'));
    const context: TaskContext = {
      signal: abort.signal,
      run: unused,
      runProblem: unused,
      jacobian: unused,
      roofline: unused,
      setTotal: () => {},
      pauseWhileFar: () => this.whileFar(abort.signal),
      train: async (job: TrainJob): Promise<TrainingChunk> => {
        await this.whileFar(abort.signal);
        this.jobs++;
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (abort.signal.aborted) throw new Error('cancelled');
        return trainSteps(job.state ?? createTrainingState(job.spec, job.options), job.steps);
      },
    };
    try {
      return await task(context);
    } catch {
      return undefined;
    } finally {
      if (this.abort === abort) this.abort = null;
    }
  }

  cancel(): void {
    this.abort?.abort();
    this.abort = null;
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((r) => setTimeout(r, 2));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

const figures: { session: TrainingSession; figure: FakeFigure }[] = [];

function show(figure: FakeFigure, networks: readonly string[] = ['lab']): TrainingSession {
  const session = joinSession(trainingSetup(LAB, OPTIONS, networks), figure);
  figures.push({ session, figure });
  return session;
}

afterEach(async () => {
  for (const { session, figure } of figures.splice(0)) leaveSession(session, figure);
  await settle();
  expect(liveSessions()).toEqual([]);
});

describe('training sessions', () => {
  it('figures of one configuration share a session, which trains to the most steps asked, as trainSteps does', async () => {
    const loss = new FakeFigure(25, true);
    const heatmap = new FakeFigure(30, false);
    const session = show(loss);
    expect(show(heatmap)).toBe(session);
    // Another configuration is another session.
    const other = show(new FakeFigure(5, false, false), ['relu']);
    expect(other).not.toBe(session);
    expect(session.target).toBe(30);
    // A figure has controls: nothing trains until Start.
    await settle();
    expect(session.started).toBe(false);
    session.start();
    await until(() => !session.running, 'the end of training');
    expect(session.step).toBe(30);
    const expected = trainSteps(createTrainingState(LAB, OPTIONS), 30).records;
    const records = session.networks[0]!.records;
    expect(records.map((r) => r.step)).toEqual(expected.map((r) => r.step));
    records.forEach((r, i) => {
      expect(r.loss).toBe(expected[i]!.loss);
      expect(Array.from(r.updateRatio)).toEqual(Array.from(expected[i]!.updateRatio));
      expect(Array.from(r.gradNorm)).toEqual(Array.from(expected[i]!.gradNorm));
    });
    expect(session.finished).toBe(true);
    expect(session.canTrain).toBe(false);
    // Both figures were told to redraw as it trained.
    expect(loss.redraws).toBeGreaterThan(2);
    expect(heatmap.redraws).toBeGreaterThan(2);
    // Asking for more steps lets it go on from where it stopped.
    heatmap.steps = 35;
    session.membersChanged();
    expect(session.canTrain).toBe(true);
  });

  it('compares networks in lockstep on one training set; Step, Pause and Reset act on all', async () => {
    const figure = new FakeFigure(5000, true);
    const session = show(figure, ['sigmoid', 'relu']);
    expect(session.setup.configs.map((c) => c.id)).toEqual(['sigmoid', 'relu']);
    session.stepOnce();
    await until(() => !session.running, 'one step');
    expect(session.networks.map((n) => [n.state?.step, n.records.length])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    const initial = comparisonStates(session.setup.configs, LAB, OPTIONS);
    session.networks.forEach((n, k) =>
      expect(n.records[0]!.loss).toBe(trainSteps(initial[k]!, 1).records[0]!.loss),
    );

    session.start();
    await until(() => session.step > 20, 'some steps');
    session.pause();
    expect(session.pausing).toBe(true);
    await until(() => !session.running, 'the pause');
    const paused = session.step;
    await settle();
    expect(session.step).toBe(paused);
    expect(session.networks.map((n) => n.records.length)).toEqual([paused, paused]);

    session.reset();
    expect(session.networks).toEqual([]);
    expect(session.started).toBe(false);
    expect(session.running).toBe(false);
  });

  it('without controls, trains by itself once a figure is near, to its step count', async () => {
    const heatmap = new FakeFigure(20, false, false);
    const loss = new FakeFigure(20, false, false);
    const session = show(heatmap);
    show(loss);
    await settle();
    expect(session.started).toBe(false);
    loss.setNear(true);
    await until(() => session.finished, 'training by itself');
    expect(session.step).toBe(20);
    // Trained through the figure that was near.
    expect(loss.jobs).toBe(2);
    expect(heatmap.jobs).toBe(0);
  });

  it('pauses while every figure is far, goes on through one that comes near, stops when the last leaves', async () => {
    const top = new FakeFigure(5000, true);
    const bottom = new FakeFigure(5000, false, false);
    const session = show(top);
    show(bottom);
    session.start();
    await until(() => session.step >= 20, 'some steps');
    top.setNear(false);
    await until(() => top.paused, 'the pause off screen');
    expect(session.offScreen).toBe(true);
    expect(session.running).toBe(true);
    const paused = session.step;
    await settle();
    expect(session.step).toBe(paused);

    // The other figure comes near: it takes the training over at once.
    bottom.setNear(true);
    await until(() => session.step > paused + 20, 'training through the other figure');
    expect(bottom.jobs).toBeGreaterThan(0);
    expect(session.offScreen).toBe(false);

    // The training figure leaves: the one left (near again) goes on.
    top.setNear(true);
    const left = figures.findIndex((f) => f.figure === bottom);
    leaveSession(session, bottom);
    figures.splice(left, 1);
    const after = session.step;
    await until(() => session.step > after + 20, 'training through the figure left');

    // The last figure leaves: training stops, and the session is dropped.
    leaveSession(session, top);
    figures.length = 0;
    await settle();
    const stopped = session.step;
    const jobs = top.jobs + bottom.jobs;
    await settle();
    expect(session.step).toBe(stopped);
    expect(top.jobs + bottom.jobs).toBe(jobs);
    expect(session.running).toBe(false);
    expect(liveSessions()).toEqual([]);
  });
});
