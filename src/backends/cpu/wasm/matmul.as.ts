/**
 * Single-precision matrix product for WebAssembly 128-bit SIMD, in AssemblyScript.
 * Built by `npm run build:wasm` (scripts/build-wasm.mjs) into kernels-wasm.generated.ts twice:
 * with plain SIMD128 in the kernels module (entry kernels.as.ts), and with relaxed SIMD in a
 * small module of its own (entry relaxed.as.ts) that imports the kernels module's memory; loaded
 * by wasm-kernels.ts. This file is not part of the TypeScript project: `usize`, `v128`, `f32x4`,
 * `load`, `store`, `memory`, `__heap_base` and `ASC_FEATURE_RELAXED_SIMD` are AssemblyScript
 * builtins.
 *
 * Structure: the BLIS loop nest (Goto & van de Geijn, ACM TOMS 34(3), 2008; Van Zee & van de
 * Geijn, ACM TOMS 41(3), 2015), as in the TypeScript kernel matmul-f32.ts:
 *
 *     for jc in N by NC:
 *       for pc in K by KC:         pack B[pc.., jc..] into NR-wide column panels (KC×NC)
 *         for ic in M by MC:       pack A[ic.., pc..] into MR-tall row panels (MC×KC, in L2)
 *           for jr in NC by NR:    one B micro-panel (KC×NR, 8 KB) stays in L1 across ir
 *             for ir in MC by MR:  the MR×NR micro-kernel, C tile in 8 f32x4 locals
 *
 * The micro-kernel is 4 rows × 8 columns: per step p it loads two f32x4 of B (B[p, j..j+8]),
 * broadcasts each A[i, p] (v128.load32_splat) and does 8 multiply-adds of f32x4. V8 keeps the
 * 8 accumulators, 2 B vectors and 1 broadcast in 11 of the 16 xmm registers. The plain build
 * multiplies and adds (f32x4.mul, f32x4.add); the relaxed-SIMD build uses f32x4.relaxed_madd,
 * one fused multiply-add where the CPU has FMA (x64 with FMA3, arm64), else the same mul + add.
 *
 * B may also be given transposed (`transB`: B[p, j] at b[j·k + p]), as the weight gradient
 * δ·aᵀ needs: its packing reads 8 rows of Bᵀ and transposes them 4×4 in registers, so no lane
 * ever materializes aᵀ.
 *
 * Panels are zero-padded to whole micro-tiles, so the micro-kernel always runs a full 4×8 tile;
 * a tile that overhangs the edge of C goes through a scratch tile, and only its valid part is
 * copied (in and) out.
 *
 * Precision contract: every entry of C is the f32 recursive sum, in order p = 0, 1, …, K−1, of
 * the products: plain, s ← fl(s + fl(A[i,p]·B[p,j])); relaxed with FMA, s ← fl(s + A[i,p]·B[p,j])
 * (one rounding), starting from s = 0. Blocking over K resumes the same running sum from C, so
 * the plain result is bitwise that of the naive f32 loop, whatever the shape or blocking. Either
 * way |c − Σ_p A[i,p]·B[p,j]| ≤ γ_K·Σ_p |A[i,p]·B[p,j]|, with γ_K = K·u/(1 − K·u), u = 2⁻²⁴
 * (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., §3.1, eq. 3.5; a fused
 * step has one rounding where the plain one has two, so the same bound holds), barring underflow
 * and overflow.
 *
 * Memory: a small results area, the packing buffers and the edge tile live at fixed offsets after
 * the kernels module's __heap_base (no allocator, no runtime); matmul() is told where the packing
 * area is, so that the relaxed module, which has no layout of its own, uses the same. The caller
 * places operands anywhere from scratchEnd() on, and grows the memory as needed.
 *
 * Tuning (2-core AMD EPYC, Node 20 / V8 11.3): 4×8 was as fast as 5×8, 2×16, 4×16 and 8×8 and
 * faster than 6×8, 3×16 and 4×12 (~35 GFLOP/s on 256×256·256×64, all within noise of each other
 * apart from the last three, which spill); KC/MC/NC ∈ {128, 256, 512}/{64, 120, 128, 240}/
 * {256, 512, 1024} mattered less than the noise. Packing A with a 4×4 SIMD transpose instead of
 * scalar copies was worth ~10% when N = 64. Run `npx tsx bench/matmul-wasm.ts` to measure.
 */

