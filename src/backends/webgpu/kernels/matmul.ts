/**
 * The batched matmul kernel: C (m×n) = op(A) · op(B) in f32, as a GpuProgram generated per shape,
 * transposes, tile config and epilogue from one template (shaders/matmul.wgsl).
 *
 * Shape, transposes and tile are baked into the shader as constants: a deep network has few
 * distinct layer shapes, so few pipelines get compiled, and baking lets the generator leave out
 * every edge check a shape does not need (a dimension that is a multiple of its tile has none) and
 * pick vec4 global loads wherever the contiguous dimension is a multiple of 4.
 *
 * gradlab's products (width×width weights, width×batch activations):
 *   forward   Z  = W · A        (m = width, k = width, n = batch)
 *   backward  G  = Wᵀ · Δ       transposeA
 *   gradient  dW = Δ · Aᵀ       transposeB (m = n = width, k = batch)
 * The batch is often 64–256 and sometimes 1, so N is often small: chooseTile picks narrower tiles
 * with K split across the workgroup's invocations for those, and a matrix-vector config for n = 1.
 */
import template from '../../../../shaders/matmul.wgsl?raw';
import { groupsFor, type BindingKind, type GpuProgram } from '../program.ts';

export interface MatmulShape {
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/**
 * A WGSL snippet that replaces the default store. It must define
 *    fn epilogue(row: u32, col: u32, value: f32)
 * and may declare its own bindings at @group(0) @binding(3 + i) for i = 0.., whose kinds are
 * listed in `bindings`. The default epilogue is `c[row * N + col] = value;` where `c` is binding 2.
 *
 * In scope for the snippet: `c` (binding 2, `array<f32>`), and the u32 constants `M`, `K`, `N`.
 * The kernel's own names all start with `mm_`; the snippet must not declare such names.
 * It is called once per output element, with row < M and col < N.
 */
export interface MatmulEpilogue {
  readonly key: string;
  readonly bindings: readonly BindingKind[];
  readonly wgsl: string;
}

export interface MatmulOptions {
  /** A is stored k×m row-major and used as Aᵀ. */
  readonly transposeA?: boolean;
  /** B is stored n×k row-major and used as Bᵀ. */
  readonly transposeB?: boolean;
  readonly epilogue?: MatmulEpilogue;
  /** Force a tile config (for tests/bench); otherwise chosen by shape. */
  readonly tile?: MatmulTile;
}

/**
 * A workgroup computes a tileM × tileN block of C, stepping through K tileK at a time; each
 * invocation accumulates threadM × threadN outputs. With splitK > 1 the workgroup has splitK
 * slices of (tileM/threadM)·(tileN/threadN) invocations that share the tile loads, each summing
 * tileK/splitK of every K step, and their partial sums are added at the end.
 */
export interface MatmulTile {
  readonly tileM: number;
  readonly tileN: number;
  readonly tileK: number;
  readonly threadM: number;
  readonly threadN: number;
  /** K-parallel slices inside the workgroup: a power of two dividing tileK. 1 when absent. */
  readonly splitK?: number;
}

/**
 * The configs chooseTile picks from, biggest output tile first. All use at most 256 invocations
 * and under 16 KiB of workgroup memory (WebGPU's default limits), whatever the transposes.
 */
export const MATMUL_TILES: readonly MatmulTile[] = [
  // Big problems: 8×8 outputs per invocation read 16 words from workgroup memory per 64 FMAs,
  // the ratio that lets shared-memory bandwidth keep up with the FMA units on current GPUs.
  { tileM: 128, tileN: 128, tileK: 8, threadM: 8, threadN: 8 },
  // Medium problems: 4× as many workgroups for the same shape.
  { tileM: 64, tileN: 64, tileK: 16, threadM: 4, threadN: 4 },
  // Skinny N (batch ≈ 32–256 at moderate width): small tiles, four K slices.
  { tileM: 32, tileN: 32, tileK: 16, threadM: 4, threadN: 4, splitK: 4 },
  // Very skinny N (≈ 5–32 at large width): eight K slices.
  { tileM: 32, tileN: 16, tileK: 32, threadM: 4, threadN: 4, splitK: 8 },
  // N ≈ 2–4, or up to 16 where it gives more workgroups.
  { tileM: 64, tileN: 8, tileK: 16, threadM: 2, threadN: 4, splitK: 4 },
  // Matrix-vector (n = 1): one output per invocation, K spread over eight slices.
  { tileM: 32, tileN: 1, tileK: 64, threadM: 1, threadN: 1, splitK: 8 },
];

/** WebGPU's default limits, which every adapter supports and devices get unless they ask. */
export const MATMUL_DEFAULT_LIMITS = {
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupsPerDimension: 65535,
} as const;

type MatmulLimits = Pick<GPUSupportedLimits, keyof typeof MATMUL_DEFAULT_LIMITS>;

function resolveLimits(limits?: Partial<GPUSupportedLimits>): MatmulLimits {
  return {
    maxComputeWorkgroupStorageSize:
      limits?.maxComputeWorkgroupStorageSize ??
      MATMUL_DEFAULT_LIMITS.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup:
      limits?.maxComputeInvocationsPerWorkgroup ??
      MATMUL_DEFAULT_LIMITS.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX:
      limits?.maxComputeWorkgroupSizeX ?? MATMUL_DEFAULT_LIMITS.maxComputeWorkgroupSizeX,
    maxComputeWorkgroupsPerDimension:
      limits?.maxComputeWorkgroupsPerDimension ??
      MATMUL_DEFAULT_LIMITS.maxComputeWorkgroupsPerDimension,
  };
}

/** `128×128×8 (8×8/inv, split-K 1)`: a tile config for tables and messages. */
export function describeTile(tile: MatmulTile): string {
  return `${tile.tileM}×${tile.tileN}×${tile.tileK} (${tile.threadM}×${tile.threadN}/inv, split-K ${tile.splitK ?? 1})`;
}

// ---------------------------------------------------------------------------------------------
// Layout: how a tile config maps onto invocations, registers and workgroup memory.

interface TileLayout {
  readonly splitK: number;
  /** Invocations along n and m in one slice. */
  readonly threadsN: number;
  readonly threadsM: number;
  readonly sliceInvocations: number;
  readonly invocations: number;
  readonly kPerSlice: number;
  /** Fragment vector widths: 4 when an invocation's rows (columns) come in runs of 4. */
  readonly vecM: 1 | 4;
  readonly vecN: 1 | 4;
}

function isPowerOfTwo(value: number): boolean {
  return Number.isInteger(value) && value > 0 && (value & (value - 1)) === 0;
}

function tileLayout(tile: MatmulTile): TileLayout {
  const { tileM, tileN, tileK, threadM, threadN } = tile;
  const splitK = tile.splitK ?? 1;
  const fields = { tileM, tileN, tileK, threadM, threadN, splitK };
  for (const [name, value] of Object.entries(fields)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`matmul tile: ${name} must be a positive integer, got ${value}`);
    }
  }
  if (tileM % threadM !== 0 || tileN % threadN !== 0) {
    throw new Error(`matmul tile ${describeTile(tile)}: threadM/threadN must divide tileM/tileN`);
  }
  if (!isPowerOfTwo(splitK) || tileK % splitK !== 0) {
    throw new Error(
      `matmul tile ${describeTile(tile)}: splitK must be a power of two dividing tileK`,
    );
  }
  const threadsN = tileN / threadN;
  const threadsM = tileM / threadM;
  const sliceInvocations = threadsN * threadsM;
  return {
    splitK,
    threadsN,
    threadsM,
    sliceInvocations,
    invocations: sliceInvocations * splitK,
    kPerSlice: tileK / splitK,
    vecM: threadM % 4 === 0 ? 4 : 1,
    vecN: threadN % 4 === 0 ? 4 : 1,
  };
}

