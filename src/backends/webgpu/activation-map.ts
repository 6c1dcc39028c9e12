/**
 * Runs the elementwise activation kernel: f(x) and f'(x) for every x, in f32 on the GPU. It is the
 * GPU twin of the activation table's TypeScript functions, and the smoke test of the WebGPU path.
 */
import type { ActivationName } from '../../engine/activations.ts';
import { resolveAlpha } from '../../engine/activations.ts';
import { activationMapShader } from './activation-shader.ts';

const WORKGROUP_SIZE = 64;

export interface ActivationMapResult {
  values: Float32Array;
  derivatives: Float32Array;
}

export async function runActivationMap(
  device: GPUDevice,
  name: ActivationName,
  inputs: Float32Array,
  alpha?: number,
): Promise<ActivationMapResult> {
  const count = inputs.length;
  const bytes = Math.max(4, count * 4);
  const module = device.createShaderModule({
    label: `activation-map:${name}`,
    code: activationMapShader(name, WORKGROUP_SIZE),
  });
  const pipeline = await device.createComputePipelineAsync({
    label: `activation-map:${name}`,
    layout: 'auto',
    compute: { module, entryPoint: 'main' },
  });
  const storage = GPUBufferUsage.STORAGE;
  const input = device.createBuffer({ size: bytes, usage: storage | GPUBufferUsage.COPY_DST });
  const values = device.createBuffer({ size: bytes, usage: storage | GPUBufferUsage.COPY_SRC });
  const derivatives = device.createBuffer({
    size: bytes,
    usage: storage | GPUBufferUsage.COPY_SRC,
  });
  const params = device.createBuffer({
    size: 16,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  const readback = device.createBuffer({
    size: bytes * 2,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    device.queue.writeBuffer(input, 0, new Float32Array(inputs));
    const paramData = new ArrayBuffer(16);
    new Uint32Array(paramData, 0, 1)[0] = count;
    new Float32Array(paramData, 4, 1)[0] = resolveAlpha(name, alpha);
    device.queue.writeBuffer(params, 0, paramData);
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: input } },
        { binding: 1, resource: { buffer: values } },
        { binding: 2, resource: { buffer: derivatives } },
        { binding: 3, resource: { buffer: params } },
      ],
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.max(1, Math.ceil(count / WORKGROUP_SIZE)));
    pass.end();
    encoder.copyBufferToBuffer(values, 0, readback, 0, bytes);
    encoder.copyBufferToBuffer(derivatives, 0, readback, bytes, bytes);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const all = new Float32Array(readback.getMappedRange().slice(0));
    readback.unmap();
    return { values: all.slice(0, count), derivatives: all.slice(bytes / 4, bytes / 4 + count) };
  } finally {
    for (const buffer of [input, values, derivatives, params, readback]) buffer.destroy();
  }
}
