/**
 * The CPU backend's WebAssembly kernels (kernels.as.ts: the matmul, the fused activation pass,
 * the reductions, the peak micro-kernel) behind a small TypeScript API.
 *
 * Two modules, from kernels-wasm.generated.ts (`npm run build:wasm`): the kernels module
 * (SIMD128, about 8 KB) and the relaxed module (about 3 KB: the matmul and its peak loop with
 * f32x4.relaxed_madd, a fused multiply-add where the CPU has one), which imports the kernels
 * module's memory. They are embedded as base64, so that they load the same way in Node, under
 * Vite's dev server and on a page; the built CPU worker fetches the same bytes as .wasm files
 * before it starts (kernels-wasm.fetch.ts) and, where that fails, has empty binaries, which
 * validate() rejects like an engine without SIMD. Two sets of kernels follow:
 * - 'wasm-relaxed-simd': the kernels module, with the relaxed module's matmul. V8 enables relaxed
 *   SIMD by default from 11.4 (Chromium 114; the Chromium 156 of the e2e tests runs it); Node 20
 *   (V8 11.3) has it behind --experimental-wasm-relaxed-simd.
 * - 'wasm-simd': the kernels module alone. It needs only SIMD128 (Chrome/Edge 91, Firefox 89,
 *   Safari 16.4, Node 16.4); every engine without relaxed SIMD runs this one.
 * Which this engine can run is found by WebAssembly.validate, once per realm (feature detection
 * at load); relaxed is preferred.
 *
 * Compiling with `new WebAssembly.Module` is synchronous: fine in workers and Node, and on a
 * page's main thread up to 8 MB in current Chromium (4 KB before about Chrome 115, where it throws
 * and the caller falls back to the TypeScript kernels).
 *
 * An instance holds ~1.2 MB of wasm memory for its packing buffers, plus room for the largest
 * operands seen so far (memory never shrinks): create one per thread and reuse it. Addresses are
 * byte offsets into its memory; operands go from `base` on (see `reserve`). Below `base`, an
 * instance may keep arrays that do not change between jobs resident (`resident`: the lane's rows
 * of the weights), so that they are copied in once rather than every pass.
 *
 * Precision contract of the matmul (see matmul.as.ts): each entry of C is the f32 running sum
 * over p in order of the products, bitwise equal to the naive f32 loop with SIMD128 and with one
 * rounding per step where relaxed SIMD fuses; either way its error is at most
 * γ_K·Σ_p|A[i,p]·B[p,j]| with γ_K = K·2⁻²⁴/(1 − K·2⁻²⁴).
 */
import { KERNELS_WASM, RELAXED_MATMUL_WASM } from './kernels-wasm.generated.ts';

/** The two sets of WebAssembly kernels. */
export const WASM_KERNEL_NAMES = ['wasm-relaxed-simd', 'wasm-simd'] as const;
export type WasmKernelName = (typeof WASM_KERNEL_NAMES)[number];

/** The matmul of either module (matmul.as.ts); `packing` is the kernels module's packing area. */
type MatmulExport = (
  a: number,
  b: number,
  c: number,
  m: number,
  k: number,
  n: number,
  transB: number,
  packing: number,
) => void;

/** What relaxed.as.ts exports. */
interface RelaxedExports {
  readonly matmul: MatmulExport;
  readonly peakKernelMulAdd: (iterations: number, seed: number) => number;
}

/** What kernels.as.ts exports. Addresses are byte offsets into `memory`. */
interface KernelExports {
  readonly memory: WebAssembly.Memory;
  /** First byte after the kernels' fixed buffers: operands go from here on. */
  readonly scratchEnd: () => number;
  /** A small area where activate() leaves its statistics. */
  readonly resultsArea: () => number;
  /** The matmul's packing buffers. */
  readonly packingArea: () => number;
  readonly matmul: MatmulExport;
  readonly activate: (
    kind: number,
    alpha: number,
    threshold: number,
    z: number,
    h: number,
    d: number,
    residual: number,
    out: number,
    count: number,
    stats: number,
  ) => void;
  readonly deadRows: (h: number, rows: number, batch: number) => number;
  readonly delta: (g: number, d: number, out: number, count: number) => number;
  readonly sumOfSquares: (values: number, count: number) => number;
  readonly centeredSquares: (
    values: number,
    count: number,
    mean: number,
    halfMin: number,
    scale: number,
    bins: number,
    counts: number,
    histogram: number,
  ) => number;
  readonly peakMulAdd: (iterations: number, seed: number) => number;
}