/**
 * Row stride of a k-major shared tile. A copy that transposes (global rows run along k) writes
 * one column of the tile per invocation; padding the rows spreads those writes over the banks.
 */
function sharedStride(extent: number, vec: 1 | 4, kContiguous: boolean): number {
  if (!kContiguous || extent < 4) return extent;
  return extent + (vec === 4 ? 4 : 1);
}

export interface MatmulFootprint {
  readonly invocations: number;
  readonly workgroupStorageBytes: number;
}

/**
 * Invocations per workgroup and workgroup memory of a tile config. Without transposes, the worst
 * case over all four combinations (both tiles copied transposing, hence padded).
 */
export function matmulTileFootprint(
  tile: MatmulTile,
  transposes?: { readonly transposeA?: boolean; readonly transposeB?: boolean },
): MatmulFootprint {
  const layout = tileLayout(tile);
  const aKContiguous = transposes ? !transposes.transposeA : true;
  const bKContiguous = transposes ? Boolean(transposes.transposeB) : true;
  const tileA = tile.tileK * sharedStride(tile.tileM, layout.vecM, aKContiguous);
  const tileB = tile.tileK * sharedStride(tile.tileN, layout.vecN, bKContiguous);
  const reduction = (layout.splitK / 2) * tile.tileM * tile.tileN;
  return {
    invocations: layout.invocations,
    workgroupStorageBytes: 4 * (tileA + tileB + (layout.splitK > 1 ? reduction : 0)),
  };
}

