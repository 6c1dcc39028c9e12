/**
 * The theory figures' own attributes (the phase grid, the Jacobian's width, the views) and the
 * page's store of phase sweeps: equal grids share one entry, a sweep measured through a task
 * equals the engine's sweep, a cancelled one keeps what it measured and resumes from there, and
 * the χ₁ = 1 line is computed once per activation and grid.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../../src/engine/experiment.ts';
import { DEFAULT_SPEC, type RunSpec } from '../../src/engine/spec.ts';
import { phaseDiagramSweep, type SweepPoint } from '../../src/engine/sweep.ts';
import { readOption } from '../../src/ui/figure/figure-options.ts';
import type { TaskContext } from '../../src/ui/lab/run-controller.ts';
import {
  measureSweep,
  PhaseSweepStore,
  solveCriticalLine,
  SLICE_MS,
  SWEEPS_KEPT,
} from '../../src/ui/grad-theory/phase-sweep-store.ts';
import {
  criticalCurve,
  defaultSweepControls,
  phaseGrid,
  sweepOptionsFor,
} from '../../src/ui/grad-theory/theory-data.ts';
import {
  JACOBIAN_WIDTH,
  jacobianWidthOf,
  PHASE_TABLE,
  readSweepAttributes,
  SWEEP_RULES,
  SWEEP_START,
  sweepAttributeEntries,
  VARIANCE_VIEW,
} from '../../src/ui/grad-theory/theory-options.ts';

const TANH: RunSpec = {
  ...DEFAULT_SPEC,
  activation: 'tanh',
  init: 'custom',
  sigmaW: 1.5,
  sigmaB: 0.1,
  depth: 30,
  width: 100,
  inputs: 100,
  batch: 8,
  backend: 'cpu64',
};

/** A small grid, so that its runs take milliseconds. */
const SMALL = {
  ...defaultSweepControls(TANH),
  sigmaW2Min: 0.5,
  sigmaW2Max: 2.5,
  sigmaW2Steps: 3,
  sigmaB2Min: 0,
  sigmaB2Max: 0.3,
  sigmaB2Steps: 2,
  depth: 4,
  width: 8,
};

const attributes =
  (values: Record<string, string>) =>
  (name: string): string | null =>
    values[name] ?? null;

describe('theory figure options', () => {
  it('reads the grid from attributes named like the CLI flags, its network from the spec', () => {
    const none = readSweepAttributes(TANH, attributes({}));
    expect(none.problem).toBeNull();
    expect(none.controls).toEqual(defaultSweepControls(TANH));
    // The network follows the spec's depth and width, capped, until the attributes say otherwise.
    expect(none.options!.spec).toMatchObject({ depth: 20, width: 64 });
    const given = readSweepAttributes(TANH, attributes(sweepAttributeEntries(SMALL)));
    expect(given.problem).toBeNull();
    expect(given.options).toEqual(sweepOptionsFor(TANH, SMALL));
  });

  it('leaves a refused value at its default and reports a broken relation, naming the attribute', () => {
    expect(readOption(SWEEP_RULES.depth, '51').problem?.message).toBe(
      'sweep-depth: got "51"; allowed: an integer from 1 to 50 (default: the spec’s depth, up to 20)',
    );
    expect(readOption(SWEEP_RULES.sigmaW2Steps, '2.5').problem?.field).toBe('sigma-w2-steps');
    expect(readOption(SWEEP_RULES.sigmaB2Max, '0.25')).toEqual({ value: 0.25 });
    const refused = readSweepAttributes(TANH, attributes({ 'sweep-depth': '51' }));
    expect(refused.problem).toBeNull();
    expect(refused.options!.spec.depth).toBe(20);
    const crossed = readSweepAttributes(
      TANH,
      attributes({ 'sigma-w2-min': '3', 'sigma-w2-max': '1' }),
    );
    expect(crossed.problem?.field).toBe('sigma-w2-max');
    expect(crossed.options).toEqual(sweepOptionsFor(TANH, defaultSweepControls(TANH)));
    const many = readSweepAttributes(
      TANH,
      attributes({ 'sigma-w2-steps': '40', 'sigma-b2-steps': '20' }),
    );
    expect(many.problem?.message).toMatch(/^sigma-w2-steps: the grid has 40 × 20 = 800 points/);
  });

  it('reads the views, the table, when to start and the Jacobian width', () => {
    expect(readOption(VARIANCE_VIEW, 'depth')).toEqual({ value: 'depth' });
    expect(readOption(VARIANCE_VIEW, 'q').problem?.message).toBe(
      'view: got "q"; allowed: one of map, depth',
    );
    expect(readOption(PHASE_TABLE, null)).toEqual({ value: 'points' });
    expect(readOption(SWEEP_START, 'button')).toEqual({ value: 'button' });
    expect(readOption(JACOBIAN_WIDTH, '300').problem?.field).toBe('jacobian-width');
    expect(readOption(JACOBIAN_WIDTH, '0').problem).toBeDefined();
    expect(jacobianWidthOf(TANH, readOption(JACOBIAN_WIDTH, '12').value)).toBe(12);
    expect(jacobianWidthOf(TANH, readOption(JACOBIAN_WIDTH, null).value)).toBe(100);
    expect(jacobianWidthOf({ ...TANH, width: 512 }, null)).toBe(128);
  });
});

