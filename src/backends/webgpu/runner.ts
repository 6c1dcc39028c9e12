/**
 * The one generic runner for GpuPrograms: compiles each distinct shader once (pipelines cached by
 * key, with an explicit bind-group layout built from the program's binding kinds), makes bind
 * groups, and records dispatches into a compute pass. It also times compilation, which gradlab
 * reports apart from steady-state work.
 */
import { BROKEN_WGSL, noFaults, type GpuFaults } from './faults.ts';
import type { BindingKind, GpuProgram } from './program.ts';

const BUFFER_TYPE: Record<BindingKind, GPUBufferBindingType> = {
  'read-only-storage': 'read-only-storage',
  storage: 'storage',
  uniform: 'uniform',
};

export type BindingResource = GPUBuffer | GPUBufferBinding;

export class GpuRunner {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly compiling = new Map<string, Promise<GPUComputePipeline>>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  /** Milliseconds spent creating pipelines (shader compilation), over the runner's life. */
  compileMs = 0;
  constructor(
    readonly device: GPUDevice,
    /** Faults to inject on this device (tests only; see faults.ts). */
    readonly faults: GpuFaults = noFaults(),
  ) {}

  private layoutFor(bindings: readonly BindingKind[]): GPUBindGroupLayout {
    const key = bindings.join(',');
    let layout = this.layouts.get(key);
    if (!layout) {
      layout = this.device.createBindGroupLayout({
        label: `gradlab:${key}`,
        entries: bindings.map((kind, binding) => ({
          binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: BUFFER_TYPE[kind] },
        })),
      });
      this.layouts.set(key, layout);
    }
    return layout;
  }

  /** The program's pipeline, compiled on first use (async, so compile errors surface as rejections). */
  async pipeline(program: GpuProgram): Promise<GPUComputePipeline> {
    if (this.faults.brokenShaders > 0) {
      // An injected compile error: this compilation fails whether or not the key is cached.
      this.faults.brokenShaders--;
      return this.compile({ ...program, code: program.code + BROKEN_WGSL }, false);
    }
    const cached = this.pipelines.get(program.key);
    if (cached) return cached;
    // Two runs preparing at once share one compilation of a key.
    let pending = this.compiling.get(program.key);
    if (!pending) {
      pending = this.compile(program).finally(() => this.compiling.delete(program.key));
      this.compiling.set(program.key, pending);
    }
    return pending;
  }

  private async compile(program: GpuProgram, cache = true): Promise<GPUComputePipeline> {
    const start = performance.now();
    const module = this.device.createShaderModule({ label: program.key, code: program.code });
    const pipeline = await this.device.createComputePipelineAsync({
      label: program.key,
      layout: this.device.createPipelineLayout({
        bindGroupLayouts: [this.layoutFor(program.bindings)],
      }),
      compute: { module, entryPoint: program.entryPoint ?? 'main' },
    });
    this.compileMs += performance.now() - start;
    if (cache) this.pipelines.set(program.key, pipeline);
    return pipeline;
  }

  /** A bind group for the program's layout; resources in binding order. */
  bindGroup(program: GpuProgram, resources: readonly BindingResource[]): GPUBindGroup {
    if (resources.length !== program.bindings.length) {
      throw new Error(
        `${program.key}: ${resources.length} resources for ${program.bindings.length} bindings`,
      );
    }
    return this.device.createBindGroup({
      label: program.key,
      layout: this.layoutFor(program.bindings),
      entries: resources.map((resource, binding) => ({
        binding,
        resource: 'buffer' in resource ? resource : { buffer: resource },
      })),
    });
  }

  /**
   * Records one dispatch. The pipeline must have been compiled (await `pipeline(program)` once
   * before encoding; `prepare` does this for every program of a run).
   */
  dispatch(pass: GPUComputePassEncoder, program: GpuProgram, bindGroup: GPUBindGroup): void {
    const pipeline = this.pipelines.get(program.key);
    if (!pipeline) throw new Error(`${program.key}: pipeline not compiled before dispatch`);
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(...program.workgroups);
  }

  /** Compiles, binds and runs one program in its own submission: for tests and one-off kernels. */
  async runOnce(program: GpuProgram, resources: readonly BindingResource[]): Promise<void> {
    await this.pipeline(program);
    const encoder = this.device.createCommandEncoder({ label: program.key });
    const pass = encoder.beginComputePass();
    this.dispatch(pass, program, this.bindGroup(program, resources));
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    await this.device.queue.onSubmittedWorkDone();
  }
}

/** Creates a storage buffer holding `data` (f32 or u32), usable as input and output. */
export function uploadBuffer(
  device: GPUDevice,
  data: Float32Array | Uint32Array,
  label: string,
): GPUBuffer {
  const buffer = device.createBuffer({
    label,
    size: Math.max(16, Math.ceil(data.byteLength / 16) * 16),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    mappedAtCreation: true,
  });
  const target =
    data instanceof Float32Array
      ? new Float32Array(buffer.getMappedRange())
      : new Uint32Array(buffer.getMappedRange());
  target.set(data);
  buffer.unmap();
  return buffer;
}

