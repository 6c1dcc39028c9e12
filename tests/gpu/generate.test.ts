/** Philox on the GPU produces the CPU's stream: the same weights, to f32 precision. */
import { expect } from 'vitest';
import { generateInto } from '../../src/backends/webgpu/kernels/generate.ts';
import { readBuffer, GpuRunner } from '../../src/backends/webgpu/runner.ts';
import { philoxNormal, philoxUniform, PhiloxPurpose } from '../../src/engine/rng.ts';
import { gpuTest } from './gpu.ts';

function storage(device: GPUDevice, count: number): GPUBuffer {
  return device.createBuffer({
    size: count * 4,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
  });
}

gpuTest('normal draws match philoxNormal for every index, tails included', async (device) => {
  const runner = new GpuRunner(device);
  const count = 20_000;
  const target = storage(device, count);
  const stream = { seed: 1234567, layer: 3, purpose: PhiloxPurpose.weight };
  const params = await generateInto(runner, target, {
    count,
    ...stream,
    distribution: 'normal',
    scale: 0.5,
  });
  const gpu = new Float32Array(await readBuffer(device, target, count * 4));
  let worst = 0;
  for (let i = 0; i < count; i++) {
    const cpu = 0.5 * philoxNormal(stream, i);
    // f32 rounding of u₁, u₂ and of √(−2 ln u₁)·cos(2πu₂): relative error near 1e-6, plus an
    // absolute part where cos(2πu₂) ≈ 0: rounding u₂ (≤ 2⁻²⁴) moves z by up to r·2π·2⁻²⁴ ≤ 2e-6
    // for r = √(−2 ln u₁) ≤ 5.
    const err = Math.abs(gpu[i]! - cpu) / (0.5 * (1e-5 * Math.abs(cpu / 0.5) + 2e-6));
    worst = Math.max(worst, err);
  }
  expect(worst).toBeLessThan(1);
  params.destroy();
});

gpuTest(
  'uniform draws match philoxUniform, and streams differ by layer and purpose',
  async (device) => {
    const runner = new GpuRunner(device);
    const count = 5000;
    const target = storage(device, count);
    const stream = { seed: 42, layer: 0, purpose: PhiloxPurpose.input };
    const params = await generateInto(runner, target, {
      count,
      ...stream,
      distribution: 'uniform',
      scale: 2,
    });
    const gpu = new Float32Array(await readBuffer(device, target, count * 4));
    for (let i = 0; i < count; i++) {
      const cpu = 2 * (2 * philoxUniform(stream, i) - 1);
      expect(Math.abs(gpu[i]! - cpu)).toBeLessThan(2 * 2 ** -22);
    }
    const other = storage(device, count);
    const params2 = await generateInto(runner, other, {
      count,
      ...stream,
      purpose: PhiloxPurpose.target,
      distribution: 'uniform',
      scale: 2,
    });
    const gpu2 = new Float32Array(await readBuffer(device, other, count * 4));
    expect(gpu2.some((v, i) => v !== gpu[i])).toBe(true);
    params.destroy();
    params2.destroy();
  },
);