function fitsLimits(tile: MatmulTile, shape: MatmulShape | null, limits: MatmulLimits): boolean {
  const { invocations, workgroupStorageBytes } = matmulTileFootprint(tile);
  if (invocations > limits.maxComputeInvocationsPerWorkgroup) return false;
  if (invocations > limits.maxComputeWorkgroupSizeX) return false;
  if (workgroupStorageBytes > limits.maxComputeWorkgroupStorageSize) return false;
  if (shape) {
    const most = limits.maxComputeWorkgroupsPerDimension;
    if (groupsFor(shape.n, tile.tileN) > most || groupsFor(shape.m, tile.tileM) > most) {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Choosing a tile.

/**
 * Workgroups that fill a big discrete GPU (≈ 100–150 compute units, two 256-invocation
 * workgroups each); fewer leave units idle. chooseTile's default.
 */
export const GPU_FILL_WORKGROUPS = 256;

/**
 * For a software adapter (isSoftwareAdapter(adapter info)): 1, so that only the work per
 * invocation counts. SwiftShader runs workgroups on a few CPU threads, and emulating invocations,
 * barriers and the split-K reduction is what costs there: on 256×256·256×256 the 128×128 config
 * ran ≈ 10× faster than the split-K 32×32 one that the GPU default picks.
 */
export const SOFTWARE_FILL_WORKGROUPS = 1;

/**
 * Relative throughput of a config once the GPU is full, from its register blocking: FMAs per word
 * read from workgroup memory, threadM·threadN / (threadM + threadN), saturating at 4 (8×8), the
 * ratio that keeps shared-memory bandwidth from being the limit on current GPUs.
 */
function blockingEfficiency(tile: MatmulTile): number {
  const perWord = (tile.threadM * tile.threadN) / (tile.threadM + tile.threadN);
  return Math.min(1, perWord / 4);
}

/**
 * FMAs a GPU does in the time it moves one f32 from L2 to a workgroup, roughly (an H100/H200:
 * ≈ 33 T FMA/s over ≈ 10 TB/s of L2; smaller GPUs are in the same range).
 */
const FMAS_PER_LOADED_FLOAT = 8;

/**
 * A relative time estimate for a config on a shape: the work including the padding of partial
 * tiles, over blocking efficiency, plus the tile loads from L2 (each workgroup reads
 * (tileM + tileN)·K floats), all over how full the GPU is. Too few workgroups leave compute units
 * idle; too small a tile re-reads A and B many times and reads workgroup memory for every FMA.
 */
function estimatedCost(shape: MatmulShape, tile: MatmulTile, fillWorkgroups: number): number {
  const rowTiles = groupsFor(shape.m, tile.tileM);
  const colTiles = groupsFor(shape.n, tile.tileN);
  const paddedK = groupsFor(shape.k, tile.tileK) * tile.tileK;
  const workgroups = rowTiles * colTiles;
  const paddedWork = workgroups * tile.tileM * tile.tileN * paddedK;
  const loadedFloats = workgroups * (tile.tileM + tile.tileN) * paddedK;
  const occupancy = Math.min(1, workgroups / fillWorkgroups);
  return (paddedWork / blockingEfficiency(tile) + FMAS_PER_LOADED_FLOAT * loadedFloats) / occupancy;
}

function checkShape(shape: MatmulShape): void {
  for (const name of ['m', 'k', 'n'] as const) {
    const value = shape[name];
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`matmul: ${name} must be a positive integer, got ${value}`);
    }
  }
  // Indices are u32 in the shader; keep every element index of A, B and C below 2³¹.
  const largest = Math.max(shape.m * shape.k, shape.k * shape.n, shape.m * shape.n);
  if (largest >= 2 ** 31) {
    throw new Error(`matmul: ${shape.m}×${shape.k}·${shape.k}×${shape.n} has too many elements`);
  }
}

/**
 * Narrow tiles are for narrow products: a tile under 32 columns wide only for n ≤ 2·tileN (so the
 * matrix-vector config only for n ≤ 2), and no tile pads n by more than 4×. Without this the
 * occupancy term would send small square products to the most parallel, least efficient configs.
 */
function suitsWidth(shape: MatmulShape, tile: MatmulTile): boolean {
  if (tile.tileN < 32 && shape.n > 2 * tile.tileN) return false;
  return groupsFor(shape.n, tile.tileN) * tile.tileN <= 4 * shape.n;
}

/**
 * The config of MATMUL_TILES with the lowest estimated cost on this shape among those that suit
 * its width and fit the limits (WebGPU's defaults for any limit not given); ties go to the
 * bigger tile. If no config suits the width, the cheapest that fits the limits.
 * `fillWorkgroups`: how many workgroups keep the device busy (GPU_FILL_WORKGROUPS, or
 * SOFTWARE_FILL_WORKGROUPS for a software adapter).
 */
export function chooseTile(
  shape: MatmulShape,
  limits?: Partial<GPUSupportedLimits>,
  fillWorkgroups: number = GPU_FILL_WORKGROUPS,
): MatmulTile {
  checkShape(shape);
  if (!(fillWorkgroups >= 1)) {
    throw new Error(`chooseTile: fillWorkgroups must be at least 1, got ${fillWorkgroups}`);
  }
  const resolved = resolveLimits(limits);
  const fitting = MATMUL_TILES.filter((tile) => fitsLimits(tile, shape, resolved));
  const suiting = fitting.filter((tile) => suitsWidth(shape, tile));
  let best: MatmulTile | null = null;
  let bestCost = Infinity;
  for (const tile of suiting.length > 0 ? suiting : fitting) {
    const cost = estimatedCost(shape, tile, fillWorkgroups);
    if (cost < bestCost) {
      best = tile;
      bestCost = cost;
    }
  }
  if (!best) {
    throw new Error(
      `matmul: no tile config fits ${shape.m}×${shape.k}·${shape.k}×${shape.n} within the limits ${JSON.stringify(resolved)}`,
    );
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Code generation.

const COMPONENTS = ['x', 'y', 'z', 'w'] as const;

function u(value: number): string {
  return `${value}u`;
}

function indent(lines: readonly string[], depth: number): string {
  const pad = '  '.repeat(depth);
  return lines.map((line) => (line === '' ? '' : pad + line)).join('\n');
}

/** Replaces every `{{NAME}}`; fails on a placeholder without a value or a value without a use. */
function fillTemplate(text: string, values: Record<string, string>): string {
  const used = new Set<string>();
  const filled = text.replace(/\{\{([A-Z_]+)\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`matmul.wgsl: no value for {{${name}}}`);
    used.add(name);
    return value;
  });
  const unused = Object.keys(values).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`matmul.wgsl: no placeholder for ${unused.join(', ')}`);
  return filled;
}

/** One operand's tile copy: global memory → registers → k-major workgroup tile. */
interface OperandPlan {
  /** `a` or `b`: names mm_a / mm_tileA / mm_aReg0 … */
  readonly name: 'a' | 'b';
  readonly tileName: 'mm_tileA' | 'mm_tileB';
  /** Tile extent and problem size along the operand's output dimension (m for A, n for B). */
  readonly extent: number;
  readonly size: number;
  /** Global rows run along k: the copy transposes (A not transposed, B transposed). */
  readonly kContiguous: boolean;
  /** Global load width: 4 when the contiguous dimension and the tile extent along it allow. */
  readonly loadVec: 1 | 4;
  /** Fragment width, and whether the workgroup tile is an array of vec4. */
  readonly vec: 1 | 4;
  /** Row stride of the workgroup tile, in f32. */
  readonly stride: number;
  /** The tile's first row (m0) or column (n0) in the shader. */
  readonly origin: 'mm_m0' | 'mm_n0';
}

function operandPlan(
  name: 'a' | 'b',
  shape: MatmulShape,
  tile: MatmulTile,
  layout: TileLayout,
  kContiguous: boolean,
): OperandPlan {
  const extent = name === 'a' ? tile.tileM : tile.tileN;
  const size = name === 'a' ? shape.m : shape.n;
  const vec = name === 'a' ? layout.vecM : layout.vecN;
  const loadVec = kContiguous
    ? shape.k % 4 === 0 && tile.tileK % 4 === 0
      ? 4
      : 1
    : size % 4 === 0 && extent % 4 === 0
      ? 4
      : 1;
  return {
    name,
    tileName: name === 'a' ? 'mm_tileA' : 'mm_tileB',
    extent,
    size,
    kContiguous,
    loadVec,
    vec,
    stride: sharedStride(extent, vec, kContiguous),
    origin: name === 'a' ? 'mm_m0' : 'mm_n0',
  };
}

interface OperandCode {
  readonly tileElement: string;
  readonly tileLength: number;
  readonly globalElement: string;
  readonly setup: string[];
  /** Global loads of the K step starting at `k0` into the registers. */
  load(k0: string, checked: boolean): string[];
  /** Registers → workgroup tile. */
  store(): string[];
}

function operandCode(
  plan: OperandPlan,
  shape: MatmulShape,
  tile: MatmulTile,
  invocations: number,
): OperandCode {
  const { name, tileName, extent, size, kContiguous, loadVec, vec, stride, origin } = plan;
  const K = shape.k;
  const p = `mm_${name}`;
  const loadType = loadVec === 4 ? 'vec4<f32>' : 'f32';
  const zero = `${loadType}(0.0)`;
  // Each invocation copies units of unitX × unitK values (x: the output dimension, m or n). A
  // vec4 tile gets 4 consecutive x per unit, so that every store is a whole vec4 (a 4×4 block is
  // transposed in registers when global rows run along k); a scalar tile gets one global load.
  const unitX = vec === 4 ? 4 : kContiguous ? 1 : loadVec;
  const unitK = kContiguous ? loadVec : 1;
  const xUnits = extent / unitX;
  const kUnits = tile.tileK / unitK;
  const units = xUnits * kUnits;
  const rounds = Math.ceil(units / invocations);
  // Global loads per unit: one per row (x) along k, or vectors along x.
  const loads = kContiguous ? unitX : unitX / loadVec;
  const clampEdge = size % extent !== 0;
  // Vectors per global row of the stored matrix.
  const rowVectors = (kContiguous ? K : size) / loadVec;

  const setup: string[] = [];
  for (let r = 0; r < rounds; r++) {
    const unit = `${p}Unit${r}`;
    // B's copy starts from the last invocation when it needs fewer than all of them, so that
    // A's and B's loads go to different invocations.
    const first =
      name === 'b' && units < invocations ? `mm_lid - ${u(invocations - units)}` : 'mm_lid';
    setup.push(`let ${unit} = ${first} + ${u(r * invocations)};`);
    // Neighbouring invocations take neighbouring vectors of a global row (coalesced loads).
    if (kContiguous) {
      setup.push(
        `let ${p}Kb${r} = ${unit} % ${u(kUnits)};`,
        `let ${p}Xb${r} = ${unit} / ${u(kUnits)};`,
      );
    } else {
      setup.push(
        `let ${p}Xb${r} = ${unit} % ${u(xUnits)};`,
        `let ${p}Kb${r} = ${unit} / ${u(xUnits)};`,
      );
    }
    for (let i = 0; i < loads; i++) {
      setup.push(`var ${p}Reg${r}_${i}: ${loadType};`);
      if (kContiguous) {
        // Global row x (clamped at the edge); k vectors along it.
        const x = `${origin} + ${p}Xb${r} * ${u(unitX)} + ${u(i)}`;
        const row = clampEdge ? `min(${x}, ${u(size - 1)})` : `(${x})`;
        setup.push(`let ${p}Row${r}_${i} = ${row} * ${u(rowVectors)};`);
      } else {
        // Vector index along the global row (clamped at the edge); the row is k.
        const col = `${origin} / ${u(loadVec)} + ${p}Xb${r} * ${u(unitX / loadVec)} + ${u(i)}`;
        setup.push(
          `let ${p}Col${r}_${i} = ${clampEdge ? `min(${col}, ${u(size / loadVec - 1)})` : col};`,
        );
      }
    }
    // The unit's first position in the tile, in tile elements (vec4 or f32).
    const kRow = `${p}Kb${r} * ${u((unitK * stride) / vec)}`;
    const xCol = vec === 4 ? `${p}Xb${r}` : `${p}Xb${r} * ${u(unitX)}`;
    setup.push(`let ${p}Dst${r} = ${kRow} + ${xCol};`);
  }
  // A block per round (its lets stay local), guarded where the last round has idle invocations
  // (for B, the invocations before the first wrap around to huge unit indices).
  const guarded = (r: number, body: string[]): string[] => {
    const open = (r + 1) * invocations > units ? `if (${p}Unit${r} < ${u(units)}) {` : '{';
    return [open, ...body.map((line) => `  ${line}`), '}'];
  };

  const load = (k0: string, checked: boolean): string[] => {
    const lines: string[] = [];
    for (let r = 0; r < rounds; r++) {
      const body: string[] = [];
      if (kContiguous) {
        const kVector = loadVec === 4 ? `${k0} / 4u + ${p}Kb${r}` : `${k0} + ${p}Kb${r}`;
        if (checked) body.push(`let ${p}K = ${kVector};`);
        for (let i = 0; i < loads; i++) {
          const reg = `${p}Reg${r}_${i}`;
          const row = `${p}Row${r}_${i}`;
          body.push(
            checked
              ? `${reg} = select(${zero}, ${p}[${row} + min(${p}K, ${u(K / loadVec - 1)})], ${p}K < ${u(K / loadVec)});`
              : `${reg} = ${p}[${row} + ${kVector}];`,
          );
        }
      } else {
        body.push(`let ${p}K = ${k0} + ${p}Kb${r};`);
        for (let i = 0; i < loads; i++) {
          const reg = `${p}Reg${r}_${i}`;
          const col = `${p}Col${r}_${i}`;
          body.push(
            checked
              ? `${reg} = select(${zero}, ${p}[min(${p}K, ${u(K - 1)}) * ${u(rowVectors)} + ${col}], ${p}K < ${u(K)});`
              : `${reg} = ${p}[${p}K * ${u(rowVectors)} + ${col}];`,
          );
        }
      }
      lines.push(...guarded(r, body));
    }
    return lines;
  };

  /** The unit's value at (x offset, k offset), as a WGSL expression over its registers. */
  const value = (r: number, x: number, k: number): string => {
    const [load, lane] = kContiguous ? [x, k] : [Math.floor(x / loadVec), x % loadVec];
    const reg = `${p}Reg${r}_${load}`;
    return loadVec === 4 ? `${reg}.${COMPONENTS[lane]}` : reg;
  };

  const store = (): string[] => {
    const lines: string[] = [];
    for (let r = 0; r < rounds; r++) {
      const dst = `${p}Dst${r}`;
      const body: string[] = [];
      for (let k = 0; k < unitK; k++) {
        const row = k === 0 ? dst : `${dst} + ${u((k * stride) / vec)}`;
        if (vec === 4) {
          const whole = !kContiguous && loadVec === 4;
          const values = [0, 1, 2, 3].map((x) => value(r, x, k));
          body.push(
            `${tileName}[${row}] = ${whole ? `${p}Reg${r}_0` : `vec4<f32>(${values.join(', ')})`};`,
          );
        } else {
          for (let x = 0; x < unitX; x++) {
            body.push(`${tileName}[${x === 0 ? row : `${row} + ${u(x)}`}] = ${value(r, x, k)};`);
          }
        }
      }
      lines.push(...guarded(r, body));
    }
    return lines;
  };

  return {
    tileElement: vec === 4 ? 'vec4<f32>' : 'f32',
    tileLength: (tile.tileK * stride) / vec,
    globalElement: loadType,
    setup,
    load,
    store,
  };
}

const DEFAULT_EPILOGUE = `fn epilogue(row: u32, col: u32, value: f32) {
  c[row * N + col] = value;
}`;

/** C (m×n) = op(A) · op(B); bindings: 0 A (read-only-storage), 1 B (read-only-storage), 2 C (storage), then the epilogue's. */
export function matmulProgram(shape: MatmulShape, options: MatmulOptions = {}): GpuProgram {
  checkShape(shape);
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  const tile = options.tile ?? chooseTile(shape);
  const layout = tileLayout(tile);
  const footprint = matmulTileFootprint(tile, { transposeA, transposeB });
  if (!fitsLimits(tile, shape, resolveLimits())) {
    throw new Error(
      `matmul tile ${describeTile(tile)} exceeds WebGPU's default limits on ${shape.m}×${shape.k}·${shape.k}×${shape.n} ` +
        `(${footprint.invocations} invocations, ${footprint.workgroupStorageBytes} bytes of workgroup memory)`,
    );
  }
  const epilogue = options.epilogue;
  if (epilogue && !/\bfn\s+epilogue\s*\(/.test(epilogue.wgsl)) {
    throw new Error(
      `matmul epilogue ${epilogue.key}: its WGSL must define fn epilogue(row, col, value)`,
    );
  }

  const { m: M, k: K, n: N } = shape;
  const { tileM, tileN, tileK, threadM, threadN } = tile;
  const { splitK, threadsN, threadsM, sliceInvocations, invocations, kPerSlice, vecM, vecN } =
    layout;

  const a = operandCode(
    operandPlan('a', shape, tile, layout, !transposeA),
    shape,
    tile,
    invocations,
  );
  const b = operandCode(
    operandPlan('b', shape, tile, layout, transposeB),
    shape,
    tile,
    invocations,
  );
  const strideA = sharedStride(tileM, vecM, !transposeA);
  const strideB = sharedStride(tileN, vecN, transposeB);

  // Accumulators: vec4s along n when each invocation's columns come in runs of 4, else scalars.
  const accVec = vecN === 4;
  const accElement = accVec ? 'vec4<f32>' : 'f32';
  const accLength = accVec ? (threadM * threadN) / 4 : threadM * threadN;
  const accIndex = (i: number, j: number): string =>
    accVec
      ? `mm_acc[${i * (threadN / 4) + (j >> 2)}].${COMPONENTS[j & 3]}`
      : `mm_acc[${i * threadN + j}]`;

  // Fragment expressions: row i of the invocation's A fragment, column j of its B fragment.
  const aValue = (i: number): string =>
    vecM === 4 ? `mm_fa${i >> 2}.${COMPONENTS[i & 3]}` : `mm_fa${i}`;
  const bValue = (j: number): string =>
    vecN === 4 ? `mm_fb${j >> 2}.${COMPONENTS[j & 3]}` : `mm_fb${j}`;
  // Output offsets inside the tile: runs of `vec` rows, run r at r·threadsM·vec (strided, so
  // neighbouring invocations read neighbouring words of the shared tile).
  const rowOffset = (i: number): number => Math.floor(i / vecM) * threadsM * vecM + (i % vecM);
  const colOffset = (j: number): number => Math.floor(j / vecN) * threadsN * vecN + (j % vecN);

  const compute: string[] = [];
  for (let kk = 0; kk < kPerSlice; kk++) {
    const kExpr = splitK > 1 ? `mm_kBase + ${u(kk)}` : u(kk);
    const block: string[] = [`let mm_k = ${kExpr};`];
    for (let run = 0; run < threadM / vecM; run++) {
      block.push(
        `let mm_fa${run} = mm_tileA[mm_k * ${u(strideA / vecM)} + ${u(run * threadsM)} + mm_ty];`,
      );
    }
    for (let run = 0; run < threadN / vecN; run++) {
      block.push(
        `let mm_fb${run} = mm_tileB[mm_k * ${u(strideB / vecN)} + ${u(run * threadsN)} + mm_tx];`,
      );
    }
    for (let i = 0; i < threadM; i++) {
      if (accVec) {
        for (let run = 0; run < threadN / 4; run++) {
          const acc = `mm_acc[${i * (threadN / 4) + run}]`;
          block.push(`${acc} = fma(vec4<f32>(${aValue(i)}), mm_fb${run}, ${acc});`);
        }
      } else {
        for (let j = 0; j < threadN; j++) {
          const acc = `mm_acc[${i * threadN + j}]`;
          block.push(`${acc} = fma(${aValue(i)}, ${bValue(j)}, ${acc});`);
        }
      }
    }
    compute.push('{', ...block.map((line) => `  ${line}`), '}');
  }

  // K steps: all but possibly the last are full; only a partial last one checks k < K.
  const kSteps = groupsFor(K, tileK);
  const fullEnd = Math.floor(K / tileK) * tileK;
  const loadBoth = (k0: string, checked: boolean): string[] => [
    ...a.load(k0, checked),
    ...b.load(k0, checked),
  ];
  const loadFirst = loadBoth('0u', fullEnd === 0);
  const prefetch: string[] = [];
  if (fullEnd > 0) {
    prefetch.push(
      `if (mm_nextK < ${u(fullEnd)}) {`,
      ...loadBoth('mm_nextK', false).map((l) => `  ${l}`),
      '}',
    );
  }
  if (fullEnd < K) {
    const keyword = fullEnd > 0 ? '} else if' : 'if';
    if (fullEnd > 0) prefetch.pop();
    prefetch.push(
      `${keyword} (mm_nextK < ${u(K)}) {`,
      ...loadBoth('mm_nextK', true).map((l) => `  ${l}`),
      '}',
    );
  }

  // Split-K: a tree of halvings through workgroup memory; slice 0 ends with the sums.
  const reduce: string[] = [];
  let reductionDeclaration = '';
  if (splitK > 1) {
    const perSlice = accLength * sliceInvocations;
    reductionDeclaration = `var<workgroup> mm_partial: array<${accElement}, ${(splitK / 2) * perSlice}>;`;
    for (let half = splitK / 2; half >= 1; half /= 2) {
      reduce.push(`if (mm_slice >= ${u(half)} && mm_slice < ${u(2 * half)}) {`);
      reduce.push(`  let mm_base = (mm_slice - ${u(half)}) * ${u(perSlice)} + mm_t;`);
      for (let e = 0; e < accLength; e++) {
        reduce.push(`  mm_partial[mm_base + ${u(e * sliceInvocations)}] = mm_acc[${e}];`);
      }
      reduce.push('}', 'workgroupBarrier();', `if (mm_slice < ${u(half)}) {`);
      reduce.push(`  let mm_base = mm_slice * ${u(perSlice)} + mm_t;`);
      for (let e = 0; e < accLength; e++) {
        reduce.push(`  mm_acc[${e}] += mm_partial[mm_base + ${u(e * sliceInvocations)}];`);
      }
      reduce.push('}');
      if (half > 1) reduce.push('workgroupBarrier();');
    }
  }

  // Stores: vec4 rows of C when the default store allows it, else the epilogue per element.
  const vecStore = !epilogue && accVec && N % 4 === 0;
  const checkRows = M % tileM !== 0;
  const checkCols = N % tileN !== 0;
  const write: string[] = [
    `let mm_row0 = mm_m0 + mm_ty * ${u(vecM)};`,
    `let mm_col0 = mm_n0 + mm_tx * ${u(vecN)};`,
  ];
  for (let i = 0; i < threadM; i++) {
    const rowLines: string[] = [];
    if (vecStore) {
      for (let run = 0; run < threadN / 4; run++) {
        const col = `mm_col0 + ${u(run * threadsN * 4)}`;
        const store = `c[mm_row * ${u(N / 4)} + ((${col}) >> 2u)] = mm_acc[${i * (threadN / 4) + run}];`;
        rowLines.push(checkCols ? `if (${col} < N) { ${store} }` : store);
      }
    } else {
      for (let j = 0; j < threadN; j++) {
        const col = `mm_col0 + ${u(colOffset(j))}`;
        const store = `epilogue(mm_row, ${col}, ${accIndex(i, j)});`;
        rowLines.push(checkCols ? `if (${col} < N) { ${store} }` : store);
      }
    }
    write.push('{', `  let mm_row = mm_row0 + ${u(rowOffset(i))};`);
    if (checkRows) write.push('  if (mm_row < M) {', ...rowLines.map((l) => `    ${l}`), '  }');
    else write.push(...rowLines.map((l) => `  ${l}`));
    write.push('}');
  }
  const writeBlock =
    splitK > 1 ? ['if (mm_slice == 0u) {', ...write.map((l) => `  ${l}`), '}'] : write;

  const code = fillTemplate(template, {
    M: String(M),
    K: String(K),
    N: String(N),
    A_ELEMENT: a.globalElement,
    B_ELEMENT: b.globalElement,
    C_ELEMENT: vecStore ? 'vec4<f32>' : 'f32',
    TILE_A_ELEMENT: a.tileElement,
    TILE_A_LENGTH: String(a.tileLength),
    TILE_B_ELEMENT: b.tileElement,
    TILE_B_LENGTH: String(b.tileLength),
    REDUCTION_DECLARATION: reductionDeclaration,
    EPILOGUE: vecStore ? '' : (epilogue?.wgsl ?? DEFAULT_EPILOGUE),
    INVOCATIONS: String(invocations),
    TILE_M: String(tileM),
    TILE_N: String(tileN),
    TILE_K: String(tileK),
    SLICE_INVOCATIONS: String(sliceInvocations),
    THREADS_N: String(threadsN),
    K_PER_SLICE: String(kPerSlice),
    ACC_ELEMENT: accElement,
    ACC_LENGTH: String(accLength),
    LOAD_SETUP: indent([...a.setup, ...b.setup], 1),
    LOAD_FIRST: indent(loadFirst, 1),
    K_STEPS: String(kSteps),
    STORE_TILES: indent([...a.store(), ...b.store()], 2),
    PREFETCH: indent(prefetch, 2),
    COMPUTE: indent(compute, 2),
    REDUCE: indent(reduce, 1),
    WRITE: indent(writeBlock, 1),
  });

  const transposes = `${transposeA ? 'T' : 'N'}${transposeB ? 'T' : 'N'}`;
  return {
    key:
      `matmul:${M}x${K}x${N}:${transposes}:tile${tileM}x${tileN}x${tileK}` +
      `:thread${threadM}x${threadN}:split${splitK}:${epilogue ? `epilogue=${epilogue.key}` : 'store'}`,
    code,
    bindings: ['read-only-storage', 'read-only-storage', 'storage', ...(epilogue?.bindings ?? [])],
    workgroups: [groupsFor(N, tileN), groupsFor(M, tileM), 1],
  };
}
