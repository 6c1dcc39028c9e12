/**
 * Philox generation on the GPU: the twin of src/engine/rng.ts's philoxNormal/philoxUniform, so that
 * under --rng philox a run's weights, biases, inputs and targets are made in place, never uploaded.
 */
import philox from '../../../../shaders/philox.wgsl?raw';
import generate from '../../../../shaders/generate.wgsl?raw';
import type { PhiloxPurpose } from '../../../engine/rng.ts';
import { groupsFor, linearWorkgroups, type GpuProgram } from '../program.ts';
import { uniformBuffer, type GpuRunner } from '../runner.ts';

const WORKGROUP_SIZE = 64;

export interface GenerateRequest {
  readonly count: number;
  readonly seed: number;
  readonly layer: number;
  readonly purpose: PhiloxPurpose;
  readonly distribution: 'normal' | 'uniform';
  /** Std of the normal, or the limit of U(−scale, scale). */
  readonly scale: number;
}

export function generateProgram(count: number, maxPerDimension?: number): GpuProgram {
  const code = `${philox}\n${generate.replaceAll('WORKGROUP_SIZE', `${WORKGROUP_SIZE}u`)}`;
  return {
    key: `generate:wg${WORKGROUP_SIZE}`,
    code,
    bindings: ['storage', 'uniform'],
    workgroups: linearWorkgroups(groupsFor(count, WORKGROUP_SIZE), maxPerDimension),
  };
}

/** The uniform block of generate.wgsl. */
export function generateParams(request: GenerateRequest): ArrayBuffer {
  const words = new ArrayBuffer(32);
  const view = new DataView(words);
  view.setUint32(0, request.count, true);
  view.setUint32(4, request.seed >>> 0, true);
  view.setUint32(8, request.layer, true);
  view.setUint32(12, request.purpose, true);
  view.setUint32(16, request.distribution === 'uniform' ? 1 : 0, true);
  view.setFloat32(20, request.scale, true);
  return words;
}

/** Fills `target` (at least count f32) with the request's stream; returns the params buffer to free. */
export async function generateInto(
  runner: GpuRunner,
  target: GPUBuffer,
  request: GenerateRequest,
): Promise<GPUBuffer> {
  const program = generateProgram(
    request.count,
    runner.device.limits.maxComputeWorkgroupsPerDimension,
  );
  const params = uniformBuffer(runner.device, generateParams(request), 'generate-params');
  await runner.runOnce(program, [target, params]);
  return params;
}