/** Statistics of activate(), from the results area (activation.as.ts ActivationStats). */
export interface ActivationStatistics {
  /** Σ a over the elements, in f64 (non-finite ones included). */
  readonly sum: number;
  /** Smallest and largest finite a: +∞ and −∞ when there is none. */
  readonly min: number;
  readonly max: number;
  readonly saturated: number;
  readonly nonFinite: number;
}

const WASM_PAGE_BYTES = 65536;
/** Operand alignment in wasm memory: a whole cache line. */
const ALIGN_BYTES = 64;
/**
 * Slack after each operand: kernels read and write whole f32x4, up to 12 bytes past an array's
 * end (see activation.as.ts).
 */
const SLACK_BYTES = 16;

/**
 * The most bytes an instance keeps resident (the area never shrinks, so this bounds what the
 * cache costs a thread). Enough for the weights of the bench's 50 × 256 network twice over (W and
 * Wᵀ are 13 MB each); wider networks are copied in per job, which costs them relatively less.
 */
export const RESIDENT_BUDGET_BYTES = 64 << 20;

/** Bytes an operand of `length` f32 takes, padded and aligned. */
export function operandBytes(length: number): number {
  return Math.ceil((4 * length + SLACK_BYTES) / ALIGN_BYTES) * ALIGN_BYTES;
}

type ModuleName = 'kernels' | 'relaxed';

const BINARIES: Record<ModuleName, Uint8Array<ArrayBuffer>> = {
  kernels: KERNELS_WASM,
  relaxed: RELAXED_MATMUL_WASM,
};

/** Compiled once per realm, shared by all instances; null where it cannot run. */
const compiled = new Map<ModuleName, WebAssembly.Module | null>();

function compileModule(name: ModuleName): WebAssembly.Module | null {
  if (compiled.has(name)) return compiled.get(name)!;
  let module: WebAssembly.Module | null = null;
  if (typeof WebAssembly === 'object') {
    const bytes = BINARIES[name];
    try {
      // validate() is false where SIMD128 (or relaxed SIMD) is unsupported, and for the empty
      // binary of a worker that could not fetch it (kernels-wasm.fetch.ts). Compiling can still
      // throw where a Content-Security-Policy without 'wasm-unsafe-eval' forbids it, or on the
      // main thread of an older Chromium (sizes over 4 KB).
      if (WebAssembly.validate(bytes)) module = new WebAssembly.Module(bytes);
    } catch {
      module = null;
    }
  }
  compiled.set(name, module);
  return module;
}

/** The modules each set of kernels needs. */
const MODULES_OF: Record<WasmKernelName, readonly ModuleName[]> = {
  'wasm-relaxed-simd': ['kernels', 'relaxed'],
  'wasm-simd': ['kernels'],
};

/** Whether this engine runs the kernels `name`. */
export function wasmKernelAvailable(name: WasmKernelName): boolean {
  return MODULES_OF[name].every((module) => compileModule(module) !== null);
}

/** The best build this engine runs: relaxed SIMD, else SIMD128; null where neither runs. */
export function bestWasmKernel(): WasmKernelName | null {
  return WASM_KERNEL_NAMES.find(wasmKernelAvailable) ?? null;
}

/** One instance of the kernels (one per thread): its own memory and packing buffers. */
export class WasmKernels {
  /** The first byte of the resident area: the kernels' fixed buffers end there. */
  private readonly residentStart: number;
  /** The first byte operands may use: the end of the resident area. */
  base: number;
  /**
   * The resident arrays, by owner (a network; weakly, so that a network's buffers can be
   * collected) and key: where each is, and its version. Replaced when the area starts over.
   */
  private residents = new WeakMap<object, Map<string, { address: number; version: number }>>();
  /** Where activate() leaves its statistics. */
  private readonly results: number;
  /** The matmul's packing buffers. */
  private readonly packing: number;
  private heapF32: Float32Array;
  private heapI32: Int32Array;
  private heapF64: Float64Array;

