/**
 * The CPU backend's fast single-precision matrix product.
 *
 * Structure (Goto & van de Geijn, "Anatomy of high-performance matrix multiplication", ACM TOMS
 * 34(3), 2008; the BLIS loop nest of Van Zee & van de Geijn, ACM TOMS 41(3), 2015):
 *
 *     for jc in N by NC:             pack B[:, jc..] into NR-wide column panels, all of K long
 *       for ic in M by MC:
 *         for pc in K by KC:         pack A[ic.., pc..] into MR-tall row panels (MC×KC, in L2)
 *           for jr in NC by NR:      one B micro-panel (KC×NR) stays in L1 across the ir loop
 *             for ir in MC by MR:    the MR×NR micro-kernel, accumulators in local variables
 *
 * The packed panels are Float64Array: the micro-kernel then loads doubles directly (no f32→f64
 * conversion per load), and in measurements it was no slower than packing into f32.
 * Panels are zero-padded to whole micro-tiles, so the micro-kernel always runs a full MR×NR
 * tile and edges are handled only when storing.
 *
 * Precision contract, relied on by the tests: every entry of C is ONE rounding to f32 of a dot
 * product accumulated in double precision. Across K blocks the partial sums are carried in a
 * Float64Array scratch tile rather than in C, so blocking K never adds f32 roundings.
 *
 * Tuning (2-core AMD EPYC, Node 20 / V8 11.3): 4×4 with KC = 256, NC = 256, MC = 64 was the
 * fastest of 4×4, 4×8, 8×4, 4×3, 3×4, 2×4, 4×2, 3×3, 2×6, 4×6, 6×4, with k-unrolling by 2 and 4
 * (both slower), f32 vs f64 packing, and KC ∈ {128, 256, 384, 512, 1024}. All the register
 * shapes land within ~10% of each other (~4.3 GFLOP/s): V8 does not fuse multiply-add and
 * spills some of the 16 accumulators, so the scalar FP pipe, not the cache, is the limit.
 * Run `npx tsx bench/matmul.ts` to measure.
 */

/** Micro-kernel rows (of A and C). */
const MR = 4;
/** Micro-kernel columns (of B and C). */
const NR = 4;
/** Depth of one packed A block and of one pass over a B micro-panel. */
const KC = 256;
/** Columns of B packed at once. */
const NC = 256;
/** Rows of A packed at once (a multiple of MR). */
const MC = 64;

// Scratch reused across calls, grown on demand, so the hot path never allocates.
let packedA = new Float64Array(0);
let packedB = new Float64Array(0);
let partialC = new Float64Array(0);
/** One micro-tile, staged here when it overhangs the edge of C. */
const edgeTile = new Float64Array(MR * NR);

/**
 * The 4×4 micro-kernel: C tile (+)= A micro-panel · B micro-panel over `depth` steps.
 * `ap[aOff + 4p + i]` is A[i, p] and `bp[bOff + 4p + j]` is B[p, j].
 * With `loadPartial` it starts from the f64 partial tile instead of zero; with `storePartial`
 * it writes the f64 partial tile (more K blocks follow) instead of storing to C.
 */
function microKernel4x4(
  depth: number,
  ap: Float64Array,
  aOff: number,
  bp: Float64Array,
  bOff: number,
  partial: Float64Array,
  partialOff: number,
  partialStride: number,
  c: Float32Array,
  cOff: number,
  cStride: number,
  rows: number,
  cols: number,
  loadPartial: boolean,
  storePartial: boolean,
): void {
  // prettier-ignore
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0,
      c10 = 0, c11 = 0, c12 = 0, c13 = 0,
      c20 = 0, c21 = 0, c22 = 0, c23 = 0,
      c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  // prettier-ignore
  if (loadPartial) {
    let o = partialOff;
    c00 = partial[o]; c01 = partial[o + 1]; c02 = partial[o + 2]; c03 = partial[o + 3];
    o += partialStride;
    c10 = partial[o]; c11 = partial[o + 1]; c12 = partial[o + 2]; c13 = partial[o + 3];
    o += partialStride;
    c20 = partial[o]; c21 = partial[o + 1]; c22 = partial[o + 2]; c23 = partial[o + 3];
    o += partialStride;
    c30 = partial[o]; c31 = partial[o + 1]; c32 = partial[o + 2]; c33 = partial[o + 3];
  }
  for (let p = 0; p < depth; p++) {
    const a0 = ap[aOff];
    const a1 = ap[aOff + 1];
    const a2 = ap[aOff + 2];
    const a3 = ap[aOff + 3];
    const b0 = bp[bOff];
    c00 += a0 * b0;
    c10 += a1 * b0;
    c20 += a2 * b0;
    c30 += a3 * b0;
    const b1 = bp[bOff + 1];
    c01 += a0 * b1;
    c11 += a1 * b1;
    c21 += a2 * b1;
    c31 += a3 * b1;
    const b2 = bp[bOff + 2];
    c02 += a0 * b2;
    c12 += a1 * b2;
    c22 += a2 * b2;
    c32 += a3 * b2;
    const b3 = bp[bOff + 3];
    c03 += a0 * b3;
    c13 += a1 * b3;
    c23 += a2 * b3;
    c33 += a3 * b3;
    aOff += MR;
    bOff += NR;
  }
  // prettier-ignore
  if (storePartial) {
    let o = partialOff;
    partial[o] = c00; partial[o + 1] = c01; partial[o + 2] = c02; partial[o + 3] = c03;
    o += partialStride;
    partial[o] = c10; partial[o + 1] = c11; partial[o + 2] = c12; partial[o + 3] = c13;
    o += partialStride;
    partial[o] = c20; partial[o + 1] = c21; partial[o + 2] = c22; partial[o + 3] = c23;
    o += partialStride;
    partial[o] = c30; partial[o + 1] = c31; partial[o + 2] = c32; partial[o + 3] = c33;
    return;
  }
  // prettier-ignore
  if (rows === MR && cols === NR) {
    let o = cOff;
    c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03;
    o += cStride;
    c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13;
    o += cStride;
    c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23;
    o += cStride;
    c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
    return;
  }
  const t = edgeTile;
  // prettier-ignore
  { // a bare block, so that one prettier-ignore keeps the tile's 4×4 layout
    t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03;
    t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
    t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23;
    t[12] = c30; t[13] = c31; t[14] = c32; t[15] = c33;
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) c[cOff + i * cStride + j] = t[i * NR + j];
  }
}