/** A task's context over the CPU backend in Node, cancelled after `runsBeforeCancel` runs. */
function nodeContext(runsBeforeCancel = Infinity) {
  const backend = createCpuBackend('f64');
  const abort = new AbortController();
  const cancelled = () => new DOMException('The run was cancelled', 'AbortError');
  const counts = { runs: 0, pauses: 0, total: 0 };
  const context: TaskContext = {
    signal: abort.signal,
    run: async (spec) => {
      if (counts.runs >= runsBeforeCancel) abort.abort();
      if (abort.signal.aborted) throw cancelled();
      counts.runs++;
      return runExperiment(spec, backend);
    },
    runProblem: () => Promise.reject(new Error('unused')),
    jacobian: () => Promise.reject(new Error('unused')),
    train: () => Promise.reject(new Error('unused')),
    roofline: () => Promise.reject(new Error('unused')),
    setTotal: (runs) => void (counts.total = runs),
    pauseWhileFar: async () => {
      counts.pauses++;
      if (abort.signal.aborted) throw cancelled();
    },
  };
  return { context, counts };
}

describe('phase sweep store', () => {
  it('gives figures of one grid one entry, and grids of one activation one χ₁ = 1 line', () => {
    const store = new PhaseSweepStore();
    const options = sweepOptionsFor(TANH, SMALL);
    const entry = store.sweep(options);
    expect(store.sweep(sweepOptionsFor(TANH, { ...SMALL }))).toBe(entry);
    const deeper = store.sweep(sweepOptionsFor(TANH, { ...SMALL, depth: 5 }));
    expect(deeper).not.toBe(entry);
    expect(deeper.critical).toBe(entry.critical);
    expect(store.sweep(sweepOptionsFor(TANH, { ...SMALL, sigmaB2Steps: 3 })).critical).not.toBe(
      entry.critical,
    );
    // The most recent few are kept.
    for (let depth = 6; depth < 6 + SWEEPS_KEPT; depth++) {
      store.sweep(sweepOptionsFor(TANH, { ...SMALL, depth }));
    }
    expect(store.sweep(options)).not.toBe(entry);
  });

  it('measures the engine’s sweep through a task, each run and slice able to pause', async () => {
    const store = new PhaseSweepStore();
    const options = sweepOptionsFor(TANH, SMALL);
    const entry = store.sweep(options);
    let changes = 0;
    entry.watch(() => changes++);
    const { context, counts } = nodeContext();
    await measureSweep(entry, context);
    expect(entry.complete).toBe(true);
    expect(counts.total).toBe(6);
    expect(counts.runs).toBe(6);
    // The critical line in slices of SLICE_MS (one or a few for this small grid), and its end.
    expect(counts.pauses).toBeGreaterThanOrEqual(1);
    expect(changes).toBe(7);
    const engine: SweepPoint[] = [];
    for await (const point of phaseDiagramSweep(options, createCpuBackend('f64'))) {
      engine.push(point);
    }
    expect(entry.points).toEqual(engine);
    expect(entry.critical.curve).toEqual(criticalCurve('tanh', 0, phaseGrid(options)));
    // Measured once: a second figure of the same grid runs nothing.
    const again = nodeContext();
    await measureSweep(store.sweep(options), again.context);
    expect(again.counts.runs).toBe(0);
  });

  it('computes the critical line in slices of about SLICE_MS, to the same curve', () => {
    const grid = phaseGrid(sweepOptionsFor(TANH, defaultSweepControls(TANH)));
    const entry = new PhaseSweepStore().criticalLine('tanh', undefined, grid);
    let slices = 0;
    let longest = 0;
    for (;;) {
      const start = performance.now();
      const done = entry.step();
      longest = Math.max(longest, performance.now() - start);
      slices++;
      if (done) break;
    }
    // The default grid is hundreds of evaluations of χ₁ (~0.1–5 ms each): many slices, none
    // much longer than SLICE_MS (one evaluation may start just before it ends).
    expect(slices).toBeGreaterThan(3);
    expect(longest).toBeLessThan(SLICE_MS + 40);
    expect(entry.curve).toEqual(criticalCurve('tanh', undefined, grid));
  });

  it('keeps what a cancelled sweep measured and measures only the rest when resumed', async () => {
    const store = new PhaseSweepStore();
    const entry = store.sweep(sweepOptionsFor(TANH, SMALL));
    const first = nodeContext(2);
    await expect(measureSweep(entry, first.context)).rejects.toThrow('cancelled');
    expect(entry.measured).toBe(2);
    expect(entry.complete).toBe(false);
    const second = nodeContext();
    await measureSweep(entry, second.context);
    expect(second.counts.total).toBe(4);
    expect(second.counts.runs).toBe(4);
    expect(entry.complete).toBe(true);
  });

  it('solves the χ₁ = 1 line alone for a table that needs no runs', async () => {
    const store = new PhaseSweepStore();
    const entry = store.sweep(sweepOptionsFor({ ...TANH, activation: 'relu' }, SMALL));
    const { context, counts } = nodeContext();
    const curve = await solveCriticalLine(entry.critical, context);
    expect(counts.runs).toBe(0);
    expect(curve.verticalAt).toBeCloseTo(2, 9);
    expect(entry.measured).toBe(0);
  });
});