/** A uniform buffer with the given 32-bit words (u32 or f32 bit patterns via DataView). */
export function uniformBuffer(device: GPUDevice, words: ArrayBuffer, label: string): GPUBuffer {
  const buffer = device.createBuffer({
    label,
    size: Math.max(16, Math.ceil(words.byteLength / 16) * 16),
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    mappedAtCreation: true,
  });
  new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(words));
  buffer.unmap();
  return buffer;
}

/** Copies `byteLength` bytes of a buffer back to the CPU (one staging buffer, one map). */
export async function readBuffer(
  device: GPUDevice,
  source: GPUBuffer,
  byteLength: number,
): Promise<ArrayBuffer> {
  const size = Math.ceil(byteLength / 4) * 4;
  const staging = device.createBuffer({
    size: Math.max(4, size),
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(source, 0, staging, 0, size);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const copy = staging.getMappedRange(0, size).slice(0, byteLength);
  staging.unmap();
  staging.destroy();
  return copy;
}

/** One dispatch of a run: a compiled program and its bind group. */
export interface DispatchStep {
  readonly program: GpuProgram;
  readonly bindGroup: GPUBindGroup;
}

/** Consecutive dispatches of one kernel, timed together. */
export interface KernelGroup<K extends string> {
  readonly kernel: K;
  readonly steps: readonly DispatchStep[];
}

/** Splits a run's dispatches, each labelled with its kernel, into runs of one kernel. */
export function groupByKernel<K extends string>(
  steps: readonly (DispatchStep & { readonly kernel: K })[],
): KernelGroup<K>[] {
  const groups: { kernel: K; steps: DispatchStep[] }[] = [];
  for (const step of steps) {
    const last = groups.at(-1);
    if (last && last.kernel === step.kernel) last.steps.push(step);
    else groups.push({ kernel: step.kernel, steps: [step] });
  }
  return groups;
}

/** The most queries one GPUQuerySet may hold (WebGPU's limit). */
export const MAX_QUERY_SET_COUNT = 4096;

/**
 * Times groups of dispatches with GPU timestamps: each group is encoded as its own compute pass
 * whose timestampWrites mark its start and end, the timestamps are resolved and copied to a
 * mappable buffer in the same command buffer, and `read` sums the nanoseconds per kernel. Passes
 * run in order with their writes visible to the next, exactly like dispatches in one pass, so the
 * results are the same; a pass boundary costs a little GPU time, which the sums do not include.
 * Browsers may round timestamps (Chrome to 100 µs unless its developer features are on), so short
 * groups read as 0 or one rounding step: the sums are estimates, better the longer the kernels.
 */
export class KernelTimer<K extends string> {
  private readonly querySet: GPUQuerySet;
  private readonly resolved: GPUBuffer;
  private readonly readback: GPUBuffer;
  private readonly bytes: number;

  constructor(
    device: GPUDevice,
    private readonly groups: readonly KernelGroup<K>[],
  ) {
    const count = 2 * groups.length;
    if (count > MAX_QUERY_SET_COUNT)
      throw new RangeError(
        `${groups.length} kernel groups need more than ${MAX_QUERY_SET_COUNT} timestamps`,
      );
    this.bytes = count * 8;
    this.querySet = device.createQuerySet({
      label: 'gradlab-kernel-times',
      type: 'timestamp',
      count,
    });
    this.resolved = device.createBuffer({
      label: 'gradlab-kernel-times',
      size: this.bytes,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    this.readback = device.createBuffer({
      label: 'gradlab-kernel-times-readback',
      size: this.bytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
  }

  /** Encodes every group in its own timed pass, then the copy of the timestamps. */
  encode(encoder: GPUCommandEncoder, runner: GpuRunner): void {
    this.groups.forEach((group, i) => {
      const pass = encoder.beginComputePass({
        label: `gradlab-${group.kernel}`,
        timestampWrites: {
          querySet: this.querySet,
          beginningOfPassWriteIndex: 2 * i,
          endOfPassWriteIndex: 2 * i + 1,
        },
      });
      for (const step of group.steps) runner.dispatch(pass, step.program, step.bindGroup);
      pass.end();
    });
    encoder.resolveQuerySet(this.querySet, 0, 2 * this.groups.length, this.resolved, 0);
    encoder.copyBufferToBuffer(this.resolved, 0, this.readback, 0, this.bytes);
  }

  /**
   * After the submission: milliseconds per kernel, summed over its groups. A group whose end
   * reads before its start (a reset or wrapped counter) counts as 0.
   */
  async read(): Promise<Partial<Record<K, number>>> {
    await this.readback.mapAsync(GPUMapMode.READ);
    const ticks = new BigUint64Array(this.readback.getMappedRange().slice(0));
    this.readback.unmap();
    const ms: Partial<Record<K, number>> = {};
    this.groups.forEach((group, i) => {
      const elapsed = ticks[2 * i + 1]! - ticks[2 * i]!;
      ms[group.kernel] = (ms[group.kernel] ?? 0) + (elapsed > 0n ? Number(elapsed) / 1e6 : 0);
    });
    return ms;
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolved.destroy();
    this.readback.destroy();
  }
}