/** Micro-kernel rows (of A and C). */
const MR: i32 = 4;
/** Micro-kernel columns (of B and C): two f32x4. */
const NR: i32 = 8;
/** Depth of one packed block. */
const KC: i32 = 256;
/** Rows of A packed at once (a multiple of MR). */
const MC: i32 = 128;
/** Columns of B packed at once (a multiple of NR). */
const NC: i32 = 1024;

const F32: usize = 4;
const CACHE_LINE: usize = 64;

/** Bytes of the results area that kernels return statistics in (activation.as.ts). */
const RESULTS_BYTES: usize = 64;

/*
 * The packing area, from the address matmul() is given: the packed A block (MC/MR panels, each
 * KC × MR floats, A[i, p] at p·MR + i), the packed B block (NC/NR panels, each KC × NR floats,
 * B[p, j] at p·NR + j), and one MR×NR tile for tiles that overhang the edge of C.
 */
const PACKED_B_OFFSET: usize = <usize>(MC * KC) * F32;
const EDGE_TILE_OFFSET: usize = PACKED_B_OFFSET + <usize>(KC * NC) * F32;
const PACKING_BYTES: usize = EDGE_TILE_OFFSET + <usize>(MR * NR) * F32;

/** The results area: a few values a kernel returns besides its arrays. */
export function resultsArea(): usize {
  return (__heap_base + CACHE_LINE - 1) & ~(CACHE_LINE - 1);
}

/** The packing area (see PACKING_BYTES) that this module's callers pass to matmul(). */
export function packingArea(): usize {
  return resultsArea() + RESULTS_BYTES;
}

/** The first byte that the caller may use for A, B and C (cache-line aligned). */
export function scratchEnd(): usize {
  return (packingArea() + PACKING_BYTES + CACHE_LINE - 1) & ~(CACHE_LINE - 1);
}

class Fma {
  /** a·b + c: fused in the relaxed-SIMD build (where the CPU has FMA), else mul then add. */
  @inline static madd(a: v128, b: v128, c: v128): v128 {
    if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
    return f32x4.add(c, f32x4.mul(a, b));
  }
}

/**
 * C tile (MR×NR at `c`, row stride `ldc` bytes) = [C tile +] A panel · B panel over `depth`
 * steps. `ap` is a packed A panel (A[i, p] at ap + 4·(p·MR + i)), `bp` a packed B panel.
 */
function microKernel(
  depth: i32,
  ap: usize,
  bp: usize,
  c: usize,
  ldc: usize,
  accumulate: bool,
): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  if (accumulate) {
    c00 = v128.load(c);
    c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc);
    c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc);
    c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc);
    c31 = v128.load(c + 3 * ldc, 16);
  }
  for (let p = 0; p < depth; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const a0 = v128.load32_splat(ap);
    c00 = Fma.madd(a0, b0, c00);
    c01 = Fma.madd(a0, b1, c01);
    const a1 = v128.load32_splat(ap, 4);
    c10 = Fma.madd(a1, b0, c10);
    c11 = Fma.madd(a1, b1, c11);
    const a2 = v128.load32_splat(ap, 8);
    c20 = Fma.madd(a2, b0, c20);
    c21 = Fma.madd(a2, b1, c21);
    const a3 = v128.load32_splat(ap, 12);
    c30 = Fma.madd(a3, b0, c30);
    c31 = Fma.madd(a3, b1, c31);
    ap += <usize>MR * F32;
    bp += <usize>NR * F32;
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ldc, c10);
  v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20);
  v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30);
  v128.store(c + 3 * ldc, c31, 16);
}

/**
 * Packs the block B[0..depth, 0..cols] (at `b`, row stride `ldb` bytes) into NR-wide panels of
 * `depth` rows each at `base`, zero-padding the last panel's missing columns.
 */
