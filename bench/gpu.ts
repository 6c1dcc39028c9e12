/**
 * The GPU section of `npm run bench`: the WebGPU backend through Dawn's Node bindings.
 * - the adapter, and whether it is a software emulation (SwiftShader: then nothing here is GPU speed);
 * - GFLOP/s of each matmul of the workload (forward, backward, weight gradient), each kernel timed
 *   alone over many dispatches in one submission;
 * - the whole run end to end: compile (first prepare) apart from steady state (median compute).
 */
import { nodeGpu } from '../src/cli/node-webgpu.ts';
import { isSoftwareAdapter } from '../src/backends/webgpu/adapter.ts';
import { matmulProgram, type MatmulShape } from '../src/backends/webgpu/kernels/matmul.ts';
import { createWebGpuBackend, requestGpuDevice } from '../src/backends/webgpu/webgpu-backend.ts';
import { median, runExperiment } from '../src/engine/experiment.ts';
import type { AdapterInfo } from '../src/engine/results.ts';
import { parseSpec, type RunSpec } from '../src/engine/spec.ts';
import { gflopsPerSecond, matmulFlops, runFlops } from '../src/engine/work.ts';

export interface KernelTiming {
  readonly name: string;
  readonly shape: MatmulShape & { transposeA?: boolean; transposeB?: boolean };
  readonly compileMs: number;
  readonly msPerDispatch: number;
  readonly gflops: number;
}

export interface GpuBenchReport {
  readonly adapter: AdapterInfo;
  readonly software: boolean;
  readonly workload: RunSpec;
  readonly kernels: KernelTiming[];
  readonly run: {
    compileMs: number;
    initMs: number;
    computeMs: number;
    computeRunsMs: readonly number[];
  };
  /** Useful GFLOPs of one run's matmuls (src/engine/work.ts: 2·m·k·n per product). */
  readonly runGflops: number;
}

async function timeMatmul(
  device: GPUDevice,
  name: string,
  shape: KernelTiming['shape'],
  repeat: number,
): Promise<KernelTiming> {
  const { m, k, n } = shape;
  const usage = GPUBufferUsage.STORAGE;
  const a = device.createBuffer({ size: 4 * m * k, usage });
  const b = device.createBuffer({ size: 4 * k * n, usage });
  const c = device.createBuffer({ size: 4 * m * n, usage });
  const program = matmulProgram(
    { m, k, n },
    { transposeA: shape.transposeA, transposeB: shape.transposeB },
  );
  const start = performance.now();
  const pipeline = await device.createComputePipelineAsync({
    layout: 'auto',
    compute: {
      module: device.createShaderModule({ code: program.code }),
      entryPoint: program.entryPoint ?? 'main',
    },
  });
  const compileMs = performance.now() - start;
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [a, b, c].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const submit = async (dispatches: number): Promise<number> => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    for (let i = 0; i < dispatches; i++) pass.dispatchWorkgroups(...program.workgroups);
    pass.end();
    const t = performance.now();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return performance.now() - t;
  };
  await submit(1); // warm-up
  const ms = (await submit(repeat)) / repeat;
  for (const buffer of [a, b, c]) buffer.destroy();
  return {
    name,
    shape,
    compileMs,
    msPerDispatch: ms,
    gflops: gflopsPerSecond(matmulFlops(m, k, n), ms),
  };
}

export async function runGpuBench(options: {
  full: boolean;
  repeat: number;
}): Promise<GpuBenchReport> {
  const { adapter, device } = await requestGpuDevice(await nodeGpu());
  const backend = await createWebGpuBackend({ adapter, device, memoryBudgetBytes: 64 * 1024 ** 3 });
  const info = backend.info.adapter!;
  const software = isSoftwareAdapter(info);
  // SwiftShader runs ~0.2 GFLOP/s: the 50 × 1024 × 256 run would take minutes there.
  const small = software && !options.full;
  const workload = parseSpec({
    activation: 'tanh',
    depth: small ? 10 : 50,
    width: small ? 128 : 1024,
    inputs: small ? 128 : 1024,
    outputs: small ? 128 : 1024,
    batch: small ? 32 : 256,
    backend: 'webgpu',
    repeat: options.repeat,
  });
  const { width, batch } = workload;
  const dispatches = small ? 3 : 20;
  const kernels = [
    await timeMatmul(device, 'forward Z = W·A', { m: width, k: width, n: batch }, dispatches),
    await timeMatmul(
      device,
      'backward G = Wᵀ·δ',
      { m: width, k: width, n: batch, transposeA: true },
      dispatches,
    ),
    await timeMatmul(
      device,
      'weight gradient δ·Aᵀ',
      { m: width, k: batch, n: width, transposeB: true },
      dispatches,
    ),
  ];
  if (!small) {
    kernels.push(await timeMatmul(device, 'square 4096²', { m: 4096, k: 4096, n: 4096 }, 5));
  }
  const result = await runExperiment(workload, backend);
  const runGflops = runFlops(workload) / 1e9;
  device.destroy();
  return {
    adapter: info,
    software,
    workload,
    kernels,
    run: {
      compileMs: result.timings.compileMs ?? 0,
      initMs: result.timings.initMs,
      computeMs: median(result.timings.computeRunsMs),
      computeRunsMs: result.timings.computeRunsMs,
    },
    runGflops,
  };
}

export function gpuBenchMarkdown(report: GpuBenchReport): string {
  const { adapter, workload, run } = report;
  const lines = [
    `### WebGPU (${adapter.vendor} ${adapter.architecture}${adapter.description ? `, ${adapter.description}` : ''})`,
    '',
    report.software
      ? '**Software emulation (SwiftShader or a fallback adapter): these figures say nothing about GPU speed.**'
      : 'Hardware adapter through Dawn (Vulkan).',
    '',
    '| kernel | shape (m×k·k×n) | compile ms | ms per dispatch | GFLOP/s |',
    '|---|---|---:|---:|---:|',
    ...report.kernels.map(
      (k) =>
        `| ${k.name} | ${k.shape.m}×${k.shape.k}·${k.shape.k}×${k.shape.n} | ${k.compileMs.toFixed(0)} | ${k.msPerDispatch.toFixed(3)} | ${k.gflops.toFixed(1)} |`,
    ),
    '',
    `Whole run, ${workload.depth} hidden layers × ${workload.width} wide × batch ${workload.batch} (${workload.activation}), forward + backward + statistics: ` +
      `compile ${run.compileMs.toFixed(0)} ms (first prepare), steady state ${run.computeMs.toFixed(1)} ms median of ${run.computeRunsMs.length} ` +
      `(${(report.runGflops / (run.computeMs / 1000)).toFixed(1)} GFLOP/s of matmul work).`,
  ];
  return lines.join('\n');
}
