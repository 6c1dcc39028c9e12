/**
 * A natural logarithm that is correctly rounded (barring cases astronomically close to a rounding
 * midpoint), unlike V8's Math.log, which may be off by one ulp. numpy's legacy gaussian calls the
 * C library's log, which is correctly rounded in practice; matching it is what makes
 * `np.random.seed(s); np.random.randn(...)` reproducible bit for bit in JavaScript.
 *
 * Method: x = m·2ᵉ with m ∈ [√½, √2); ln m = 2·atanh(s) = 2s(1 + s²/3 + s⁴/5 + …) with
 * s = (m − 1)/(m + 1), the leading term kept in double-double arithmetic (Dekker 1971).
 */

const SPLITTER = 134217729; // 2^27 + 1
const LN2_HI = 0.6931471805599453;
const LN2_LO = 2.3190468138462996e-17;

/** ln(x) for finite x > 0, correctly rounded; other inputs behave as Math.log. */
export function exactLog(x: number): number {
  if (!(x > 0) || x === Infinity) return Math.log(x);
  let e = Math.floor(Math.log2(x));
  // 2^e scaling is exact; fix a log2 that rounded across a power of two.
  let m = x / 2 ** e;
  if (m < 1) {
    m *= 2;
    e -= 1;
  } else if (m >= 2) {
    m /= 2;
    e += 1;
  }
  if (m > Math.SQRT2) {
    m /= 2;
    e += 1;
  }
  const f = m - 1; // exact (Sterbenz)
  // Dekker's two-sum and two-product as errors of a sum or product already taken: no pairs are
  // allocated, so that a page drawing the chapter's networks (thousands of logs while its code is
  // still cold) makes no garbage here.
  const denHi = m + 1;
  const denLo = sumError(m, 1, denHi);
  const sHi = f / denHi;
  const p = sHi * denHi;
  const sLo = (f - p - productError(sHi, denHi, p) - sHi * denLo) / denHi;
  const s2 = sHi * sHi;
  let tail = 0;
  for (let k = 41; k >= 3; k -= 2) tail = s2 * (1 / k + tail);
  // ln m = 2s + 2s·tail; e·ln2 in double-double.
  const eHi = e * LN2_HI;
  const eLo = productError(e, LN2_HI, eHi) + e * LN2_LO;
  const sum = eHi + 2 * sHi;
  const lo = sumError(eHi, 2 * sHi, sum) + eLo + 2 * sLo + 2 * sHi * tail;
  return sum + lo;
}

/** The rounding error of s = a + b: a + b − s exactly (Knuth's two-sum). */
function sumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

/** The rounding error of p = a·b: a·b − p exactly (Dekker's two-product, by splitting). */
function productError(a: number, b: number, p: number): number {
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}
