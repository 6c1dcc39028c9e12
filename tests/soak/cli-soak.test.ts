/**
 * Soak: 200 back-to-back runs through the CLI's library entry (runCli, in-process), with sizes,
 * activations and backends changing from run to run. Every run is answered exactly once, with
 * the spec it was asked for; the JavaScript heap after the runs is within a stated bound of the
 * heap after a warm-up.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../src/cli/cli.ts';
import { PROPERTY_SEED } from '../property/config.ts';

/** Runs in the soak, and runs before the heap's baseline is taken (JIT and caches warm up). */
const RUNS = 200;
const WARM_UP = 20;
/**
 * The most the heap may grow from the warm-up to the end (measured: under 0.5 MiB). Each run's
 * result is dropped, so what is left is compiled code and V8's bookkeeping. Anything a run keeps
 * of its network (weights, buffers: tens of kB and up for these sizes) leaks more than
 * 4 MiB / 180 ≈ 23 kB per run and fails this; a smaller leak would not be seen.
 */
const HEAP_GROWTH_BOUND = 4 * 1024 ** 2;

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const request = fc.record({
  activation: fc.constantFrom('sigmoid', 'tanh', 'relu', 'gelu', 'elu', 'linear'),
  depth: fc.integer({ min: 1, max: 6 }),
  width: fc.integer({ min: 1, max: 32 }),
  inputs: fc.integer({ min: 1, max: 16 }),
  batch: fc.integer({ min: 1, max: 8 }),
  seed: fc.integer({ min: 0, max: 1000 }),
  backend: fc.constantFrom('cpu', 'cpu64'),
  bins: fc.integer({ min: 2, max: 64 }),
});

describe('CLI soak', () => {
  it(`${RUNS} runs in-process: each answered once, as asked; the heap stays bounded`, async () => {
    const requests = fc.sample(request, { seed: PROPERTY_SEED, numRuns: RUNS });
    // A few wide enough to split between threads: a team is started and ended each time.
    for (const i of [50, 100, 150])
      requests[i] = { ...requests[i]!, width: 128, inputs: 64, batch: 48, backend: 'cpu' };
    let baseline = 0;
    const start = performance.now();
    for (const [i, asked] of requests.entries()) {
      if (i === WARM_UP) baseline = heapAfterGc();
      const documents: string[] = [];
      let stderr = '';
      const io: CliIo = {
        stdout: (text) => void documents.push(text),
        stderr: (text) => void (stderr += text),
        rerunWithGpuEnvironment: () => null,
      };
      const argv = ['run', '--json'];
      for (const [flag, value] of Object.entries(asked)) argv.push(`--${flag}`, String(value));
      const code = await runCli(argv, io);
      expect({ i, code, stderr }).toEqual({ i, code: 0, stderr: '' });
      // One answer, and it is this run's.
      expect(documents, `run ${i}`).toHaveLength(1);
      const answer = JSON.parse(documents[0]!) as {
        spec: Record<string, unknown>;
        backend: { name: string; threads?: number };
        layers: unknown[];
      };
      expect(answer.spec, `run ${i}`).toMatchObject(asked);
      expect(answer.backend.name).toBe(asked.backend);
      expect(answer.layers).toHaveLength(asked.depth + 1);
      if (asked.width === 128) expect(answer.backend.threads).toBeGreaterThan(1);
    }
    const seconds = (performance.now() - start) / 1000;
    const growth = heapAfterGc() - baseline;
    console.info(
      `CLI soak: ${RUNS} runs in ${seconds.toFixed(1)} s; heap ${(baseline / 1024 ** 2).toFixed(1)} MiB after ${WARM_UP}, ` +
        `${growth >= 0 ? '+' : ''}${(growth / 1024 ** 2).toFixed(2)} MiB after ${RUNS}`,
    );
    expect(growth).toBeLessThan(HEAP_GROWTH_BOUND);
  }, 120_000);
});
