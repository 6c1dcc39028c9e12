/**
 * The WebAssembly SIMD matrix product (matmul.as.ts) behind a plain Float32Array API.
 *
 * The module is embedded as base64 (matmul-wasm.generated.ts, `npm run build:wasm`), never
 * fetched, so it loads the same way in Node, under Vite (dev and build) and in Web Workers. It is
 * about 1.7 KB: under the limit Chromium puts on compiling with `new WebAssembly.Module` on the
 * main thread (4 KB in older versions, 8 MB in Chromium 156), so creation is synchronous
 * everywhere. Each instance holds ~1.2 MB of wasm memory for its packing buffers, plus room for
 * the largest operands seen so far (memory never shrinks): create one per thread and reuse it.
 *
 * It needs WebAssembly SIMD128 (Chrome/Edge 91, Firefox 89, Safari 16.4, Node 16.4) and bulk
 * memory; nothing else (no threads, no relaxed SIMD, no imports).
 *
 * Precision contract (see matmul.as.ts): each entry of C is the f32 running sum over p in order
 * of the f32 products, bitwise equal to the naive f32 loop; its error is at most
 * γ_K·Σ_p|A[i,p]·B[p,j]| with γ_K = K·2⁻²⁴/(1 − K·2⁻²⁴). That is looser than matmulF32's
 * (f64 accumulation, one rounding), by a factor that grows with K.
 */
import { MATMUL_WASM_BASE64 } from './matmul-wasm.generated.ts';

export interface WasmMatmul {
  /**
   * C (m×n) = A (m×k) · B (k×n), row-major Float32Array views (any ArrayBuffer, not wasm
   * memory); C overwritten, and it must not overlap A or B. A and B are copied into the
   * module's memory and C is copied out; memory grows on demand. Not re-entrant, which is fine on
   * one JS thread or worker.
   */
  matmul(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void;
}

/** What matmul.as.ts exports. Addresses are byte offsets into `memory`. */
interface MatmulExports {
  readonly memory: WebAssembly.Memory;
  /** First byte after the kernel's packing buffers: A, B and C go from here on. */
  readonly scratchEnd: () => number;
  readonly matmul: (a: number, b: number, c: number, m: number, k: number, n: number) => void;
}

const WASM_PAGE_BYTES = 65536;
/** Operand alignment in wasm memory: a whole cache line. */
const ALIGN_BYTES = 64;

function alignUp(bytes: number): number {
  return Math.ceil(bytes / ALIGN_BYTES) * ALIGN_BYTES;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Compiled once per realm and shared by all instances; null once compiling has failed. */
let compiledModule: WebAssembly.Module | null | undefined;

function compileModule(): WebAssembly.Module | null {
  if (compiledModule !== undefined) return compiledModule;
  compiledModule = null;
  if (typeof WebAssembly !== 'object') return null;
  const bytes = decodeBase64(MATMUL_WASM_BASE64);
  try {
    // validate() is false where SIMD128 is unsupported. Compiling can still throw where a
    // Content-Security-Policy without 'wasm-unsafe-eval' forbids it.
    if (WebAssembly.validate(bytes)) compiledModule = new WebAssembly.Module(bytes);
  } catch {
    compiledModule = null;
  }
  return compiledModule;
}

/** Null where WebAssembly or its SIMD is unavailable (then the TS kernel is used). */
export function createWasmMatmul(): WasmMatmul | null {
  const module = compileModule();
  if (module === null) return null;
  let exports: MatmulExports;
  try {
    exports = new WebAssembly.Instance(module, {}).exports as unknown as MatmulExports;
  } catch {
    return null;
  }
  const memory = exports.memory;
  const scratchEnd = exports.scratchEnd();
  /** A view of all of memory; replaced whenever memory grows (growing detaches the old one). */
  let heap = new Float32Array(memory.buffer);

  /** Grows memory so that it holds at least `bytes` bytes. */
  function ensureCapacity(bytes: number): void {
    const current = memory.buffer.byteLength;
    if (current < bytes) memory.grow(Math.ceil((bytes - current) / WASM_PAGE_BYTES));
    if (heap.buffer !== memory.buffer) heap = new Float32Array(memory.buffer);
  }
  ensureCapacity(scratchEnd);

  return {
    matmul(a, b, c, m, k, n) {
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
      const aAddress = scratchEnd;
      const bAddress = alignUp(aAddress + 4 * aLength);
      const cAddress = alignUp(bAddress + 4 * bLength);
      ensureCapacity(cAddress + 4 * cLength);
      heap.set(a.length === aLength ? a : a.subarray(0, aLength), aAddress >> 2);
      heap.set(b.length === bLength ? b : b.subarray(0, bLength), bAddress >> 2);
      exports.matmul(aAddress, bAddress, cAddress, m, k, n);
      c.set(heap.subarray(cAddress >> 2, (cAddress >> 2) + cLength));
    },
  };
}
