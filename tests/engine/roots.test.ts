/**
 * The theory's one root finder (Illinois regula falsi) and its stepped form: it finds roots to the
 * asked tolerance in a fraction of bisection's evaluations, never leaves the bracket, and yields
 * once per evaluation; the stepped searches built on it (the χ₁ = 1 line both ways round) give the
 * same numbers as the plain ones, in steps of one evaluation of χ₁.
 */
import { describe, expect, it } from 'vitest';
import { refineRoot, refineRootSteps, runSteps } from '../../src/engine/roots.ts';
import { nextTask } from '../../src/ui/figure/ready-queue.ts';
import {
  criticalSigmaW2,
  criticalSigmaW2Steps,
  fixedPoint,
  varianceMap,
} from '../../src/engine/theory.ts';
import { criticalLine, criticalLineSteps } from '../../src/engine/sweep.ts';
import {
  criticalCurve,
  criticalCurveSteps,
  defaultSweepControls,
  phaseGrid,
  sweepOptionsFor,
} from '../../src/ui/grad-theory/theory-data.ts';
import { DEFAULT_SPEC } from '../../src/engine/spec.ts';

/** f, with a count of its evaluations and every point it was evaluated at. */
function counted(f: (x: number) => number) {
  const points: number[] = [];
  return { points, f: (x: number) => (points.push(x), f(x)) };
}

describe('refineRoot', () => {
  // Bisection to 1e-15 relative takes ~50 evaluations on each. Smooth, mildly curved functions
  // (the theory's) take ~10; a strongly curved one over a wide bracket takes longer, while the
  // Illinois halving pulls in the end that plain regula falsi would keep (x¹⁰ − ½ at 1).
  const cases: [string, (x: number) => number, number, number, number, number][] = [
    ['x³ − 2', (x) => x ** 3 - 2, 0, 2, Math.cbrt(2), 15],
    ['cos x − x', (x) => Math.cos(x) - x, 0, 1, 0.7390851332151607, 10],
    ['x¹⁰ − ½', (x) => x ** 10 - 0.5, 0, 1, 0.5 ** 0.1, 35],
    ['e^x − 10⁶ (steep)', (x) => Math.exp(x) - 1e6, 0, 30, Math.log(1e6), 40],
  ];
  for (const [name, f, a, b, root, most] of cases) {
    it(`${name}: to 1e-15 relative in at most ${most} evaluations, inside the bracket`, () => {
      const { f: g, points } = counted(f);
      const x = refineRoot(g, a, f(a), b, f(b), { relative: 1e-15 });
      expect(Math.abs(x - root)).toBeLessThanOrEqual(4e-15 * root);
      expect(points.length).toBeLessThanOrEqual(most);
      for (const p of points) expect(p > a && p < b).toBe(true);
    });
  }

  it('stops at an exact zero, or where |f| is within the value tolerance', () => {
    const { f, points } = counted((x) => x - 0.5);
    expect(refineRoot(f, 0, -0.5, 1, 0.5, { relative: 1e-15 })).toBe(0.5);
    expect(points).toEqual([0.5]);
    const near = counted((x) => Math.atan(x - 0.3));
    const x = refineRoot(near.f, 0, Math.atan(-0.3), 1, Math.atan(0.7), {
      relative: 1e-15,
      value: 1e-3,
    });
    expect(Math.abs(Math.atan(x - 0.3))).toBeLessThanOrEqual(1e-3);
    expect(near.points.length).toBeLessThanOrEqual(3);
  });

  it('takes `relative` as absolute below `floor`: a root at 0 is found to 1e-13', () => {
    const f = (x: number) => Math.sinh(x);
    const x = refineRoot(f, -0.5, f(-0.5), 1, f(1), { relative: 1e-13, floor: 1 });
    expect(Math.abs(x)).toBeLessThanOrEqual(1e-13);
  });

  it('stepped: one yield per evaluation, the same root as the plain call', () => {
    const { f, points } = counted((x) => x ** 3 - 2);
    const steps = refineRootSteps(f, 0, -2, 2, 6, { relative: 1e-15 });
    let yields = 0;
    let next = steps.next();
    while (!next.done) {
      yields++;
      expect(points.length).toBe(yields);
      next = steps.next();
    }
    expect(next.value).toBe(refineRoot((x) => x ** 3 - 2, 0, -2, 2, 6, { relative: 1e-15 }));
  });
});

describe('steps', () => {
  it('runSteps returns the generator’s value', () => {
    function* three() {
      yield;
      yield;
      return 3;
    }
    expect(runSteps(three())).toBe(3);
  });

  it('nextTask resolves after the tasks queued before it', async () => {
    const order: string[] = [];
    setTimeout(() => order.push('task'), 0);
    await Promise.resolve();
    order.push('microtask');
    await nextTask();
    order.push('next task');
    expect(order).toEqual(['microtask', 'task', 'next task']);
  });
});

describe('the theory’s searches, stepped', () => {
  it('the fixed point of the variance map is a sign change of V(q) − q to 1e-12 (tanh, ReLU, sigmoid)', () => {
    for (const [activation, sigmaW, sigmaB] of [
      ['tanh', 1.5, 0.3],
      ['relu', 1.2, 0.1],
      ['sigmoid', 3, 0.5],
    ] as const) {
      const fixed = fixedPoint({ activation, alpha: undefined, sigmaW, sigmaB });
      expect(fixed.kind).toBe('finite');
      // V(q) − q changes sign across q*·(1 ± 1e-12): it is the root to that precision.
      const params = { activation, alpha: undefined, sigmaW, sigmaB };
      const below = varianceMap(params, fixed.qStar * (1 - 1e-12)) - fixed.qStar * (1 - 1e-12);
      const above = varianceMap(params, fixed.qStar * (1 + 1e-12)) - fixed.qStar * (1 + 1e-12);
      expect(Math.sign(below)).not.toBe(Math.sign(above));
    }
  });

  it('criticalSigmaW2Steps gives criticalSigmaW2’s σ_w², one evaluation of χ₁ per step', () => {
    const search = { sigmaW2Min: 0.25, sigmaW2Max: 9 };
    const steps = criticalSigmaW2Steps('tanh', undefined, 0.2, search);
    let count = 0;
    let next = steps.next();
    while (!next.done) [count, next] = [count + 1, steps.next()];
    expect(next.value).toBe(criticalSigmaW2('tanh', undefined, 0.2, search));
    // The scan to the sign change, then ~10 refinements, not bisection's ~40.
    expect(count).toBeGreaterThan(10);
    expect(count).toBeLessThan(60);
  });

  it('criticalLineSteps and criticalCurveSteps give the plain functions’ lines', () => {
    const rows = [0, 0.1, 0.3];
    expect(runSteps(criticalLineSteps('tanh', undefined, rows, { min: 0.5, max: 4.5 }))).toEqual(
      criticalLine('tanh', undefined, rows, { min: 0.5, max: 4.5 }),
    );
    const spec = { ...DEFAULT_SPEC, activation: 'tanh' as const };
    const grid = phaseGrid(sweepOptionsFor(spec, defaultSweepControls(spec)));
    const steps = criticalCurveSteps('tanh', undefined, grid);
    let count = 0;
    let next = steps.next();
    while (!next.done) [count, next] = [count + 1, steps.next()];
    expect(next.value).toEqual(criticalCurve('tanh', undefined, grid));
    // Hundreds of small steps (a page runs them in slices of SLICE_MS), not one per column.
    expect(count).toBeGreaterThan(grid.sigmaW2.length * 5);
  });
});
