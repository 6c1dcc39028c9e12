/**
 * A root of a function that changes sign over a bracket: the theory's searches (the fixed point q*
 * of the variance map, the χ₁ = 1 line both ways round) all refine a bracket with this one method.
 *
 * The searches are also written as generators that yield after each evaluation of their function
 * (Steps), so that a page can run them in slices of a few milliseconds and stay responsive
 * (ui/grad-theory/phase-sweep-store.ts); runSteps runs one to its end where blocking is fine (the
 * CLI, tests, a worker).
 */

/** A computation that yields between units of work and returns its result. */
export type Steps<T> = Generator<void, T, undefined>;

/** Runs `steps` to its end and returns its result. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

export interface RootTolerance {
  /** Stop once the bracket is at most this wide, relative to max(floor, |a|, |b|). */
  readonly relative: number;
  /** The scale below which `relative` is taken as absolute (default 0: relative everywhere). */
  readonly floor?: number;
  /** Stop at a point where |f| is at most this (default 0: only at an exact zero). */
  readonly value?: number;
}

/**
 * A root of f in the bracket [a, b], where fa = f(a) and fb = f(b) differ in sign, by the Illinois
 * variant of regula falsi (Dowell & Jarratt 1971): the secant point replaces the end of the same
 * sign, and an end kept twice in a row has its value halved, so both ends close in and convergence
 * is superlinear (~10 evaluations where bisection to the same width takes 40–50). A secant point
 * that rounding puts on or outside an end is replaced by the midpoint, so the bracket always
 * shrinks. Returns the last point evaluated once the bracket is narrow enough (the midpoint after
 * 200 steps, which a sign-changing continuous f never needs).
 */
export function refineRoot(
  f: (x: number) => number,
  a: number,
  fa: number,
  b: number,
  fb: number,
  tolerance: RootTolerance,
): number {
  return runSteps(refineRootSteps(f, a, fa, b, fb, tolerance));
}

/** refineRoot, yielding after each evaluation of f (Steps). */
export function* refineRootSteps(
  f: (x: number) => number,
  a: number,
  fa: number,
  b: number,
  fb: number,
  tolerance: RootTolerance,
): Steps<number> {
  const floor = tolerance.floor ?? 0;
  const small = tolerance.value ?? 0;
  let side = 0;
  let last = 0.5 * (a + b);
  for (let i = 0; i < 200; i++) {
    if (Math.abs(b - a) <= tolerance.relative * Math.max(floor, Math.abs(a), Math.abs(b)))
      return last;
    let c = (a * fb - b * fa) / (fb - fa);
    if (!(c > Math.min(a, b) && c < Math.max(a, b))) c = 0.5 * (a + b);
    const fc = f(c);
    yield;
    last = c;
    if (fc === 0 || Math.abs(fc) <= small) return c;
    if (Math.sign(fc) === Math.sign(fb)) {
      b = c;
      fb = fc;
      if (side === -1) fa /= 2;
      side = -1;
    } else {
      a = c;
      fa = fc;
      if (side === 1) fb /= 2;
      side = 1;
    }
  }
  return 0.5 * (a + b);
}

/**
 * The first root of f along `points` (in order): f is evaluated at each until it is exactly zero
 * there or changes sign from the previous point, and that bracket is refined (refineRootSteps).
 * null where f keeps its sign at every point. Yields after each evaluation of f.
 */
export function* firstRootSteps(
  f: (x: number) => number,
  points: readonly number[],
  tolerance: RootTolerance,
): Steps<number | null> {
  let previous = NaN;
  let previousValue = NaN;
  for (const next of points) {
    const value = f(next);
    yield;
    if (value === 0) return next;
    if (Math.sign(value) === -Math.sign(previousValue))
      return yield* refineRootSteps(f, previous, previousValue, next, value, tolerance);
    previous = next;
    previousValue = value;
  }
  return null;
}
