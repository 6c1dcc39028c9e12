/**
 * Full runs on the WebGPU backend against the cpu64 reference: every per-layer statistic, for every
 * activation, both RNGs, with residual connections, batch normalization and biases, and deep.
 */
import { expect } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { createWebGpuBackend, gpuRunBytes } from '../../src/backends/webgpu/webgpu-backend.ts';
import { layerSizes } from '../../src/engine/problem.ts';
import { ACTIVATION_NAMES } from '../../src/engine/activations.ts';
import { runExperiment } from '../../src/engine/experiment.ts';
import { parseSpec, type SpecInput } from '../../src/engine/spec.ts';
import { GpuRunner } from '../../src/backends/webgpu/runner.ts';
import { gpuTest, requestExtraDevice } from './gpu.ts';
import { compareStatistics } from './parity.ts';

const cpu64 = createCpuBackend('f64');

/**
 * One pipeline cache per device (SwiftShader compiles slowly), but a backend, and so a buffer pool,
 * per test: the GPU test helper destroys every buffer a test made when it ends.
 */
const runners = new WeakMap<GPUDevice, GpuRunner>();
function backendFor(device: GPUDevice): ReturnType<typeof createWebGpuBackend> {
  let runner = runners.get(device);
  if (!runner) {
    runner = new GpuRunner(device);
    runners.set(device, runner);
  }
  return createWebGpuBackend({ device, runner });
}

async function expectParity(device: GPUDevice, input: SpecInput): Promise<void> {
  const spec = parseSpec(input);
  const gpuBackend = await backendFor(device);
  const gpu = await runExperiment({ ...spec, backend: 'webgpu' }, gpuBackend);
  const reference = await runExperiment({ ...spec, backend: 'cpu64' }, cpu64);
  const sizes = [spec.inputs, ...Array<number>(spec.depth).fill(spec.width), spec.outputs];
  expect(compareStatistics(gpu.stats, reference.stats, spec.batch, (l) => sizes[l]!)).toEqual([]);
}

for (const rng of ['philox', 'numpy'] as const) {
  gpuTest(
    `every activation matches cpu64 (${rng})`,
    async (device) => {
      for (const activation of ACTIVATION_NAMES) {
        await expectParity(device, {
          activation,
          rng,
          depth: 3,
          width: 17,
          inputs: 5,
          outputs: 3,
          batch: 7,
          'output-activation': 'same',
          'sigma-b': 0.1,
        });
      }
    },
    600_000,
  );
}

gpuTest(
  'residual connections and batch normalization match cpu64',
  async (device) => {
    for (const variant of [
      { residual: true },
      { batchnorm: true },
      { residual: true, batchnorm: true },
    ]) {
      await expectParity(device, {
        activation: 'relu',
        init: 'he',
        depth: 4,
        width: 16,
        inputs: 16,
        outputs: 4,
        batch: 9,
        ...variant,
      });
      await expectParity(device, {
        activation: 'tanh',
        init: 'xavier_uniform',
        depth: 3,
        width: 13,
        inputs: 7,
        outputs: 2,
        batch: 5,
        rng: 'numpy',
        ...variant,
      });
    }
  },
  600_000,
);

gpuTest(
  'a 50-layer network matches cpu64 layer by layer',
  async (device) => {
    await expectParity(device, {
      activation: 'tanh',
      init: 'xavier',
      depth: 50,
      width: 37,
      inputs: 37,
      outputs: 3,
      batch: 17,
    });
  },
  600_000,
);

gpuTest(
  'sizes that are not multiples of the tiles: 1, 3, 65, 257',
  async (device) => {
    await expectParity(device, {
      activation: 'gelu',
      init: 'lecun',
      depth: 2,
      width: 65,
      inputs: 1,
      outputs: 3,
      batch: 1,
    });
    await expectParity(device, {
      activation: 'sigmoid',
      init: 'normal',
      depth: 2,
      width: 257,
      inputs: 3,
      outputs: 1,
      batch: 3,
    });
  },
  600_000,
);