function packB(base: usize, b: usize, ldb: usize, depth: i32, cols: i32): void {
  for (let jr = 0; jr < cols; jr += NR) {
    const width = min(NR, cols - jr);
    let dst = base + <usize>(jr * depth) * F32;
    let src = b + <usize>jr * F32;
    if (width == NR) {
      for (let p = 0; p < depth; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        dst += <usize>NR * F32;
        src += ldb;
      }
    } else {
      for (let p = 0; p < depth; p++) {
        memory.fill(dst, 0, <usize>NR * F32);
        memory.copy(dst, src, <usize>width * F32);
        dst += <usize>NR * F32;
        src += ldb;
      }
    }
  }
}

/**
 * packB for a transposed source: the block B[0..depth, 0..cols] with B[p, j] at
 * bt + j·ldbt + 4p (`bt` holds Bᵀ, row stride `ldbt` bytes). Eight rows of Bᵀ give one panel,
 * transposed 4×4 at a time in registers; the last panel's missing columns are zero.
 */
function packBTransposed(base: usize, bt: usize, ldbt: usize, depth: i32, cols: i32): void {
  for (let jr = 0; jr < cols; jr += NR) {
    const width = min(NR, cols - jr);
    let dst = base + <usize>(jr * depth) * F32;
    const row0 = bt + <usize>jr * ldbt;
    if (width == NR) {
      const row1 = row0 + ldbt;
      const row2 = row1 + ldbt;
      const row3 = row2 + ldbt;
      const row4 = row3 + ldbt;
      const row5 = row4 + ldbt;
      const row6 = row5 + ldbt;
      const row7 = row6 + ldbt;
      let p = 0;
      for (; p + 4 <= depth; p += 4) {
        const offset = <usize>p * F32;
        // Columns j..j+4 of B[p..p+4, ·] from rows 0–3 of Bᵀ, j+4..j+8 from rows 4–7.
        const r0 = v128.load(row0 + offset);
        const r1 = v128.load(row1 + offset);
        const r2 = v128.load(row2 + offset);
        const r3 = v128.load(row3 + offset);
        const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
        const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        const r4 = v128.load(row4 + offset);
        const r5 = v128.load(row5 + offset);
        const r6 = v128.load(row6 + offset);
        const r7 = v128.load(row7 + offset);
        const u0 = v128.shuffle<f32>(r4, r5, 0, 4, 1, 5);
        const u1 = v128.shuffle<f32>(r6, r7, 0, 4, 1, 5);
        const u2 = v128.shuffle<f32>(r4, r5, 2, 6, 3, 7);
        const u3 = v128.shuffle<f32>(r6, r7, 2, 6, 3, 7);
        v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5)); // B[p, j..j+4]
        v128.store(dst, v128.shuffle<f32>(u0, u1, 0, 1, 4, 5), 16); // B[p, j+4..j+8]
        v128.store(dst, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 32);
        v128.store(dst, v128.shuffle<f32>(u0, u1, 2, 3, 6, 7), 48);
        v128.store(dst, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 64);
        v128.store(dst, v128.shuffle<f32>(u2, u3, 0, 1, 4, 5), 80);
        v128.store(dst, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 96);
        v128.store(dst, v128.shuffle<f32>(u2, u3, 2, 3, 6, 7), 112);
        dst += 4 * <usize>NR * F32;
      }
      for (; p < depth; p++) {
        const offset = <usize>p * F32;
        for (let j = 0; j < NR; j++) {
          store<f32>(dst + <usize>j * F32, load<f32>(row0 + <usize>j * ldbt + offset));
        }
        dst += <usize>NR * F32;
      }
    } else {
      for (let p = 0; p < depth; p++) {
        for (let j = 0; j < NR; j++) {
          const value: f32 = j < width ? load<f32>(row0 + <usize>j * ldbt + <usize>p * F32) : 0;
          store<f32>(dst + <usize>j * F32, value);
        }
        dst += <usize>NR * F32;
      }
    }
  }
}

/**
 * Packs the block A[0..rows, 0..depth] (at `a`, row stride `lda` bytes) into MR-tall panels,
 * zero-padding the last panel's missing rows. Full panels are transposed 4×4 at a time in
 * registers.
 */
