/**
 * Reductions that fill a layer's statistics record (stats-layout.ts) on the GPU: Σx², and the
 * activation statistics of runNetworkPass (sum, centered sum of squares, finite min/max,
 * non-finite count, histogram, dead units, saturated entries), as lists of dispatches that are
 * built once and then encoded into the compute pass of every run, with no CPU round trip.
 *
 * Every sum is two-level: a bounded number of workgroups (at most MAX_PARTIAL_GROUPS, so any
 * length works and no dispatch comes near the 65535-per-dimension limit) each sum a grid-strided
 * share, each invocation in order and then pairwise across the workgroup in workgroup memory, into
 * one f32 partial in the caller's scratch buffer; one workgroup then adds the partials the same
 * way. `sumAdditionDepth` states the resulting error bound.
 *
 * Per-dispatch parameters (lengths, offsets, the threshold) live in one small uniform buffer per
 * step, so the six pipelines are shared by every layer and every length.
 *
 * Scratch is shared: the steps of one call use it from first to last, so encode each call's steps
 * whole and in order (as `encodeReduceSteps` does) before the next call's.
 */
import common from '../../../../shaders/reduce-common.wgsl?raw';
import activationFinal from '../../../../shaders/reduce-activation-final.wgsl?raw';
import activationPartials from '../../../../shaders/reduce-activation-partials.wgsl?raw';
import centeredHistogram from '../../../../shaders/reduce-centered-histogram.wgsl?raw';
import deadUnits from '../../../../shaders/reduce-dead-units.wgsl?raw';
import sumFinal from '../../../../shaders/reduce-sum-final.wgsl?raw';
import sumSquaresPartials from '../../../../shaders/reduce-sumsq-partials.wgsl?raw';
import { linearWorkgroups, type BindingKind, type GpuProgram } from '../program.ts';
import { uniformBuffer, type GpuRunner } from '../runner.ts';
import { STATS_HEADER_WORDS, StatsField, statsRecordWords } from '../stats-layout.ts';

/** Invocations per workgroup (the default maxComputeInvocationsPerWorkgroup). */
export const REDUCE_WORKGROUP_SIZE = 256;
/**
 * Entries each invocation of a first-level pass takes (at least, until MAX_PARTIAL_GROUPS): enough
 * that the workgroup's tree and its barriers are a small part of the work. Barriers are cheap on a
 * GPU but cost a coroutine switch per SIMD group on SwiftShader.
 */
export const ENTRIES_PER_INVOCATION = 16;
/**
 * Most workgroups of a first-level pass: 1024 × 256 invocations fill a large GPU (4M entries, 16
 * each), and the last level then adds at most 4 partials per invocation.
 */
export const MAX_PARTIAL_GROUPS = 1024;
/** The histogram's workgroup counters are sized for this many bins (the spec allows 2–1024). */
export const MAX_HISTOGRAM_BINS = 1024;
/** Longest array: indices stay far from u32 overflow. */
export const MAX_REDUCE_LENGTH = 2 ** 31;

/**
 * Scratch layout, in u32 words, for a call whose first level runs G workgroups: region k holds
 * that pass's per-workgroup partials at k·G + group, and the parameter block that the last level
 * of the layer statistics leaves for the histogram pass starts at SCRATCH_PARAMS·G.
 */
const ScratchRegion = {
  SCRATCH_SUM: 0,
  SCRATCH_MIN_KEY: 1,
  SCRATCH_MAX_KEY: 2,
  SCRATCH_NON_FINITE: 3,
  SCRATCH_SATURATED: 4,
  SCRATCH_DEAD: 5,
  SCRATCH_PARAMS: 6,
} as const;

/** Words of the parameter block: the mean, the minimum, the histogram's scale and mode. */
const ScratchParam = {
  PARAM_MEAN: 0,
  PARAM_MIN: 1,
  PARAM_SCALE: 2,
  PARAM_PRESCALE: 3,
  PARAM_MODE: 4,
} as const;
const PARAM_WORDS = 8;

