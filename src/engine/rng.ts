/**
 * gradlab's two random generators.
 *
 * - Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011) is the
 *   default. It is counter-based: value i of a stream is a pure function of (seed, stream, i), so a
 *   GPU kernel can generate any weight in place, with no state and no upload.
 * - MT19937 with numpy's legacy RandomState protocol (`np.random.seed`, `random_sample`, `randn`
 *   via the polar method with its cached second value, `uniform`), so that a notebook's
 *   `np.random.seed(s)` followed by its draws is reproduced bit for bit. (The one caveat: numpy's
 *   gaussians go through the C library's log, which glibc rounds wrongly for about 0.1% of
 *   arguments; there the value differs in the last bit. Uniforms are always exact.)
 */

import { exactLog } from './exact-log.ts';

/** Anything that yields standard normals and uniforms, in the order of a numpy program. */
export interface RandomSource {
  /** One standard normal. */
  normal(): number;
  /** One uniform in [0, 1). */
  uniform(): number;
}

// ---------------------------------------------------------------------------------------------
// Philox4x32-10

const PHILOX_M0 = 0xd2511f53;
const PHILOX_M1 = 0xcd9e8d57;
const PHILOX_W0 = 0x9e3779b9;
const PHILOX_W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product a·b (a, b unsigned 32-bit), with 16-bit limbs. */
export function mulhi32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const hh = ah * bh;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * Philox4x32 with 10 rounds: four 32-bit words from a 128-bit counter and a 64-bit key.
 * Writes the result into `out` (length ≥ 4) and returns it.
 */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array = new Uint32Array(4),
): Uint32Array {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi32(PHILOX_M0, x0);
    const lo0 = Math.imul(PHILOX_M0, x0) >>> 0;
    const hi1 = mulhi32(PHILOX_M1, x2);
    const lo1 = Math.imul(PHILOX_M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + PHILOX_W0) >>> 0;
    key1 = (key1 + PHILOX_W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
  return out;
}

/**
 * What a Philox draw is for. The purpose is the counter's third word, so weights, biases, inputs
 * and targets never share random numbers, whatever the sizes.
 */
export const PhiloxPurpose = { weight: 0, bias: 1, input: 2, target: 3 } as const;
export type PhiloxPurpose = (typeof PhiloxPurpose)[keyof typeof PhiloxPurpose];

const TWO_POW_M53 = 2 ** -53;

/** A 53-bit uniform in [0, 1) from two words, as numpy's random_sample does. */
function uniform53(a: number, b: number): number {
  return ((a >>> 5) * 67108864 + (b >>> 6)) * TWO_POW_M53;
}

/**
 * Element `index` of a Philox stream: counter (index, layer, purpose, 0), key (seed, 0).
 * The GPU kernels use the same mapping, so both produce the same 32-bit words.
 */
export interface PhiloxStream {
  readonly seed: number;
  readonly layer: number;
  readonly purpose: PhiloxPurpose;
}

const philoxScratch = new Uint32Array(4);

/** Standard normal number `index` of a stream, by Box–Muller on two 53-bit uniforms. */
export function philoxNormal(stream: PhiloxStream, index: number): number {
  const w = philox4x32(index, stream.layer, stream.purpose, 0, stream.seed, 0, philoxScratch);
  // u1 ∈ (0, 1] so that log(u1) is finite; u2 ∈ [0, 1).
  const u1 = 1 - uniform53(w[0]!, w[1]!);
  const u2 = uniform53(w[2]!, w[3]!);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Uniform number `index` of a stream, in [0, 1). */
export function philoxUniform(stream: PhiloxStream, index: number): number {
  const w = philox4x32(index, stream.layer, stream.purpose, 0, stream.seed, 0, philoxScratch);
  return uniform53(w[0]!, w[1]!);
}

/** A sequential view of one Philox stream, for code that draws in order. */
export class PhiloxSource implements RandomSource {
  private index = 0;
  constructor(private readonly stream: PhiloxStream) {}
  normal(): number {
    return philoxNormal(this.stream, this.index++);
  }
  uniform(): number {
    return philoxUniform(this.stream, this.index++);
  }
}

// ---------------------------------------------------------------------------------------------
// MT19937, numpy legacy protocol (numpy/random/src/mt19937, legacy-distributions.c)

const MT_N = 624;
const MT_M = 397;

export class NumpyRandomState implements RandomSource {
  private readonly key = new Uint32Array(MT_N);
  private pos = MT_N;
  private hasGauss = false;
  private gauss = 0;

  constructor(seed: number) {
    this.seed(seed);
  }

  /** `np.random.seed(s)` for an integer 0 ≤ s < 2³²: Knuth's init_genrand. */
  seed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`numpy seed must be an integer in [0, 4294967295], got ${seed}`);
    }
    const key = this.key;
    key[0] = seed >>> 0;
    for (let i = 1; i < MT_N; i++) {
      const prev = key[i - 1]! ^ (key[i - 1]! >>> 30);
      // 1812433253·prev + i mod 2³², computed exactly with Math.imul.
      key[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.pos = MT_N;
    this.hasGauss = false;
    this.gauss = 0;
  }

  /** The first words of the state and its position, as `np.random.get_state()` shows them. */
  stateHead(count: number): { head: number[]; pos: number } {
    return { head: Array.from(this.key.subarray(0, count)), pos: this.pos };
  }

  private generate(): void {
    const key = this.key;
    const upper = 0x80000000;
    const lower = 0x7fffffff;
    let i = 0;
    for (; i < MT_N - MT_M; i++) {
      const y = (key[i]! & upper) | (key[i + 1]! & lower);
      key[i] = key[i + MT_M]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    for (; i < MT_N - 1; i++) {
      const y = (key[i]! & upper) | (key[i + 1]! & lower);
      key[i] = key[i + (MT_M - MT_N)]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    const y = (key[MT_N - 1]! & upper) | (key[0]! & lower);
    key[MT_N - 1] = key[MT_M - 1]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    this.pos = 0;
  }

  /** One tempered 32-bit output. */
  nextUint32(): number {
    if (this.pos === MT_N) this.generate();
    let y = this.key[this.pos++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `np.random.random_sample()`: 53 bits, (a >> 5, b >> 6). */
  uniform(): number {
    const a = this.nextUint32();
    const b = this.nextUint32();
    return uniform53(a, b);
  }

  /** `np.random.randn()`: the legacy polar method, which caches its second value. */
  normal(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      return this.gauss;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.uniform() - 1;
      x2 = 2 * this.uniform() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    // numpy calls the C library's log here. exactLog is correctly rounded, as glibc's log is for
    // all but ~0.1% of arguments; Math.log is off by an ulp far more often.
    const f = Math.sqrt((-2 * exactLog(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** `np.random.randn(n)` flattened in C order. */
  randn(count: number): Float64Array {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = this.normal();
    return out;
  }

  /** `np.random.uniform(low, high, n)`: low + (high − low)·random_sample(). */
  uniformArray(low: number, high: number, count: number): Float64Array {
    const out = new Float64Array(count);
    const range = high - low;
    for (let i = 0; i < count; i++) out[i] = low + range * this.uniform();
    return out;
  }
}
