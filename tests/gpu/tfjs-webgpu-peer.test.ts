/**
 * TensorFlow.js's webgpu backend as the bench peer (bench/tfjs-webgpu.ts), on the adapter the GPU
 * tests use (SwiftShader without a GPU): its per-layer statistics must agree with the TF.js cpu
 * peer and with gradlab's cpu64 on the same small network, or its timings compare different work.
 *
 * TF.js creates its own device from navigator.gpu (as it does in a browser), so tests/gpu/gpu.ts's
 * shared device and error scopes do not see its work: the tests push scopes on TF.js's device.
 */
import { describe, expect, it, type TestContext } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { problemFromSpec } from '../../src/engine/problem.ts';
import { parseSpec } from '../../src/engine/spec.ts';
import { TOLERANCES, withinTolerance } from '../../src/engine/tolerance.ts';
import { peerProblemFrom, runTfjsPeer, type PeerResult } from '../../bench/tfjs-peer.ts';
import {
  installNavigatorGpu,
  runTfjsWebGpuPeer,
  setupTfjsWebGpu,
  tfjsWebGpuMarkdown,
  type TfjsWebGpuSetup,
} from '../../bench/tfjs-webgpu.ts';
import { GPU_SKIP_REASON, noAdapterFailure } from './gpu.ts';

/** The webgpu setup; without one a failure (a skip only on request), as for every GPU test. */
async function ready(context: TestContext): Promise<Extract<TfjsWebGpuSetup, { available: true }>> {
  if (GPU_SKIP_REASON) return context.skip(GPU_SKIP_REASON);
  const setup = await setupTfjsWebGpu();
  if (setup.available) return setup;
  throw noAdapterFailure(setup.reason);
}

/** Runs `fn` inside error scopes on TF.js's device; fails on any error they or the device report. */
async function withErrorScopes<T>(device: GPUDevice, fn: () => Promise<T>): Promise<T> {
  const uncaptured: string[] = [];
  const listener = (event: Event) =>
    uncaptured.push((event as GPUUncapturedErrorEvent).error.message);
  device.addEventListener('uncapturederror', listener);
  const scopes = ['validation', 'out-of-memory', 'internal'] as const;
  for (const scope of scopes) device.pushErrorScope(scope);
  let result: T;
  try {
    result = await fn();
  } finally {
    const errors: string[] = [];
    for (const scope of [...scopes].reverse()) {
      const error = await device.popErrorScope();
      if (error) errors.push(`${scope}: ${error.message}`);
    }
    device.removeEventListener('uncapturederror', listener);
    errors.push(...uncaptured.map((m) => `uncaptured: ${m}`));
    expect(errors, 'WebGPU errors on TF.js device').toEqual([]);
  }
  return result;
}

/** A small network from gradlab's own spec, so cpu64 and the peers start from the same numbers. */
function smallProblem(activation: 'tanh' | 'relu', depth: number) {
  const spec = parseSpec({
    activation,
    depth,
    width: 24,
    inputs: 16,
    outputs: 8,
    batch: 12,
    seed: 7,
  });
  return { spec, source: problemFromSpec(spec) };
}

async function cpu64GradNorms(source: ReturnType<typeof problemFromSpec>) {
  const prepared = await createCpuBackend('f64').prepare(source);
  const stats = await prepared.compute();
  prepared.dispose();
  return stats;
}

function expectAgree(actual: PeerResult, reference: ArrayLike<number>, field: string): void {
  const values = actual[field as 'gradNorms'];
  expect(values).toHaveLength(reference.length);
  for (let l = 0; l < reference.length; l++) {
    expect(
      withinTolerance(values[l]!, reference[l]!, TOLERANCES.f32Statistics),
      `${actual.backend} ${field}[${l}]: ${values[l]} vs ${reference[l]}`,
    ).toBe(true);
  }
}