/**
 * Packs B[0..k, col0..col0+cols] into NR-wide micro-panels, each k long:
 * `bp[jr·k + p·NR + j] = B[p, col0 + jr + j]`, zero where `jr + j ≥ cols`. With `transposed`,
 * `b` holds Bᵀ (n×k): B[p, j] = b[j·k + p].
 */
function packB(
  b: Float32Array,
  k: number,
  n: number,
  col0: number,
  cols: number,
  transposed: boolean,
): void {
  const bp = packedB;
  if (transposed) {
    for (let jr = 0; jr < cols; jr += NR) {
      const width = Math.min(NR, cols - jr);
      const panel = jr * k;
      for (let j = 0; j < NR; j++) {
        let dst = panel + j;
        if (j < width) {
          const src = (col0 + jr + j) * k;
          for (let p = 0; p < k; p++) {
            bp[dst] = b[src + p]!;
            dst += NR;
          }
        } else {
          for (let p = 0; p < k; p++) {
            bp[dst] = 0;
            dst += NR;
          }
        }
      }
    }
    return;
  }
  for (let jr = 0; jr < cols; jr += NR) {
    const width = Math.min(NR, cols - jr);
    let dst = jr * k;
    let src = col0 + jr;
    if (width === NR) {
      for (let p = 0; p < k; p++) {
        bp[dst] = b[src];
        bp[dst + 1] = b[src + 1];
        bp[dst + 2] = b[src + 2];
        bp[dst + 3] = b[src + 3];
        dst += NR;
        src += n;
      }
    } else {
      for (let p = 0; p < k; p++) {
        for (let j = 0; j < NR; j++) bp[dst + j] = j < width ? b[src + j] : 0;
        dst += NR;
        src += n;
      }
    }
  }
}

/**
 * Packs A[row0..row0+rows, p0..p0+depth] into MR-tall micro-panels:
 * `ap[ir·depth + p·MR + i] = A[row0 + ir + i, p0 + p]`, zero where `ir + i ≥ rows`.
 */
function packA(a: Float32Array, k: number, row0: number, rows: number, p0: number, depth: number) {
  const ap = packedA;
  for (let ir = 0; ir < rows; ir += MR) {
    const height = Math.min(MR, rows - ir);
    const panel = ir * depth;
    for (let i = 0; i < MR; i++) {
      let dst = panel + i;
      if (i < height) {
        const src = (row0 + ir + i) * k + p0;
        for (let p = 0; p < depth; p++) {
          ap[dst] = a[src + p];
          dst += MR;
        }
      } else {
        for (let p = 0; p < depth; p++) {
          ap[dst] = 0;
          dst += MR;
        }
      }
    }
  }
}

/**
 * Matrix–vector product for N = 1 (a batch of one), where a 4-wide B panel would waste 3/4 of
 * the work. Eight rows of A at a time share each load of b (measured faster than four); A is
 * read in place, its rows already contiguous. Same precision contract: f64 dot products, one
 * f32 rounding.
 */