gpuTest(
  'an exploding network reports non-finite values, as cpu64 does',
  async (device) => {
    // Each linear layer multiplies the activations' scale by about √64: f32 overflows by layer ~45.
    const spec = parseSpec({
      activation: 'linear',
      init: 'normal',
      depth: 60,
      width: 64,
      inputs: 64,
      batch: 4,
      backend: 'webgpu',
    });
    const result = await runExperiment(spec, await backendFor(device));
    expect(Array.from(result.stats.gradNorm).some((v) => !Number.isFinite(v))).toBe(true);
    expect(result.stats.histograms.nonFinite.some((n) => n > 0)).toBe(true);
  },
  600_000,
);

gpuTest(
  'buffers are pooled: a second run of the same shape reuses the first run’s buffers',
  async (device) => {
    const backend = await backendFor(device);
    const spec = parseSpec({
      activation: 'tanh',
      depth: 4,
      width: 24,
      inputs: 24,
      batch: 8,
      backend: 'webgpu',
    });
    const first = await runExperiment(spec, backend);
    const variantBase = {
      activation: 'relu',
      depth: 3,
      width: 20,
      inputs: 20,
      outputs: 5,
      batch: 6,
      backend: 'webgpu',
    };
    // The limit check's estimate is exactly what a run takes from the pool.
    for (const variant of [{}, { residual: true, batchnorm: true, 'sigma-b': 0.1 }]) {
      const estimateSpec = parseSpec({ ...variantBase, ...variant });
      const fresh = await backendFor(device);
      await runExperiment(estimateSpec, fresh);
      expect(fresh.pool.idleByteCount).toBe(
        gpuRunBytes(estimateSpec, layerSizes(estimateSpec)).total,
      );
    }
    const idle = backend.pool.idleCount;
    expect(idle).toBeGreaterThan(10);
    const second = await runExperiment(spec, backend);
    expect(backend.pool.idleCount).toBe(idle);
    expect(Array.from(second.stats.gradNorm)).toEqual(Array.from(first.stats.gradNorm));
    // Shaders were compiled once: the second prepare compiled nothing.
    expect(second.timings.compileMs).toBe(0);
  },
  600_000,
);

gpuTest(
  'a size beyond the device limits is refused before allocating, naming the limit',
  async (device) => {
    const backend = await createWebGpuBackend({ device, memoryBudgetBytes: 64 * 1024 ** 2 });
    const spec = parseSpec({ depth: 4, width: 4096, inputs: 4096, batch: 64, backend: 'webgpu' });
    await expect(runExperiment(spec, backend)).rejects.toThrow(
      /^width: .*GPU memory.*budget; .*largest width that fits is \d+/,
    );
  },
  600_000,
);

gpuTest(
  'a lost device makes the run fail with an error instead of hanging',
  async () => {
    // A device of its own, destroyed before the run: the shared test device stays usable.
    const lost = await requestExtraDevice();
    const backend = await createWebGpuBackend({ device: lost });
    lost.destroy();
    const spec = parseSpec({ depth: 2, width: 8, inputs: 8, batch: 4, backend: 'webgpu' });
    const outcome = await runExperiment(spec, backend).then(
      () => 'completed',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(outcome).toMatch(/GPU device was lost/);
  },
  600_000,
);

gpuTest(
  'two runs started together on one device do not disturb each other',
  async (device) => {
    const backend = await backendFor(device);
    const a = parseSpec({
      activation: 'tanh',
      depth: 3,
      width: 12,
      inputs: 12,
      batch: 5,
      backend: 'webgpu',
    });
    const b = parseSpec({
      activation: 'relu',
      init: 'he',
      depth: 4,
      width: 9,
      inputs: 6,
      batch: 3,
      backend: 'webgpu',
    });
    const [together, alone] = await Promise.all([
      runExperiment(a, backend),
      runExperiment(b, backend),
    ]);
    expect(Array.from((await runExperiment(a, backend)).stats.gradNorm)).toEqual(
      Array.from(together.stats.gradNorm),
    );
    expect(Array.from((await runExperiment(b, backend)).stats.gradNorm)).toEqual(
      Array.from(alone.stats.gradNorm),
    );
  },
  600_000,
);
