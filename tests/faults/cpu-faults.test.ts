/**
 * CPU failures, injected: a worker that crashes or is terminated in the middle of a run, an
 * ordinary failure, a worker the page never gets to start, a helper thread that dies mid-pass,
 * and cancellation at every phase. Each run that fails says why and leaves nothing behind; the
 * next run works and equals a fresh one.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { LaneStalledError, type LaneTeam } from '../../src/backends/cpu/lanes.ts';
import { createNodeLaneTeam } from '../../src/backends/cpu/node/node-lanes.ts';
import { CpuWorkerRunner } from '../../src/backends/cpu/worker-runner.ts';
import type { CpuFault } from '../../src/backends/cpu/worker-protocol.ts';
import type { RunPhase } from '../../src/engine/backend.ts';
import { runExperiment } from '../../src/engine/experiment.ts';
import type { RunResult } from '../../src/engine/results.ts';
import { parseSpec } from '../../src/engine/spec.ts';
import { InProcessWorker } from './in-process-worker.ts';
import { createWorkerHandler } from '../../src/backends/cpu/worker-handler.ts';
import type { WorkerResponse } from '../../src/backends/cpu/worker-protocol.ts';
import { hasSplittableLayer, MIN_WAIT_WORK } from '../../src/backends/cpu/parallel-work.ts';
import { layerSizes } from '../../src/engine/problem.ts';

const SPEC = parseSpec({ activation: 'tanh', depth: 4, width: 24, inputs: 12, batch: 6 });

/** The numbers of a run, for equality with a fresh run's. */
function numbers(result: RunResult): unknown {
  const { stats } = result;
  return {
    loss: stats.loss,
    gradNorm: Array.from(stats.gradNorm),
    weightGradNorm: Array.from(stats.weightGradNorm),
    activationMean: Array.from(stats.activationMean),
    activationStd: Array.from(stats.activationStd),
    counts: Array.from(stats.histograms.counts),
    min: Array.from(stats.histograms.min),
    max: Array.from(stats.histograms.max),
  };
}

function inProcessRunner(options: { blocked?: boolean } = {}) {
  const workers: InProcessWorker[] = [];
  const runner = new CpuWorkerRunner({
    threadPlan: { threads: 1, reason: 'tests run the worker in-process' },
    createWorker: (name) => {
      const worker = new InProcessWorker(name, options.blocked);
      workers.push(worker);
      return worker;
    },
  });
  return { runner, workers };
}

