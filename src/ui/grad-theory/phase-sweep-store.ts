/**
 * The phase diagram's sweeps, shared by every figure on the page that shows one (the diagram, its
 * tables, the section's note on the χ₁ = 1 line). A sweep is dozens of runs plus the critical line,
 * which is main-thread quadrature (~0.2 s for the default grid, run in slices of SLICE_MS);
 * figures that show the same grid must show the same measurements without measuring twice, and a
 * table must be able to show what a diagram with a Run sweep button measured.
 *
 * So a sweep is an entry keyed by its options (network and grid): its points fill in as they are
 * measured, whoever measures them, and every figure watching the entry redraws. Measuring goes
 * through the measuring figure's own TaskContext: each run waits while that figure is far from
 * the viewport (TaskContext.run does) and so does each slice of the critical line
 * (pauseWhileFar), and cancelling the figure stops it; a point another figure measured meanwhile
 * is skipped, and identical runs in flight are joined by the shared run queue. The critical line
 * depends only on the activation and the grid, so it is an entry of its own, a generator that
 * whoever needs it drives a slice at a time, continuing where the last one stopped. The most
 * recent entries are kept (SWEEPS_KEPT, CURVES_KEPT); a figure holds on to its own.
 */
import type { ActivationName } from '../../engine/activations.ts';
import type { SweepOptions, SweepPoint } from '../../engine/sweep.ts';
import type { TaskContext } from '../lab/run-controller.ts';
import {
  criticalCurveSteps,
  phaseGrid,
  sweepPoint,
  sweepPointSpec,
  type CriticalCurve,
  type PhaseGrid,
} from './theory-data.ts';
import type { Steps } from '../../engine/roots.ts';
import { nextTask } from '../figure/ready-queue.ts';

/** How many sweeps and critical lines are kept for figures that ask again. */
export const SWEEPS_KEPT = 8;
export const CURVES_KEPT = 16;

/**
 * How long one slice of the critical line computes before the page gets the thread back: well
 * under the 50 ms of a long task, with room for an evaluation of χ₁ that starts near its end.
 */
export const SLICE_MS = 10;

/** Something figures watch: they are called back whenever it changes. */
class Watched {
  private readonly listeners = new Set<() => void>();

  /** Calls `listener` on every change; returns the function that stops. */
  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  protected changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** The χ₁ = 1 line of one activation over one grid, computed in slices. */
export class CriticalLineEntry extends Watched {
  curve: CriticalCurve | null = null;
  error: string | null = null;
  private readonly steps: Steps<CriticalCurve>;

  constructor(
    readonly key: string,
    activation: ActivationName,
    alpha: number | undefined,
    grid: PhaseGrid,
  ) {
    super();
    this.steps = criticalCurveSteps(activation, alpha, grid);
  }

  /**
   * Computes one slice, evaluations of χ₁ until SLICE_MS have passed; true once the line is known.
   * Slices are synchronous, so two figures driving the same entry never run the generator at once.
   */
  step(): boolean {
    if (this.curve) return true;
    if (this.error) throw new Error(this.error);
    let next: IteratorResult<void, CriticalCurve>;
    try {
      const start = performance.now();
      do next = this.steps.next();
      while (!next.done && performance.now() - start < SLICE_MS);
    } catch (error) {
      this.error = `the χ₁ = 1 line could not be computed: ${error instanceof Error ? error.message : String(error)}`;
      this.changed();
      throw error;
    }
    if (!next.done) return false;
    this.curve = next.value;
    this.changed();
    return true;
  }
}

/** One grid of runs, finished or in progress. */
export class PhaseSweepEntry extends Watched {
  readonly grid: PhaseGrid;
  /** Indexed like the engine's sweep (σ_b² major); undefined until measured. */
  readonly points: (SweepPoint | undefined)[];

  constructor(
    readonly key: string,
    readonly options: SweepOptions,
    /** The grid's χ₁ = 1 line (shared with every sweep of the same activation and grid). */
    readonly critical: CriticalLineEntry,
  ) {
    super();
    this.grid = phaseGrid(options);
    this.points = Array.from(
      { length: this.grid.sigmaW2.length * this.grid.sigmaB2.length },
      () => undefined,
    );
    critical.watch(() => this.changed());
  }