describe('TF.js webgpu peer', () => {
  it.for([
    ['tanh', 6],
    ['relu', 4],
  ] as const)(
    '%s, %i hidden layers: agrees with the TF.js cpu peer and gradlab cpu64',
    async ([activation, depth], context) => {
      const setup = await ready(context);
      const { source } = smallProblem(activation, depth);
      const problem = peerProblemFrom(source.problem());
      const gpu = await withErrorScopes(setup.device, () => runTfjsWebGpuPeer(problem, 1));
      expect(gpu.backend).toMatch(/^tfjs-webgpu \(/);
      if (setup.software) expect(gpu.backend).toContain('software emulation, not GPU speed');
      expect(gpu.runsMs).toHaveLength(1);

      const cpu = await runTfjsPeer('cpu', problem, 1, { warmUpMs: 0 });
      const cpu64 = await cpu64GradNorms(source);
      for (const field of ['gradNorms', 'weightGradNorms', 'activationStds'] as const) {
        expectAgree(gpu, cpu[field], field);
      }
      expectAgree(gpu, cpu64.gradNorm, 'gradNorms');
      expectAgree(gpu, cpu64.weightGradNorm, 'weightGradNorms');
      expectAgree(gpu, cpu64.activationStd, 'activationStds');
      // A mean can be near 0: compare it on the scale of the spread it averages over.
      gpu.activationMeans.forEach((mean, l) => {
        const tolerance = TOLERANCES.f32Statistics.rel * cpu64.activationStd[l]!;
        expect(Math.abs(mean - cpu64.activationMean[l]!), `activationMeans[${l}]`).toBeLessThan(
          tolerance,
        );
      });
      expect(withinTolerance(gpu.loss, cpu64.loss, TOLERANCES.f32Statistics)).toBe(true);
      // The check can fail: the gradients differ from layer to layer by more than the tolerance.
      expect(
        withinTolerance(gpu.gradNorms[0]!, gpu.gradNorms[depth]!, TOLERANCES.f32Statistics),
      ).toBe(false);
    },
  );

  it('frees every tensor it creates', async (context) => {
    const { tf, device } = await ready(context);
    const problem = peerProblemFrom(smallProblem('tanh', 2).source.problem());
    const before = tf.memory().numTensors;
    await withErrorScopes(device, () => runTfjsWebGpuPeer(problem, 1));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('installNavigatorGpu', () => {
  it('keeps a navigator.gpu that is already there', async (context) => {
    await ready(context); // installs Dawn's gpu object
    const installed = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
    expect(installed).toBeDefined();
    installNavigatorGpu({} as GPU);
    expect((globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu).toBe(installed);
  });
});

describe('tfjsWebGpuMarkdown', () => {
  it('says why the peer did not run, in a table row, and names software emulation', () => {
    const skipped = tfjsWebGpuMarkdown({
      status: 'unavailable (WebGPU found no adapter)',
      adapter: null,
      software: false,
      comparison: null,
      comparisonStatus: 'unavailable (WebGPU found no adapter)',
    });
    expect(skipped[0]).toBe(
      '| TensorFlow.js tfjs-webgpu | unavailable (WebGPU found no adapter) | — | — |',
    );
    expect(skipped.at(-1)).toContain('no comparison (unavailable (WebGPU found no adapter))');

    const workload = smallProblem('tanh', 3).spec;
    const compared = tfjsWebGpuMarkdown({
      status: null,
      adapter: {
        vendor: 'google',
        architecture: 'swiftshader',
        description: '',
        isFallbackAdapter: false,
      },
      software: true,
      comparison: { workload, gradlabMs: 10, tfjsMs: 25, tfjsRunsMs: [25, 25], gradlabFaster: 2.5 },
      comparisonStatus: null,
    });
    expect(compared[0]).toBe('');
    expect(compared[1]).toContain('gradlab webgpu 10.0 ms, TensorFlow.js webgpu 25.0 ms');
    expect(compared[1]).toContain('2.50× faster');
    expect(compared[1]).toContain('Software emulation');
  });
});