/** Settles within `ms`, or fails the test: the point of these tests is that nothing hangs. */
function within<T>(promise: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms: a hang`)), ms);
    }),
  ]);
}

const fresh = await runExperiment(SPEC, createCpuBackend('f32'));

describe('the page’s CPU worker runner under faults', () => {
  it('runs as the backend does in-process', async () => {
    const { runner } = inProcessRunner();
    expect(numbers(await runner.run(SPEC))).toEqual(numbers(fresh));
    runner.dispose();
  });

  const faults: { fault: CpuFault; message: RegExp; replaced: boolean }[] = [
    {
      fault: { kind: 'crash', phase: 'forward', layer: 3 },
      message:
        /^the CPU worker stopped before it answered: it crashed \(Uncaught InjectedFault: injected crash at forward of layer 3\); run again/,
      replaced: true,
    },
    {
      fault: { kind: 'crash', phase: 'statistics' },
      message: /it crashed .*injected crash at statistics/,
      replaced: true,
    },
    {
      fault: { kind: 'terminate', phase: 'backward', layer: 2 },
      message: /stopped before it answered: it was terminated during the run/,
      replaced: true,
    },
    {
      fault: { kind: 'error', phase: 'readback' },
      message: /^injected error at readback$/,
      replaced: false,
    },
    {
      fault: { kind: 'crash', phase: 'prepare' },
      message: /it crashed .*injected crash at prepare/,
      replaced: true,
    },
  ];
  for (const { fault, message, replaced } of faults) {
    it(`${fault.kind} at ${fault.phase}${fault.layer ? ` ${fault.layer}` : ''}: the run fails saying so, the next run works`, async () => {
      const { runner, workers } = inProcessRunner();
      expect(numbers(await runner.run(SPEC))).toEqual(numbers(fresh));
      runner.faults.next = fault;
      await expect(within(runner.run(SPEC))).rejects.toThrow(message);
      expect(runner.pendingCount).toBe(0);
      // A crash is not a refused worker: runs stay in a worker, a fresh one where it died.
      expect(runner.inPageReason).toBeNull();
      expect(workers[0]!.terminated).toBe(replaced);
      const next = await within(runner.run(SPEC));
      expect(numbers(next)).toEqual(numbers(fresh));
      expect(runner.workersStarted).toBe(replaced ? 2 : 1);
      runner.dispose();
    });
  }

  it('a crash on the very first run is a crash, not a refused worker (it had started)', async () => {
    // Before: any error before a worker's first answer moved every run onto the page for good.
    const { runner } = inProcessRunner();
    runner.faults.next = { kind: 'crash', phase: 'forward', layer: 1 };
    await expect(within(runner.run(SPEC))).rejects.toThrow(/it crashed/);
    expect(runner.inPageReason).toBeNull();
    expect(numbers(await within(runner.run(SPEC)))).toEqual(numbers(fresh));
    runner.dispose();
  });

  it('a worker the page refuses to start moves runs onto the page, and says why', async () => {
    const { runner } = inProcessRunner({ blocked: true });
    const result = await within(runner.run(SPEC));
    expect(numbers(result)).toEqual(numbers(fresh));
    expect(runner.inPageReason).toMatch(/does not allow gradlab's Web Worker \(worker-src blocked/);
  });

  it('a worker started early (warm) that the page refuses moves the later runs onto the page', async () => {
    // Its error arrives before any run listens for it: the run must not wait for an answer.
    const { runner, workers } = inProcessRunner({ blocked: true });
    runner.warm();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runner.inPageReason).toMatch(/does not allow gradlab's Web Worker \(worker-src blocked/);
    const result = await within(runner.run(SPEC));
    expect(numbers(result)).toEqual(numbers(fresh));
    expect(workers).toHaveLength(1);
  });

  it('warm starts the worker once; the runs then use it', async () => {
    const { runner, workers } = inProcessRunner();
    runner.warm();
    runner.warm();
    expect(workers).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(numbers(await within(runner.run(SPEC)))).toEqual(numbers(fresh));
    expect(workers).toHaveLength(1);
    expect(runner.inPageReason).toBeNull();
    runner.dispose();
  });

  it('disposing the runner fails the runs still waiting instead of leaving them hanging', async () => {
    // Before: dispose() terminated the worker and the waiting promise never settled.
    const { runner } = inProcessRunner();
    const waiting = runner.run(SPEC);
    runner.dispose();
    await expect(within(waiting)).rejects.toThrow(/stopped \(the runner was disposed\)/);
    expect(runner.pendingCount).toBe(0);
  });

  it('a run cancelled in the worker ends at once; the next run starts a new worker', async () => {
    const { runner } = inProcessRunner();
    const controller = new AbortController();
    const cancelled = runner.run(SPEC, {
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.phase === 'forward' && progress.done === 1) controller.abort();
      },
    });
    await expect(within(cancelled)).rejects.toMatchObject({ name: 'AbortError' });
    expect(numbers(await within(runner.run(SPEC)))).toEqual(numbers(fresh));
    expect(runner.workersStarted).toBe(2);
    runner.dispose();
  });
});

describe('a CPU worker whose threads are still starting', () => {
  it('answers a small run on one thread at once, and makes a large one wait for the threads', async () => {
    const answers: WorkerResponse[] = [];
    const handle = createWorkerHandler({
      post: (message) => answers.push(message),
      crash: (error) => {
        throw error;
      },
      awaitTermination: () => {},
    });
    // A helper lane that has not answered yet (its script still loading).
    const { port1 } = new MessageChannel();
    await handle({ type: 'lanes', ports: [port1] });
    // The lab's opening: 30 × 64 × batch 32, below MIN_WAIT_WORK.
    const small = parseSpec({ activation: 'sigmoid', depth: 30, width: 64, inputs: 64, batch: 32 });
    const large = parseSpec({ activation: 'tanh', depth: 2, width: 256, inputs: 256, batch: 16 });
    expect(hasSplittableLayer(layerSizes(small), small.batch, MIN_WAIT_WORK)).toBe(false);
    expect(hasSplittableLayer(layerSizes(large), large.batch, MIN_WAIT_WORK)).toBe(true);
    void handle({ type: 'run', id: 2, spec: large });
    await within(handle({ type: 'run', id: 1, spec: small }), 5_000);
    const result = answers.find((answer) => answer.type === 'result' && answer.id === 1);
    expect(result?.type === 'result' && result.result.backend.threads).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answers.some((answer) => 'id' in answer && answer.id === 2)).toBe(false);
    port1.close();
  });
});

describe('cancellation at every phase of a CPU run', () => {
  const phases: { phase: RunPhase; layer?: number }[] = [
    { phase: 'prepare' },
    { phase: 'forward', layer: 1 },
    { phase: 'forward', layer: 4 },
    { phase: 'statistics' },
    { phase: 'backward', layer: 5 },
    { phase: 'backward', layer: 1 },
    { phase: 'readback' },
  ];
  let team: LaneTeam | null = null;
  afterAll(() => team?.dispose());
  // Wide enough that every layer splits between the two threads.
  const WIDE = parseSpec({
    activation: 'relu',
    init: 'he',
    depth: 4,
    width: 96,
    inputs: 64,
    batch: 32,
  });

  for (const threads of [1, 2]) {
    it(`on ${threads} thread${threads > 1 ? 's' : ''}: nothing is left behind, and the next run equals a fresh one`, async () => {
      if (threads > 1) team ??= await createNodeLaneTeam(2);
      const backend = createCpuBackend('f32', { team: threads > 1 ? team : null });
      const reference = numbers(await runExperiment(WIDE, backend));
      if (threads > 1) expect(team!.dispatched).toBeGreaterThan(0);
      for (const at of phases) {
        const controller = new AbortController();
        const run = runExperiment(WIDE, backend, {
          signal: controller.signal,
          onPhase: (phase, layer) => {
            if (phase === at.phase && layer === at.layer) controller.abort();
          },
        });
        await expect(within(run), JSON.stringify(at)).rejects.toMatchObject({ name: 'AbortError' });
        // The threads came back: the same team runs the next pass, to the same numbers.
        expect(numbers(await within(runExperiment(WIDE, backend))), JSON.stringify(at)).toEqual(
          reference,
        );
      }
      if (threads > 1) expect(team!.broken).toBeNull();
    });
  }
});

describe('a CPU helper thread that dies in the middle of a pass (Node worker threads)', () => {
  it('fails the run within the stall limit, naming it; the next run uses one thread', async () => {
    const spec = parseSpec({ activation: 'tanh', depth: 3, width: 128, inputs: 64, batch: 48 });
    const alone = numbers(await runExperiment(spec, createCpuBackend('f32')));
    const team = await createNodeLaneTeam(2);
    try {
      team.stallMs = 500;
      const backend = createCpuBackend('f32', { team });
      await runExperiment(spec, backend);
      expect(team.dispatched).toBeGreaterThan(0);
      // Before: the coordinator waited in Atomics.wait for the dead thread forever.
      team.injectLaneExit(1, 3);
      // Within the stall limit (500 ms here, or 50× the coordinator's own share of a job).
      const failure = await within(runExperiment(spec, backend), 60_000).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(LaneStalledError);
      expect((failure as Error).message).toMatch(
        /^1 of 1 CPU helper threads stopped answering for \d+ ms during the pass .*the next run uses one thread$/,
      );
      expect(team.size).toBe(1);
      expect(numbers(await within(runExperiment(spec, backend)))).toEqual(alone);
    } finally {
      team.dispose();
    }
  });
});
