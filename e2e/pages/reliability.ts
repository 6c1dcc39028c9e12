/**
 * The test hooks of e2e/pages/reliability.html, as `window.gradlabReliability`: the page's own
 * ExperimentRunner (installed under the lab's run queue before any figure runs, so the figures
 * and these hooks share it), its fault switches, its accounting, and runs made on it directly
 * (with a cancellation at a chosen phase) or through the page's queue (the soak). Everything it
 * returns is plain data, for Playwright's page.evaluate.
 */
import { CpuWorkerRunner } from '../../src/backends/cpu/worker-runner.ts';
import type { CpuFault } from '../../src/backends/cpu/worker-protocol.ts';
import { ExperimentRunner, type RunOutcome } from '../../src/backends/experiment-runner.ts';
import type { GpuFaults } from '../../src/backends/webgpu/faults.ts';
import {
  createWebGpuBackend,
  type WebGpuBackend,
} from '../../src/backends/webgpu/webgpu-backend.ts';
import type { RunPhase } from '../../src/engine/backend.ts';
import type { RunResult } from '../../src/engine/results.ts';
import { parseSpec, type RunSpec } from '../../src/engine/spec.ts';
import { labExperimentRunner, labRunner } from '../../src/ui/lab/run-queue.ts';

const cpu = new CpuWorkerRunner();
/** Every WebGPU backend the runner made, oldest first (a lost device's stays here). */
const backends: WebGpuBackend[] = [];
const runner = labExperimentRunner(
  new ExperimentRunner({
    cpu,
    createGpu: async (faults) => {
      const backend = await createWebGpuBackend({ faults });
      backends.push(backend);
      return backend;
    },
  }),
);

/** A run's outcome as plain data: its numbers in one array, so that two runs compare exactly. */
export interface RunSummary {
  readonly ok: boolean;
  /** The backend that computed it (a webgpu run that fell back says cpu). */
  readonly backend?: string;
  readonly fallback?: string;
  readonly error?: { readonly name: string; readonly message: string };
  /** loss, then per layer ‖δ‖, ‖∂L/∂W‖, mean, std, dead and saturated fractions, histograms. */
  readonly numbers?: number[];
}

export interface PoolAccounting {
  readonly inUseCount: number;
  readonly inUseByteCount: number;
  readonly idleCount: number;
  readonly idleByteCount: number;
  readonly openRuns: number;
}

export interface Accounting {
  readonly gpuBackendsCreated: number;
  readonly workersStarted: number;
  /** Requests the CPU worker runner still waits on. */
  readonly cpuPending: number;
  /** Runs the page's queue holds (executing or waiting). */
  readonly queued: number;
  /** Each backend's pool, oldest first. */
  readonly pools: PoolAccounting[];
}

/** Where a direct run is cancelled: at a phase (WebGPU, through onPhase) or a progress report. */
export type CancelPoint =
  | { readonly phase: RunPhase }
  | { readonly progress: 'forward' | 'backward'; readonly done: number };

export interface SoakReport {
  readonly runs: number;
  /** Requests answered more than once, or never, or with another request's spec. */
  readonly answeredTwice: number[];
  readonly lost: number[];
  readonly wrongSpec: number[];
  readonly failed: string[];
  readonly fellBack: number;
  /** The largest in-use and idle byte counts of the current pool, sampled after each answer. */
  readonly largestInUseBytes: number;
  readonly largestIdleBytes: number;
  readonly milliseconds: number;
}

export function numbersOf(result: RunResult): number[] {
  const { stats } = result;
  return [
    stats.loss,
    ...stats.gradNorm,
    ...stats.weightGradNorm,
    ...stats.activationMean,
    ...stats.activationStd,
    ...stats.deadFraction,
    ...stats.saturatedFraction,
    ...stats.histograms.min,
    ...stats.histograms.max,
    ...stats.histograms.counts,
  ];
}

function summarize(outcome: RunOutcome): RunSummary {
  return {
    ok: true,
    backend: outcome.result.spec.backend,
    ...(outcome.fallback ? { fallback: outcome.fallback } : {}),
    numbers: numbersOf(outcome.result),
  };
}

function failed(error: unknown): RunSummary {
  return {
    ok: false,
    error:
      error instanceof Error || error instanceof DOMException
        ? { name: error.name, message: error.message }
        : { name: 'unknown', message: String(error) },
  };
}

const pool = (backend: WebGpuBackend): PoolAccounting => ({
  inUseCount: backend.pool.inUseCount,
  inUseByteCount: backend.pool.inUseByteCount,
  idleCount: backend.pool.idleCount,
  idleByteCount: backend.pool.idleByteCount,
  openRuns: backend.openRuns,
});

