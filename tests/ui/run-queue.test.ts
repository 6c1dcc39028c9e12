import { describe, expect, it } from 'vitest';
import type { RunSpec } from '../../src/engine/spec.ts';
import { DEFAULT_SPEC } from '../../src/engine/spec.ts';
import type { RunOutcome } from '../../src/backends/experiment-runner.ts';
import { RunQueue, type RunExecutor } from '../../src/ui/lab/run-queue.ts';

/** An executor whose runs finish when the test says so, recording what ran when. */
function manualExecutor() {
  const log: string[] = [];
  const pending: { seed: number; finish: () => void }[] = [];
  const executor: RunExecutor = {
    run(spec: RunSpec) {
      log.push(`start ${spec.seed}`);
      return new Promise<RunOutcome>((resolve) => {
        pending.push({
          seed: spec.seed,
          finish: () => {
            log.push(`end ${spec.seed}`);
            resolve({ result: { spec } as RunOutcome['result'] });
          },
        });
      });
    },
    runProblem: () => Promise.reject(new Error('unused')),
    jacobian: () => Promise.reject(new Error('unused')),
    train: () => Promise.reject(new Error('unused')),
    roofline: () => Promise.reject(new Error('unused')),
  };
  return { executor, log, pending };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('run queue', () => {
  it('starts the first run at once, and each later one once the page has had its turn', async () => {
    const turns: (() => void)[] = [];
    const pageTurn = () => new Promise<void>((resolve) => turns.push(resolve));
    const { executor, log, pending } = manualExecutor();
    const queue = new RunQueue(executor, pageTurn);
    const a = queue.run({ ...DEFAULT_SPEC, seed: 1 });
    const b = queue.run({ ...DEFAULT_SPEC, seed: 2 });
    await tick();
    expect(log).toEqual(['start 1']);
    expect(turns).toHaveLength(0);
    pending[0]!.finish();
    await a;
    await tick();
    // Run 1's figures draw first: run 2 waits for the page's turn.
    expect(log).toEqual(['start 1', 'end 1']);
    expect(turns).toHaveLength(1);
    turns.shift()!();
    await tick();
    expect(log).toEqual(['start 1', 'end 1', 'start 2']);
    pending[1]!.finish();
    expect((await b).result.spec.seed).toBe(2);
  });

  it('runs one at a time, in order', async () => {
    const { executor, log, pending } = manualExecutor();
    const queue = new RunQueue(executor);
    const a = queue.run({ ...DEFAULT_SPEC, seed: 1 });
    const b = queue.run({ ...DEFAULT_SPEC, seed: 2 });
    await tick();
    expect(log).toEqual(['start 1']);
    expect(queue.pending).toBe(1);
    pending[0]!.finish();
    await a;
    await tick();
    expect(log).toEqual(['start 1', 'end 1', 'start 2']);
    pending[1]!.finish();
    expect((await b).result.spec.seed).toBe(2);
  });

  it('never starts a run cancelled while it waits, and carries on with the next', async () => {
    const { executor, log, pending } = manualExecutor();
    const queue = new RunQueue(executor);
    const abort = new AbortController();
    const first = queue.run({ ...DEFAULT_SPEC, seed: 1 });
    const cancelled = queue.run({ ...DEFAULT_SPEC, seed: 2 }, { signal: abort.signal });
    const third = queue.run({ ...DEFAULT_SPEC, seed: 3 });
    abort.abort();
    await tick();
    pending[0]!.finish();
    await first;
    await expect(cancelled).rejects.toBeDefined();
    await tick();
    expect(log).toEqual(['start 1', 'end 1', 'start 3']);
    pending[1]!.finish();
    await third;
  });

  it('keeps going after a failed run', async () => {
    let calls = 0;
    const queue = new RunQueue({
      run: (spec) =>
        ++calls === 1
          ? Promise.reject(new Error('boom'))
          : Promise.resolve({ result: { spec } as RunOutcome['result'] }),
      runProblem: () => Promise.reject(new Error('unused')),
      jacobian: () => Promise.reject(new Error('unused')),
      train: () => Promise.reject(new Error('unused')),
      roofline: () => Promise.reject(new Error('unused')),
    });
    await expect(queue.run(DEFAULT_SPEC)).rejects.toThrow('boom');
    await expect(queue.run(DEFAULT_SPEC)).resolves.toBeDefined();
  });
});
