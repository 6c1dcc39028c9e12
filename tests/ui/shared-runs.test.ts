/**
 * Runs shared between figures: identical runs asked for at once execute once; a finished run is
 * answered from memory; one figure cancelling leaves the run to the others; the last one to leave
 * stops it, and a stopped run is not kept.
 */
import { describe, expect, it } from 'vitest';
import type { RunOutcome } from '../../src/backends/experiment-runner.ts';
import type { RunProgress } from '../../src/engine/backend.ts';
import { DEFAULT_SPEC, type RunSpec } from '../../src/engine/spec.ts';
import type { RunExecutor } from '../../src/ui/lab/run-queue.ts';
import { KEPT_RESULTS, SharedRuns } from '../../src/ui/lab/shared-runs.ts';

interface Started {
  readonly spec: RunSpec;
  readonly threads: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly progress: ((progress: RunProgress) => void) | undefined;
  finish(): void;
  fail(error: Error): void;
}

function manualExecutor() {
  const started: Started[] = [];
  const executor: RunExecutor = {
    run(spec, options) {
      return new Promise<RunOutcome>((resolve, reject) => {
        started.push({
          spec,
          threads: options?.threads,
          signal: options?.signal,
          progress: options?.onProgress,
          finish: () => resolve({ result: { spec } as RunOutcome['result'] }),
          fail: reject,
        });
        options?.signal?.addEventListener('abort', () => reject(options.signal!.reason));
      });
    },
    runProblem: () => Promise.reject(new Error('unused')),
    jacobian: () => Promise.reject(new Error('unused')),
    train: () => Promise.reject(new Error('unused')),
    roofline: () => Promise.reject(new Error('unused')),
  };
  return { executor, started };
}

const spec = (seed: number): RunSpec => ({ ...DEFAULT_SPEC, seed });
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('shared runs', () => {
  it('runs identical specs once for every figure that asks, with progress to each', async () => {
    const { executor, started } = manualExecutor();
    const shared = new SharedRuns(executor);
    const seen: string[] = [];
    const a = shared.run(spec(1), { onProgress: (p) => seen.push(`a ${p.done}`) });
    const b = shared.run(spec(1), { onProgress: (p) => seen.push(`b ${p.done}`) });
    const c = shared.run(spec(2));
    expect(started).toHaveLength(2);
    expect(shared.active).toBe(2);
    started[0]!.progress!({ phase: 'forward', done: 1, total: 3 });
    expect(seen).toEqual(['a 1', 'b 1']);
    started[0]!.finish();
    started[1]!.finish();
    const [ra, rb, rc] = await Promise.all([a, b, c]);
    expect(ra).toBe(rb);
    expect(rc.result.spec.seed).toBe(2);
    expect(shared.active).toBe(0);
    // Asked again, it is answered from memory without running.
    expect(await shared.run(spec(1))).toBe(ra);
    expect(started).toHaveLength(2);
  });

  it('keeps the run going while another figure still wants it', async () => {
    const { executor, started } = manualExecutor();
    const shared = new SharedRuns(executor);
    const leaving = new AbortController();
    const a = shared.run(spec(1), { signal: leaving.signal });
    const b = shared.run(spec(1));
    leaving.abort(new DOMException('gone', 'AbortError'));
    await expect(a).rejects.toThrow('gone');
    expect(started[0]!.signal!.aborted).toBe(false);
    started[0]!.finish();
    expect((await b).result.spec.seed).toBe(1);
  });

  it('stops the run when the last figure leaves, keeps nothing, and runs afresh next time', async () => {
    const { executor, started } = manualExecutor();
    const shared = new SharedRuns(executor);
    const first = new AbortController();
    const second = new AbortController();
    const a = shared.run(spec(1), { signal: first.signal });
    const b = shared.run(spec(1), { signal: second.signal });
    first.abort();
    second.abort();
    await expect(a).rejects.toBeDefined();
    await expect(b).rejects.toBeDefined();
    expect(started[0]!.signal!.aborted).toBe(true);
    expect(shared.active).toBe(0);
    await tick();
    const again = shared.run(spec(1));
    expect(started).toHaveLength(2);
    started[1]!.finish();
    expect((await again).result.spec.seed).toBe(1);
  });

  it('does not keep a failed run: the next ask runs it again', async () => {
    const { executor, started } = manualExecutor();
    const shared = new SharedRuns(executor);
    const a = shared.run(spec(3));
    started[0]!.fail(new Error('out of memory'));
    await expect(a).rejects.toThrow('out of memory');
    const b = shared.run(spec(3));
    expect(started).toHaveLength(2);
    started[1]!.finish();
    await b;
  });

  it('keeps the most recently used results only', async () => {
    const { executor, started } = manualExecutor();
    const shared = new SharedRuns(executor);
    for (let seed = 0; seed <= KEPT_RESULTS; seed++) {
      const run = shared.run(spec(seed));
      started.at(-1)!.finish();
      await run;
    }
    // Seed 0 was the oldest: forgotten. Seed 1 is still there.
    const count = started.length;
    const one = shared.run(spec(1));
    expect(started).toHaveLength(count);
    await one;
    void shared.run(spec(0));
    expect(started).toHaveLength(count + 1);
  });

  it('never runs for a figure that had already cancelled', async () => {
    const { executor, started } = manualExecutor();
    const shared = new SharedRuns(executor);
    const abort = new AbortController();
    abort.abort();
    await expect(shared.run(spec(1), { signal: abort.signal })).rejects.toBeDefined();
    expect(started).toHaveLength(0);
  });

  it('passes a thread count on, and never shares runs of different thread counts', async () => {
    const { executor, started } = manualExecutor();
    const shared = new SharedRuns(executor);
    const one = shared.run(spec(1), { threads: 1 });
    const two = shared.run(spec(1), { threads: 2 });
    expect(started.map((run) => run.threads)).toEqual([1, 2]);
    started.forEach((run) => run.finish());
    await Promise.all([one, two]);
  });

  it('runs a fresh run anew (a timing), and keeps it for the next figure that asks', async () => {
    const { executor, started } = manualExecutor();
    const shared = new SharedRuns(executor);
    const first = shared.run(spec(1));
    started[0]!.finish();
    const kept = await first;
    const fresh = shared.run(spec(1), { fresh: true });
    expect(started).toHaveLength(2);
    started[1]!.finish();
    const timed = await fresh;
    expect(timed).not.toBe(kept);
    expect(await shared.run(spec(1))).toBe(timed);
    expect(started).toHaveLength(2);
  });
});