const hooks = {
  /** The fault switches: plain data, set from the test. */
  setGpuFaults(faults: Partial<GpuFaults>): void {
    Object.assign(runner.gpuFaults, faults);
  },
  gpuFaults(): GpuFaults {
    return { ...runner.gpuFaults };
  },
  setCpuFault(fault: CpuFault): void {
    cpu.faults.next = fault;
  },

  accounting(): Accounting {
    return {
      gpuBackendsCreated: runner.gpuBackendsCreated,
      workersStarted: cpu.workersStarted,
      cpuPending: cpu.pendingCount,
      queued: labRunner().active,
      pools: backends.map(pool),
    };
  },

  /** The run a figure (grad-layer-plot, by id) draws now, as plain data; null while none. */
  drawnRun(id: string): { seed: number; backend: string; numbers: number[] } | null {
    const figure = document.getElementById(id) as
      (HTMLElement & { result: RunResult | null }) | null;
    const result = figure?.result ?? null;
    return result
      ? { seed: result.spec.seed, backend: result.spec.backend, numbers: numbersOf(result) }
      : null;
  },

  /** Forgets the queue's kept results, so that a figure asked again runs again. */
  clearKept(): void {
    labRunner().clear();
  },

  /**
   * One run on the page's ExperimentRunner (not through the queue: call it while the figures
   * rest), cancelled at `cancel` when given.
   */
  async run(entries: Record<string, string>, cancel?: CancelPoint): Promise<RunSummary> {
    const spec = parseSpec(entries);
    const abort = new AbortController();
    const stop = (why: string) =>
      abort.abort(new DOMException(`cancelled at ${why}`, 'AbortError'));
    try {
      const outcome = await runner.run(spec, {
        signal: abort.signal,
        onPhase: (phase, layer) => {
          if (cancel && 'phase' in cancel && cancel.phase === phase && !abort.signal.aborted)
            stop(`${phase}${layer === undefined ? '' : ` ${layer}`}`);
        },
        onProgress: (progress) => {
          if (
            cancel &&
            'progress' in cancel &&
            cancel.progress === progress.phase &&
            cancel.done === progress.done &&
            !abort.signal.aborted
          )
            stop(`${progress.phase} ${progress.done}/${progress.total}`);
        },
      });
      return summarize(outcome);
    } catch (error) {
      return failed(error);
    }
  },

  /**
   * `count` runs through the page's queue, `inFlight` asked at a time, request i with seed i and
   * the sizes `specFor(i)` gives; counts each request's answers. Results are dropped at once.
   */
  async soak(
    backend: 'cpu' | 'webgpu',
    first: number,
    count: number,
    inFlight: number,
  ): Promise<SoakReport> {
    const started = performance.now();
    const answers = new Map<number, number>();
    const wrongSpec: number[] = [];
    const failures: string[] = [];
    let fellBack = 0;
    let largestInUseBytes = 0;
    let largestIdleBytes = 0;
    const queue = labRunner();
    let next = first;
    const end = first + count;
    const worker = async (): Promise<void> => {
      while (next < end) {
        const id = next++;
        const spec = soakSpec(backend, id);
        try {
          const outcome = await queue.run(spec);
          answers.set(id, (answers.get(id) ?? 0) + 1);
          if (outcome.result.spec.seed !== id || outcome.result.spec.depth !== spec.depth)
            wrongSpec.push(id);
          if (outcome.fallback) fellBack++;
        } catch (error) {
          failures.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
          answers.set(id, (answers.get(id) ?? 0) + 1);
        }
        const current = backends.at(-1);
        if (current) {
          largestInUseBytes = Math.max(largestInUseBytes, current.pool.inUseByteCount);
          largestIdleBytes = Math.max(largestIdleBytes, current.pool.idleByteCount);
        }
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const ids = Array.from({ length: count }, (_, i) => first + i);
    return {
      runs: answers.size,
      answeredTwice: ids.filter((id) => (answers.get(id) ?? 0) > 1),
      lost: ids.filter((id) => !answers.has(id)),
      wrongSpec,
      failed: failures,
      fellBack,
      largestInUseBytes,
      largestIdleBytes,
      milliseconds: performance.now() - started,
    };
  },
};

/**
 * The soak's request `id`: seed `id`, depth 1–4 by turns; on the CPU the width, inputs, outputs
 * and batch change too; on WebGPU the network's shape is one of three (each new matmul shape is
 * compiled anew, for seconds on SwiftShader), so only the depth and seed change within them.
 */
export function soakSpec(backend: 'cpu' | 'webgpu', id: number): RunSpec {
  const depth = 1 + (id % 4);
  if (backend === 'webgpu') {
    const width = [8, 16, 8][id % 3]!;
    const batch = [8, 8, 16][id % 3]!;
    return parseSpec({
      activation: 'tanh',
      depth,
      width,
      inputs: width,
      outputs: 8,
      batch,
      seed: id,
      backend,
    });
  }
  return parseSpec({
    activation: 'tanh',
    depth,
    width: 4 + ((id * 7) % 29),
    inputs: 4 + ((id * 5) % 13),
    outputs: 1 + (id % 5),
    batch: 2 + ((id * 3) % 15),
    seed: id,
    backend,
  });
}

declare global {
  interface Window {
    gradlabReliability: typeof hooks;
  }
}

window.gradlabReliability = hooks;

// The figures' code last: their first runs go to the runner installed above.
await import('../../src/ui/figures/grad-layer-plot/define.ts');