  get measured(): number {
    return this.points.filter((point) => point !== undefined).length;
  }

  /** Every point measured and the critical line known. */
  get complete(): boolean {
    return this.measured === this.points.length && this.critical.curve !== null;
  }

  /** Records a point unless another figure did first. */
  record(index: number, point: SweepPoint): void {
    if (this.points[index]) return;
    this.points[index] = point;
    this.changed();
  }
}

export class PhaseSweepStore {
  private readonly sweeps = new Map<string, PhaseSweepEntry>();
  private readonly curves = new Map<string, CriticalLineEntry>();

  /** The χ₁ = 1 line of an activation over a grid (made on first request). */
  criticalLine(
    activation: ActivationName,
    alpha: number | undefined,
    grid: PhaseGrid,
  ): CriticalLineEntry {
    const key = JSON.stringify([activation, alpha ?? null, grid.sigmaW2, grid.sigmaB2]);
    return remember(this.curves, key, CURVES_KEPT, () => {
      return new CriticalLineEntry(key, activation, alpha, grid);
    });
  }

  /** The sweep of these options (made on first request), its points as measured so far. */
  sweep(options: SweepOptions): PhaseSweepEntry {
    const key = JSON.stringify(options);
    return remember(this.sweeps, key, SWEEPS_KEPT, () => {
      const { activation, alpha } = options.spec;
      return new PhaseSweepEntry(
        key,
        options,
        this.criticalLine(activation, alpha, phaseGrid(options)),
      );
    });
  }

  /** Forgets every entry (tests). Figures keep the entries they hold. */
  clear(): void {
    this.sweeps.clear();
    this.curves.clear();
  }
}

/**
 * Measures what the sweep still lacks through `context`: one run per missing point (each waits
 * while the figure is far from the viewport) and, beside them, the critical line in slices.
 * Rejects when the context's task is cancelled; what was measured stays in the entry.
 */
export async function measureSweep(sweep: PhaseSweepEntry, context: TaskContext): Promise<void> {
  const missing = sweep.points.flatMap((point, index) => (point ? [] : [index]));
  context.setTotal(missing.length);
  const line = solveCriticalLine(sweep.critical, context);
  // Awaited after the runs; a cancelled task must not leave it rejected and unobserved meanwhile.
  line.catch(() => {});
  const stepsW = sweep.grid.sigmaW2.length;
  for (const index of missing) {
    if (sweep.points[index]) continue;
    const sigmaW2 = sweep.grid.sigmaW2[index % stepsW]!;
    const sigmaB2 = sweep.grid.sigmaB2[Math.floor(index / stepsW)]!;
    const spec = sweepPointSpec(sweep.options, sigmaW2, sigmaB2);
    const result = await context.run(spec);
    // The point's theory (quadrature: 10–30 ms on the page) in a task of its own, not in the one
    // that received the run.
    await nextTask();
    if (context.signal.aborted) return;
    sweep.record(index, sweepPoint(sweep.grid, index, spec, result));
  }
  await line;
}

/** Drives the critical line one slice per task, pausing while the figure is far. */
export async function solveCriticalLine(
  entry: CriticalLineEntry,
  context: TaskContext,
): Promise<CriticalCurve> {
  while (!entry.curve) {
    await nextTask();
    await context.pauseWhileFar();
    if (context.signal.aborted) throw new DOMException('The run was cancelled', 'AbortError');
    entry.step();
  }
  return entry.curve;
}

/** The kept entry for `key`, or a new one; the most recently used are kept, `limit` at most. */
function remember<T>(kept: Map<string, T>, key: string, limit: number, make: () => T): T {
  let entry = kept.get(key);
  if (entry) kept.delete(key);
  else entry = make();
  kept.set(key, entry);
  while (kept.size > limit) kept.delete(kept.keys().next().value!);
  return entry;
}

/** The page's one store: figures in different sections and shadow roots share it. */
export const phaseSweeps = new PhaseSweepStore();