  private constructor(
    readonly name: WasmKernelName,
    private readonly exports: KernelExports,
    private readonly relaxed: RelaxedExports | null,
  ) {
    this.residentStart = exports.scratchEnd();
    this.base = this.residentStart;
    this.results = exports.resultsArea();
    this.packing = exports.packingArea();
    this.heapF32 = new Float32Array(exports.memory.buffer);
    this.heapI32 = new Int32Array(exports.memory.buffer);
    this.heapF64 = new Float64Array(exports.memory.buffer);
    this.reserve(0);
  }

  /** An instance of the kernels `name` (default: the best this engine runs), or null. */
  static create(name: WasmKernelName | null = bestWasmKernel()): WasmKernels | null {
    if (name === null || !wasmKernelAvailable(name)) return null;
    try {
      const kernels = new WebAssembly.Instance(compileModule('kernels')!, {})
        .exports as unknown as KernelExports;
      const relaxed =
        name === 'wasm-relaxed-simd'
          ? (new WebAssembly.Instance(compileModule('relaxed')!, {
              env: { memory: kernels.memory },
            }).exports as unknown as RelaxedExports)
          : null;
      return new WasmKernels(name, kernels, relaxed);
    } catch {
      return null;
    }
  }

  /**
   * Grows memory so that `bytes` bytes from `base` on are usable. Views from f32/i32 stay valid
   * until the next call that grows memory (growing detaches the old buffer).
   */
  reserve(bytes: number): void {
    const memory = this.exports.memory;
    const needed = this.base + bytes;
    const current = memory.buffer.byteLength;
    if (current < needed) memory.grow(Math.ceil((needed - current) / WASM_PAGE_BYTES));
    if (this.heapF32.buffer !== memory.buffer) {
      this.heapF32 = new Float32Array(memory.buffer);
      this.heapI32 = new Int32Array(memory.buffer);
      this.heapF64 = new Float64Array(memory.buffer);
    }
  }

  /**
   * The address of `source` kept resident: copied in on first use, and again whenever `version`
   * differs from the one it was copied at. `key` names the array within `owner` (a network). When
   * the budget is spent, every resident array is dropped and the area starts over; an array
   * larger than the whole budget gets -1 (copy it as an operand). May grow memory and move
   * `base`: take operand addresses after it.
   */
  resident(owner: object, key: string, source: Float32Array, version: number): number {
    let arrays = this.residents.get(owner);
    const entry = arrays?.get(key);
    if (entry) {
      if (entry.version !== version) {
        this.put(source, entry.address);
        entry.version = version;
      }
      return entry.address;
    }
    const bytes = operandBytes(source.length);
    if (bytes > RESIDENT_BUDGET_BYTES) return -1;
    if (this.base + bytes - this.residentStart > RESIDENT_BUDGET_BYTES) {
      this.residents = new WeakMap();
      this.base = this.residentStart;
      arrays = undefined;
    }
    if (!arrays) {
      arrays = new Map();
      this.residents.set(owner, arrays);
    }
    const address = this.base;
    this.base += bytes;
    this.reserve(0);
    this.put(source, address);
    arrays.set(key, { address, version });
    return address;
  }

  /** A Float32Array view of `length` values at byte address `address` (4-aligned). */
  f32(address: number, length: number): Float32Array {
    return this.heapF32.subarray(address >> 2, (address >> 2) + length);
  }

  /** An Int32Array view of `length` values at byte address `address` (4-aligned). */
  i32(address: number, length: number): Int32Array {
    return this.heapI32.subarray(address >> 2, (address >> 2) + length);
  }

  /** Copies `values` to `address`. */
  put(values: Float32Array, address: number): void {
    this.heapF32.set(values, address >> 2);
  }

  /** C (m×n) = A·B at addresses (A m×k; B k×n, or n×k holding Bᵀ with `transB`). */
  matmulAt(a: number, b: number, c: number, m: number, k: number, n: number, transB = false) {
    const matmul = this.relaxed?.matmul ?? this.exports.matmul;
    matmul(a, b, c, m, k, n, transB ? 1 : 0, this.packing);
  }