/** One dispatch: a program and its bind group. */
export interface ReduceStep {
  readonly program: GpuProgram;
  readonly bindGroup: GPUBindGroup;
  /** The step's uniform buffer, owned by the step: destroy it with `destroyReduceSteps`. */
  readonly params: GPUBuffer;
}

/** First-level workgroups for `length` entries: one per WG·16 entries, at most 1024. */
export function partialGroups(length: number): number {
  const perGroup = REDUCE_WORKGROUP_SIZE * ENTRIES_PER_INVOCATION;
  return Math.min(MAX_PARTIAL_GROUPS, Math.max(1, Math.ceil(length / perGroup)));
}

/**
 * The most additions any term of an f32 sum of `length` terms goes through: in order within an
 * invocation, log2(WG) across the first-level workgroup, in order over the partials an invocation
 * of the last level takes, log2(WG) again. With round-to-nearest, the computed sum of non-negative
 * terms is within depth·2⁻²⁴ (relative, to first order) of the exact sum of the f32 terms
 * (Higham, Accuracy and Stability of Numerical Algorithms, §4.2).
 */
export function sumAdditionDepth(length: number): number {
  const groups = partialGroups(length);
  const perInvocation = Math.ceil(Math.max(1, length) / (groups * REDUCE_WORKGROUP_SIZE));
  const partialsPerInvocation = Math.ceil(groups / REDUCE_WORKGROUP_SIZE);
  const tree = Math.log2(REDUCE_WORKGROUP_SIZE);
  return perInvocation - 1 + tree + (partialsPerInvocation - 1) + tree;
}

/**
 * Scratch space the reductions need (partial sums etc.), sized for the largest array; owned by
 * the caller, reused by every call whose length is at most `maxLength`.
 */
export function reduceScratchBytes(maxLength: number): number {
  return 4 * (ScratchRegion.SCRATCH_PARAMS * partialGroups(maxLength) + PARAM_WORDS);
}

/**
 * The u32 limit of the saturation test |φ′| ≤ threshold, done on bit patterns as
 * (bits(φ′) & 0x7fffffff) < limit. For a non-negative f32 the bit pattern orders like the value
 * (+∞ next, NaNs above), so the limit is one past the bits of the largest f32 ≤ threshold: that
 * agrees exactly with comparing the f32 φ′ with the f64 threshold, as the CPU does. Nothing is
 * saturated under a negative or NaN threshold.
 */
export function saturationLimit(threshold: number): number {
  if (!(threshold >= 0)) return 0;
  let bound = Math.fround(threshold);
  if (bound > threshold) bound = nextDownF32(bound);
  const bits = new Uint32Array(new Float32Array([bound]).buffer)[0]!;
  return bits + 1;
}

/** The largest f32 below a positive f32. */
function nextDownF32(value: number): number {
  const words = new Float32Array([value]);
  const bits = new Uint32Array(words.buffer);
  bits[0] = bits[0]! - 1;
  return words[0]!;
}

