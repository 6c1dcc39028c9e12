/**
 * The browser half of the WebGPU parity tests: full runs on the browser's WebGPU (SwiftShader in
 * CI) against cpu64, for every activation, both RNGs, residual and batchnorm. Every kernel of the
 * backend (Philox, matmul with its epilogues, batchnorm, reductions) takes part.
 */
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { createWebGpuBackend } from '../../src/backends/webgpu/webgpu-backend.ts';
import { ACTIVATION_NAMES } from '../../src/engine/activations.ts';
import { runExperiment } from '../../src/engine/experiment.ts';
import { layerSizes } from '../../src/engine/problem.ts';
import { parseSpec, type SpecInput } from '../../src/engine/spec.ts';
import { compareStatistics } from '../../tests/gpu/parity.ts';

export interface ParityReport {
  adapter: string;
  cases: { spec: SpecInput; problems: string[] }[];
  milliseconds: number;
}

declare global {
  interface Window {
    gradlabParity: () => Promise<ParityReport>;
  }
}

const CASES: SpecInput[] = [
  ...ACTIVATION_NAMES.map((activation) => ({
    activation,
    depth: 3,
    width: 17,
    inputs: 5,
    outputs: 3,
    batch: 7,
    'sigma-b': 0.1,
    'output-activation': 'same',
  })),
  { activation: 'tanh', rng: 'numpy', depth: 3, width: 17, inputs: 5, outputs: 3, batch: 7 },
  {
    activation: 'relu',
    init: 'he',
    residual: true,
    batchnorm: true,
    depth: 4,
    width: 16,
    inputs: 16,
    outputs: 4,
    batch: 9,
  },
  { activation: 'sigmoid', depth: 20, width: 37, inputs: 37, outputs: 2, batch: 5 },
];

window.gradlabParity = async () => {
  const start = performance.now();
  const gpu = await createWebGpuBackend();
  const cpu64 = createCpuBackend('f64');
  const cases: ParityReport['cases'] = [];
  for (const input of CASES) {
    const spec = parseSpec(input);
    const onGpu = await runExperiment({ ...spec, backend: 'webgpu' }, gpu);
    const reference = await runExperiment({ ...spec, backend: 'cpu64' }, cpu64);
    const sizes = layerSizes(spec);
    cases.push({
      spec: input,
      problems: compareStatistics(onGpu.stats, reference.stats, spec.batch, (l) => sizes[l]!),
    });
  }
  gpu.device.destroy();
  return {
    adapter: `${gpu.info.adapter?.vendor} ${gpu.info.adapter?.architecture}`,
    cases,
    milliseconds: performance.now() - start,
  };
};