  /**
   * The fused activation pass (activation.as.ts) over `count` values at z: f → h, f′ → d, with
   * `residual` (an address, or 0) also out ← f + residual. Returns the statistics of a (out, or h).
   */
  activateAt(
    kind: number,
    alpha: number,
    threshold: number,
    z: number,
    h: number,
    d: number,
    residual: number,
    out: number,
    count: number,
  ): ActivationStatistics {
    const at = this.results;
    this.exports.activate(kind, alpha, threshold, z, h, d, residual, out, count, at);
    return {
      sum: this.heapF64[at >> 3]!,
      min: this.heapF32[(at + 8) >> 2]!,
      max: this.heapF32[(at + 12) >> 2]!,
      saturated: this.heapI32[(at + 16) >> 2]!,
      nonFinite: this.heapI32[(at + 20) >> 2]!,
    };
  }

  /** Rows of h (rows × batch at `h`) that are zero on every sample. */
  deadRowsAt(h: number, rows: number, batch: number): number {
    return this.exports.deadRows(h, rows, batch);
  }

  /** δ = g ⊙ d into `out` (may be g); returns Σδ² in f64. */
  deltaAt(g: number, d: number, out: number, count: number): number {
    return this.exports.delta(g, d, out, count);
  }

  /** Σv² of `count` f32 values, in f64. */
  sumOfSquaresAt(values: number, count: number): number {
    return this.exports.sumOfSquares(values, count);
  }

  /**
   * Σ(v − mean)² in f64, and the histogram of the finite values added to the i32 `counts`
   * (reduce.as.ts centeredSquares).
   */
  centeredSquaresAt(
    values: number,
    count: number,
    mean: number,
    halfMin: number,
    scale: number,
    bins: number,
    counts: number,
    histogram: boolean,
  ): number {
    return this.exports.centeredSquares(
      values,
      count,
      mean,
      halfMin,
      scale,
      bins,
      counts,
      histogram ? 1 : 0,
    );
  }

  /**
   * Runs a peak micro-kernel (peak.as.ts) for `iterations` iterations of 96 flops each: 'mul-add'
   * (f32x4.mul + f32x4.add), or 'kernel' (the multiply-add these kernels' matmul issues:
   * relaxed_madd for wasm-relaxed-simd, mul + add for wasm-simd). Returns a value that depends on every chain, so that no engine can drop the loop.
   */
  peak(kind: 'mul-add' | 'kernel', iterations: number): number {
    const run =
      kind === 'kernel' && this.relaxed ? this.relaxed.peakKernelMulAdd : this.exports.peakMulAdd;
    return run(iterations, 1e-3);
  }

  /**
   * C (m×n) = A (m×k) · B (k×n), row-major Float32Array views (any ArrayBuffer, not wasm
   * memory); C overwritten, and it must not overlap A or B. With `transB`, `b` holds Bᵀ (n×k).
   * A and B are copied into the module's memory and C is copied out; memory grows on demand. Not
   * re-entrant, which is fine on one JS thread or worker.
   */
  matmul(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    m: number,
    k: number,
    n: number,
    transB = false,
  ): void {
    const aLength = m * k;
    const bLength = k * n;
    const cLength = m * n;
    if (a.length < aLength || b.length < bLength || c.length < cLength) {
      throw new RangeError(
        `wasm matmul: ${m}×${k} · ${k}×${n} needs lengths ≥ ${aLength}, ${bLength}, ` +
          `${cLength}; got ${a.length}, ${b.length}, ${c.length}`,
      );
    }
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
      c.fill(0, 0, cLength);
      return;
    }
    const aAddress = this.base;
    const bAddress = aAddress + operandBytes(aLength);
    const cAddress = bAddress + operandBytes(bLength);
    this.reserve(cAddress + operandBytes(cLength) - this.base);
    this.put(a.length === aLength ? a : a.subarray(0, aLength), aAddress);
    this.put(b.length === bLength ? b : b.subarray(0, bLength), bAddress);
    this.matmulAt(aAddress, bAddress, cAddress, m, k, n, transB);
    c.set(this.f32(cAddress, cLength));
  }
}