function packA(base: usize, a: usize, lda: usize, rows: i32, depth: i32): void {
  for (let ir = 0; ir < rows; ir += MR) {
    const height = min(MR, rows - ir);
    let dst = base + <usize>(ir * depth) * F32;
    const row0 = a + <usize>ir * lda;
    if (height == MR) {
      const row1 = row0 + lda;
      const row2 = row1 + lda;
      const row3 = row2 + lda;
      let p = 0;
      for (; p + 4 <= depth; p += 4) {
        const offset = <usize>p * F32;
        const r0 = v128.load(row0 + offset); // A[0, p..p+4]
        const r1 = v128.load(row1 + offset);
        const r2 = v128.load(row2 + offset);
        const r3 = v128.load(row3 + offset);
        const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5); // A[0,p] A[1,p] A[0,p+1] A[1,p+1]
        const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
        const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5)); // A[0..4, p]
        v128.store(dst, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
        v128.store(dst, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
        v128.store(dst, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
        dst += 4 * <usize>MR * F32;
      }
      for (; p < depth; p++) {
        const offset = <usize>p * F32;
        store<f32>(dst, load<f32>(row0 + offset));
        store<f32>(dst, load<f32>(row1 + offset), 4);
        store<f32>(dst, load<f32>(row2 + offset), 8);
        store<f32>(dst, load<f32>(row3 + offset), 12);
        dst += <usize>MR * F32;
      }
    } else {
      for (let p = 0; p < depth; p++) {
        for (let i = 0; i < MR; i++) {
          const value: f32 = i < height ? load<f32>(row0 + <usize>i * lda + <usize>p * F32) : 0;
          store<f32>(dst + <usize>i * F32, value);
        }
        dst += <usize>MR * F32;
      }
    }
  }
}

/**
 * C (m×n) = A (m×k) · B (k×n), row-major f32 at byte addresses `a`, `b`, `c` in this memory,
 * each at or after scratchEnd(); C overwritten, and it must not overlap A or B. With `transB`,
 * `b` holds Bᵀ (n×k, row-major). `packing` is the packing area (packingArea() of the module that
 * owns the memory: the relaxed-SIMD build is a module of its own that imports it). Requires
 * m, n ≥ 0 and k ≥ 1 (with k = 0, C is left untouched).
 */
export function matmul(
  a: usize,
  b: usize,
  c: usize,
  m: i32,
  k: i32,
  n: i32,
  transB: bool,
  packing: usize,
): void {
  const lda = <usize>k * F32;
  const ldb = <usize>n * F32;
  const ldc = <usize>n * F32;
  const aBlock = packing;
  const bBlock = packing + PACKED_B_OFFSET;
  const tile = packing + EDGE_TILE_OFFSET;
  const tileStride = <usize>NR * F32;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      // The first depth block overwrites C; later ones continue its running sums.
      const accumulate = pc > 0;
      if (transB) packBTransposed(bBlock, b + <usize>jc * lda + <usize>pc * F32, lda, kc, nc);
      else packB(bBlock, b + <usize>pc * ldb + <usize>jc * F32, ldb, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(aBlock, a + <usize>ic * lda + <usize>pc * F32, lda, mc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const bPanel = bBlock + <usize>(jr * kc) * F32;
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const aPanel = aBlock + <usize>(ir * kc) * F32;
            const cTile = c + <usize>(ic + ir) * ldc + <usize>(jc + jr) * F32;
            if (rows == MR && cols == NR) {
              microKernel(kc, aPanel, bPanel, cTile, ldc, accumulate);
              continue;
            }
            const validBytes = <usize>cols * F32;
            if (accumulate) {
              for (let i = 0; i < rows; i++) {
                memory.copy(tile + <usize>i * tileStride, cTile + <usize>i * ldc, validBytes);
              }
            }
            microKernel(kc, aPanel, bPanel, tile, tileStride, accumulate);
            for (let i = 0; i < rows; i++) {
              memory.copy(cTile + <usize>i * ldc, tile + <usize>i * tileStride, validBytes);
            }
          }
        }
      }
    }
  }
}