function matVecF32(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number) {
  let i = 0;
  for (; i + 8 <= m; i += 8) {
    const r0 = i * k;
    const r1 = r0 + k;
    const r2 = r1 + k;
    const r3 = r2 + k;
    const r4 = r3 + k;
    const r5 = r4 + k;
    const r6 = r5 + k;
    const r7 = r6 + k;
    // prettier-ignore
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let p = 0; p < k; p++) {
      const bv = b[p];
      s0 += a[r0 + p] * bv;
      s1 += a[r1 + p] * bv;
      s2 += a[r2 + p] * bv;
      s3 += a[r3 + p] * bv;
      s4 += a[r4 + p] * bv;
      s5 += a[r5 + p] * bv;
      s6 += a[r6 + p] * bv;
      s7 += a[r7 + p] * bv;
    }
    // prettier-ignore
    { // one prettier-ignore for the whole row of stores
      c[i] = s0; c[i + 1] = s1; c[i + 2] = s2; c[i + 3] = s3;
      c[i + 4] = s4; c[i + 5] = s5; c[i + 6] = s6; c[i + 7] = s7;
    }
  }
  for (; i < m; i++) {
    const r = i * k;
    let s = 0;
    for (let p = 0; p < k; p++) s += a[r + p] * b[p];
    c[i] = s;
  }
}

/**
 * C (M×N) = A (M×K) · B (K×N), all row-major Float32Array views; C is overwritten. With
 * `transB`, `b` holds Bᵀ (N×K), read transposed while it is packed (as the weight gradient
 * δ·aᵀ needs, without a copy of aᵀ).
 *
 * Each entry of C is the f64-accumulated dot product rounded once to f32. C must not overlap A
 * or B. Not re-entrant (module-level scratch), which is fine on one JS thread or worker.
 */
export function matmulF32(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  k: number,
  n: number,
  transB = false,
): void {
  if (a.length < m * k || b.length < k * n || c.length < m * n) {
    throw new RangeError(
      `matmulF32: ${m}×${k} · ${k}×${n} needs lengths ≥ ${m * k}, ${k * n}, ${m * n}; ` +
        `got ${a.length}, ${b.length}, ${c.length}`,
    );
  }
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    c.fill(0, 0, m * n);
    return;
  }
  // A batch of one: B is a vector, the same in either layout.
  if (n === 1) {
    matVecF32(a, b, c, m, k);
    return;
  }

  const ncPadMax = Math.ceil(Math.min(NC, n) / NR) * NR;
  const mcPadMax = Math.ceil(Math.min(MC, m) / MR) * MR;
  const kcMax = Math.min(KC, k);
  if (packedB.length < k * ncPadMax) packedB = new Float64Array(k * ncPadMax);
  if (packedA.length < mcPadMax * kcMax) packedA = new Float64Array(mcPadMax * kcMax);
  if (k > KC && partialC.length < mcPadMax * ncPadMax) {
    partialC = new Float64Array(mcPadMax * ncPadMax);
  }
  const ap = packedA;
  const bp = packedB;
  const partial = partialC;

  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const ncPad = Math.ceil(nc / NR) * NR;
    packB(b, k, n, jc, nc, transB);
    for (let ic = 0; ic < m; ic += MC) {
      const mc = Math.min(MC, m - ic);
      for (let pc = 0; pc < k; pc += KC) {
        const kc = Math.min(KC, k - pc);
        packA(a, k, ic, mc, pc, kc);
        const loadPartial = pc > 0;
        const storePartial = pc + kc < k;
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          const bOff = jr * k + pc * NR;
          for (let ir = 0; ir < mc; ir += MR) {
            microKernel4x4(
              kc,
              ap,
              ir * kc,
              bp,
              bOff,
              partial,
              ir * ncPad + jr,
              ncPad,
              c,
              (ic + ir) * n + jc + jr,
              n,
              Math.min(MR, mc - ir),
              cols,
              loadPartial,
              storePartial,
            );
          }
        }
      }
    }
  }
}

/** Side of the square tiles the transpose walks, so both source and destination stay cached. */
const TRANSPOSE_TILE = 32;

/** dst (cols×rows) = srcᵀ for src (rows×cols), row-major. dst must not overlap src. */
export function transposeF32(
  src: Float32Array,
  rows: number,
  cols: number,
  dst: Float32Array,
): void {
  if (src.length < rows * cols || dst.length < rows * cols) {
    throw new RangeError(
      `transposeF32: ${rows}×${cols} needs lengths ≥ ${rows * cols}; ` +
        `got ${src.length}, ${dst.length}`,
    );
  }
  for (let i0 = 0; i0 < rows; i0 += TRANSPOSE_TILE) {
    const i1 = Math.min(i0 + TRANSPOSE_TILE, rows);
    for (let j0 = 0; j0 < cols; j0 += TRANSPOSE_TILE) {
      const j1 = Math.min(j0 + TRANSPOSE_TILE, cols);
      for (let i = i0; i < i1; i++) {
        const rowStart = i * cols;
        for (let j = j0; j < j1; j++) dst[j * rows + i] = src[rowStart + j];
      }
    }
  }
}