/** WGSL constants generated from the record layout and the scratch layout: never copied by hand. */
function constantsWgsl(): string {
  const u32 = (name: string, value: number): string => `const ${name}: u32 = ${value}u;`;
  const fieldName = (field: string): string =>
    `FIELD_${field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
  return [
    u32('WG', REDUCE_WORKGROUP_SIZE),
    u32('MAX_BINS', MAX_HISTOGRAM_BINS),
    u32('HEADER_WORDS', STATS_HEADER_WORDS),
    ...Object.entries(StatsField).map(([field, word]) => u32(fieldName(field), word)),
    ...Object.entries(ScratchRegion).map(([name, region]) => u32(name, region)),
    ...Object.entries(ScratchParam).map(([name, word]) => u32(name, word)),
  ].join('\n');
}

/** The key names the kernel and the workgroup size; the histogram's also its counter capacity. */
function reduceProgram(
  name: string,
  body: string,
  bindings: readonly BindingKind[],
  groups: number,
): GpuProgram {
  const capacity = body.includes('MAX_BINS') ? `:maxbins${MAX_HISTOGRAM_BINS}` : '';
  return {
    key: `reduce:${name}:wg${REDUCE_WORKGROUP_SIZE}${capacity}`,
    code: `${constantsWgsl()}\n${common}\n${body}`,
    bindings,
    workgroups: linearWorkgroups(groups),
  };
}

function wordsBuffer(words: readonly number[]): ArrayBuffer {
  return Uint32Array.from(words).buffer;
}

async function step(
  runner: GpuRunner,
  program: GpuProgram,
  buffers: readonly GPUBuffer[],
  params: readonly number[],
): Promise<ReduceStep> {
  await runner.pipeline(program);
  const uniform = uniformBuffer(runner.device, wordsBuffer(params), `${program.key}:params`);
  return {
    program,
    bindGroup: runner.bindGroup(program, [...buffers, uniform]),
    params: uniform,
  };
}

function checkLength(name: string, length: number): void {
  if (!Number.isInteger(length) || length < 0 || length > MAX_REDUCE_LENGTH) {
    throw new RangeError(`${name}: length ${length} is not an integer in [0, 2^31]`);
  }
}

function checkBufferWords(name: string, buffer: GPUBuffer, words: number): void {
  if (buffer.size < words * 4) {
    throw new RangeError(`${name}: needs ${words * 4} bytes, the buffer has ${buffer.size}`);
  }
}

/** Steps that write Σx² of `input[0..length)` (f32) into stats word `wordOffset` (as f32 bits). */
export async function sumOfSquaresSteps(
  runner: GpuRunner,
  input: GPUBuffer,
  length: number,
  stats: GPUBuffer,
  wordOffset: number,
  scratch: GPUBuffer,
): Promise<ReduceStep[]> {
  checkLength('sumOfSquaresSteps', length);
  checkBufferWords('sumOfSquaresSteps input', input, length);
  checkBufferWords('sumOfSquaresSteps stats', stats, wordOffset + 1);
  checkBufferWords('sumOfSquaresSteps scratch', scratch, reduceScratchBytes(length) / 4);
  const groups = partialGroups(length);
  const partials = reduceProgram(
    'sumsq-partials',
    sumSquaresPartials,
    ['read-only-storage', 'storage', 'uniform'],
    groups,
  );
  const final = reduceProgram(
    'sum-final',
    sumFinal,
    ['read-only-storage', 'storage', 'uniform'],
    1,
  );
  return [
    await step(runner, partials, [input, scratch], [length, groups, 0]),
    await step(runner, final, [scratch, stats], [0, groups, wordOffset]),
  ];
}

export interface LayerStatisticsArgs {
  /** a⁽ˡ⁾, units × batch, f32. */
  readonly activations: GPUBuffer;
  /** φ(ẑ⁽ˡ⁾) before the residual add, units × batch (the activations' buffer without residual). */
  readonly preResidual: GPUBuffer;
  /** φ′(ẑ⁽ˡ⁾), units × batch. */
  readonly derivatives: GPUBuffer;
  readonly units: number;
  readonly batch: number;
  readonly bins: number;
  /** An entry is saturated when |φ′| ≤ threshold (compared as the CPU compares f32 with f64). */
  readonly threshold: number;
  readonly stats: GPUBuffer;
  /** Word offset of the layer's record (statsRecordOffset). */
  readonly recordOffset: number;
  readonly scratch: GPUBuffer;
}

/**
 * Steps that fill a layer record's activation fields from `activations` (units × batch, f32):
 * activationSum, activationCenteredSumSq (two-pass: the mean from the first pass),
 * activationMin/Max over finite values (NaN bits when there is none), nonFinite, the histogram
 * (binning rule in shaders/reduce-activation-final.wgsl), deadUnits from `preResidual` and
 * saturated from `derivatives`. The steps write every one of these words, histogram included;
 * the record's other words are left alone.
 */
export async function layerStatisticsSteps(
  runner: GpuRunner,
  args: LayerStatisticsArgs,
): Promise<ReduceStep[]> {
  const { activations, preResidual, derivatives, units, batch, bins, stats, recordOffset } = args;
  const { scratch } = args;
  if (!Number.isInteger(units) || !Number.isInteger(batch) || units < 1 || batch < 1) {
    throw new RangeError(`layerStatisticsSteps: units ${units} × batch ${batch}`);
  }
  if (!Number.isInteger(bins) || bins < 1 || bins > MAX_HISTOGRAM_BINS) {
    throw new RangeError(`layerStatisticsSteps: bins ${bins} not in [1, ${MAX_HISTOGRAM_BINS}]`);
  }
  const length = units * batch;
  checkLength('layerStatisticsSteps', length);
  for (const [name, buffer] of [
    ['activations', activations],
    ['preResidual', preResidual],
    ['derivatives', derivatives],
  ] as const) {
    checkBufferWords(`layerStatisticsSteps ${name}`, buffer, length);
  }
  checkBufferWords('layerStatisticsSteps stats', stats, recordOffset + statsRecordWords(bins));
  checkBufferWords('layerStatisticsSteps scratch', scratch, reduceScratchBytes(length) / 4);

  const groups = partialGroups(length);
  // Invocations per row: enough for ENTRIES_PER_INVOCATION entries each, a power of two ≤ WG.
  const lanes = Math.min(
    REDUCE_WORKGROUP_SIZE,
    2 ** Math.ceil(Math.log2(Math.ceil(batch / ENTRIES_PER_INVOCATION))),
  );
  const deadGroups = Math.min(groups, Math.ceil(units / (REDUCE_WORKGROUP_SIZE / lanes)));
  const storage = 'storage';
  const readOnly = 'read-only-storage';
  const uniform = 'uniform';

  const partials = reduceProgram(
    'activation-partials',
    activationPartials,
    [readOnly, readOnly, storage, uniform],
    groups,
  );
  const dead = reduceProgram('dead-units', deadUnits, [readOnly, storage, uniform], deadGroups);
  const final = reduceProgram('activation-final', activationFinal, [storage, storage, uniform], 1);
  const histogram = reduceProgram(
    'centered-histogram',
    centeredHistogram,
    [readOnly, storage, storage, uniform],
    groups,
  );
  const centeredFinal = reduceProgram('sum-final', sumFinal, [readOnly, storage, uniform], 1);
  return [
    await step(
      runner,
      partials,
      [activations, derivatives, scratch],
      [length, groups, saturationLimit(args.threshold)],
    ),
    await step(runner, dead, [preResidual, scratch], [units, batch, lanes, deadGroups, groups]),
    await step(runner, final, [scratch, stats], [groups, deadGroups, length, recordOffset, bins]),
    await step(
      runner,
      histogram,
      [activations, scratch, stats],
      [length, groups, recordOffset + STATS_HEADER_WORDS, bins],
    ),
    await step(
      runner,
      centeredFinal,
      [scratch, stats],
      [
        ScratchRegion.SCRATCH_SUM * groups,
        groups,
        recordOffset + StatsField.activationCenteredSumSq,
      ],
    ),
  ];
}

/** Records the steps, in order, into a compute pass. */
export function encodeReduceSteps(
  runner: GpuRunner,
  pass: GPUComputePassEncoder,
  steps: readonly ReduceStep[],
): void {
  for (const { program, bindGroup } of steps) runner.dispatch(pass, program, bindGroup);
}

/** Destroys the steps' uniform buffers (the caller's buffers are left alone). */
export function destroyReduceSteps(steps: readonly ReduceStep[]): void {
  for (const { params } of steps) params.destroy();
}
