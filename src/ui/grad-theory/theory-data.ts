/**
 * What the theory section computes and how it becomes charts: the mean-field numbers of the lab's
 * spec, the predicted gradient curve over a measured run, the (σ_w², σ_b²) phase diagram with its
 * χ₁ = 1 line, and the Jacobian spectra of Gaussian and orthogonal weights. Pure functions (no
 * DOM), so the shaping is tested without a browser; the theory itself is engine/theory.ts,
 * engine/sweep.ts and engine/jacobian.ts.
 */
import { ACTIVATIONS, type ActivationName } from '../../engine/activations.ts';
import { INITS } from '../../engine/inits.ts';
import {
  checkJacobianSpec,
  JACOBIAN_MAX_SIZE,
  type JacobianSpectrum,
} from '../../engine/jacobian.ts';
import type { RunResult } from '../../engine/results.ts';
import { firstRootSteps, runSteps, type Steps } from '../../engine/roots.ts';
import { SpecError, validateSpec, type BackendName, type RunSpec } from '../../engine/spec.ts';
import {
  gridValues,
  pointSpec,
  predictPoint,
  criticalLineSteps,
  validateSweepOptions,
  type SweepOptions,
  type SweepPoint,
} from '../../engine/sweep.ts';
import {
  effectiveSigmaW,
  meanFieldParamsOf,
  meanFieldChi1,
  meanFieldTheory,
  predictGradientNorms,
  varianceMap,
  varianceSequence,
  type GradientPrediction,
  type MeanFieldParams,
  type MeanFieldTheory,
} from '../../engine/theory.ts';
import { formatExact, type ChartData, type HeatmapColumn } from '../grad-chart/chart-data.ts';
import { nextTask } from '../figure/ready-queue.ts';

/** A number as the section prints it: six significant digits, ∞ for Infinity. */
export function formatNumber(value: number): string {
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '−∞';
  return formatExact(value);
}

// ---------------------------------------------------------------------------------------------
// Mean-field overlays

export interface TheoryView {
  readonly spec: RunSpec;
  /** The parameters the theory was evaluated at (σ_w effective for non-custom inits). */
  readonly params: MeanFieldParams;
  readonly theory: MeanFieldTheory;
  /** ‖δ⁽ˡ⁾‖/‖δ⁽ᴸ⁾‖ for the spec's depth. */
  readonly prediction: GradientPrediction;
  /** Which σ_w was used and where it came from, in words. */
  readonly sigmaWSource: string;
  /** False for residual or batch-normalized networks: no prediction is drawn for them. */
  readonly applies: boolean;
  /** Where and why the theory does not describe this network exactly. */
  readonly caveats: readonly string[];
}

/** The mean-field theory of a spec's hidden layers, with what it assumes spelled out. */
export function theoryView(spec: RunSpec): TheoryView {
  const params = meanFieldParamsOf(spec);
  const init = INITS[spec.init];
  const sigmaW = params.sigmaW;
  let sigmaWSource: string;
  if (spec.init === 'custom') {
    sigmaWSource = `σ_w = ${formatNumber(sigmaW)}, the custom init's own (W ~ N(0, σ_w²/n_in)).`;
  } else {
    const how =
      init.distribution === 'orthogonal'
        ? 'its gain (an orthogonal matrix × g preserves ‖x‖² up to g², as σ_w = g does on average)'
        : init.distribution === 'uniform'
          ? `its limit a × √(${spec.width}/3) (U(−a, a) has variance a²/3)`
          : `its weight std × √${spec.width}`;
    sigmaWSource =
      `${init.label} is not the theory's init, so the theory uses its effective σ_w = ` +
      `${formatNumber(sigmaW)}: ${how}, for a square ${spec.width} × ${spec.width} hidden layer.`;
  }
  const caveats: string[] = [];
  if (spec.batchnorm)
    caveats.push(
      'Batch normalization rescales every pre-activation to unit variance, so the variance map ' +
        'and χ₁ do not describe this network: the numbers are those of the same network without ' +
        'it, and no prediction is drawn over the measured curve.',
    );
  if (spec.residual)
    caveats.push(
      'Residual connections add the identity to every layer’s Jacobian, so ‖δ‖ does not change ' +
        'by √χ₁ per layer: the numbers are those of the plain network, and no prediction is drawn ' +
        'over the measured curve.',
    );
  if (init.distribution !== 'normal')
    caveats.push(
      `The theory assumes i.i.d. Gaussian weights; ${init.label} weights are matched by their ` +
        'variance only.',
    );
  if (spec.init !== 'custom' && spec.inputs !== spec.width)
    caveats.push(
      `The first layer is ${spec.inputs} → ${spec.width}, so its σ_w under ${init.label} differs ` +
        'from the hidden layers’; only q⁽¹⁾ is affected.',
    );
  caveats.push(
    `The theory is exact for infinite width; at width ${spec.width} the measured norms ` +
      'fluctuate around it from layer to layer.',
  );
  return {
    spec,
    params,
    theory: meanFieldTheory(params),
    prediction: predictGradientNorms(params, spec.depth),
    sigmaWSource,
    applies: !spec.batchnorm && !spec.residual,
    caveats,
  };
}

/** The last specs' theory views: the figures and the section of one page share them. */
const views = new Map<string, { view: TheoryView | null; error: string | null }>();

/**
 * theoryView, or why the theory cannot be evaluated for the spec (the message it threw); kept for
 * the last few specs, so that the figures that show one spec's theory compute it once.
 */
export function theoryViewOf(spec: RunSpec): { view: TheoryView | null; error: string | null } {
  const key = JSON.stringify(spec);
  let entry = views.get(key);
  if (!entry) {
    try {
      entry = { view: theoryView(spec), error: null };
    } catch (error) {
      entry = { view: null, error: error instanceof Error ? error.message : String(error) };
    }
    views.set(key, entry);
    if (views.size > 8) views.delete(views.keys().next().value!);
  }
  return entry;
}

/**
 * A theory figure's preparation for its first drawing: the spec's theory in a task of its own
 * (cold, its quadrature costs 15–30 ms on a two-core machine, beside the figure's first render).
 */
export async function prepareTheoryView(spec: RunSpec): Promise<void> {
  await nextTask();
  theoryViewOf(spec);
  await nextTask();
}

/** The phase in words. */
export function describePhase(theory: MeanFieldTheory): string {
  switch (theory.phase) {
    case 'ordered':
      return 'ordered (χ₁ < 1): gradients vanish toward the input';
    case 'chaotic':
      return 'chaotic (χ₁ > 1): gradients explode toward the input';
    case 'critical':
      return 'critical (χ₁ = 1 to within 1e-12): gradients keep their size through depth';
  }
}

/** The correlation depth scale ξ_c with its unit and meaning. */
export function describeCorrelationScale(theory: MeanFieldTheory): string {
  const xi = theory.depthScales.correlation;
  const target = theory.cStar === 1 ? '1' : `c* = ${formatNumber(theory.cStar)}`;
  if (xi === Infinity)
    return theory.phase === 'critical'
      ? '∞ layers: at criticality correlations approach 1 more slowly than exponentially'
      : `∞ layers: q⁽ˡ⁾ → ${theory.fixedPoint.kind === 'zero' ? '0' : '∞'}, where the correlation map's slope at 1 is 1, so correlations approach 1 more slowly than exponentially`;
  if (xi === 0) return `0 layers: correlations jump to ${target} in one layer`;
  return `${formatNumber(xi)} layers: every ξ_c layers the distance of two inputs' correlation from ${target} shrinks by a factor e`;
}

/** Where q⁽ˡ⁾ goes, in words. */
export function describeFixedPoint(theory: MeanFieldTheory): string {
  const fixed = theory.fixedPoint;
  switch (fixed.kind) {
    case 'finite':
      return `finite: q⁽ˡ⁾ settles at q* = ${formatNumber(fixed.qStar)}, starting from q⁽¹⁾ = ${formatNumber(fixed.qFirst)}`;
    case 'zero':
      return `zero: q⁽ˡ⁾ shrinks to 0 from q⁽¹⁾ = ${formatNumber(fixed.qFirst)} (no bias, and the map contracts), so the signal fades; χ₁ is its limit as q → 0`;
    case 'divergent':
      return `divergent: q⁽ˡ⁾ grows without bound from q⁽¹⁾ = ${formatNumber(fixed.qFirst)} (there is no finite fixed point); χ₁ is its limit for large q`;
  }
}

/** The gradient depth scale ξ_∇ with its unit and meaning. */
export function describeDepthScale(theory: MeanFieldTheory): string {
  const { gradient, gradientTrend } = theory.depthScales;
  switch (gradientTrend) {
    case 'zero':
      return '0 layers: χ₁ = 0, no gradient passes a single layer';
    case 'critical':
      return '∞ layers: at criticality ‖δ‖² neither shrinks nor grows exponentially';
    case 'vanishing':
      return `${formatNumber(gradient)} layers: every ξ_∇ layers toward the input, ‖δ‖² shrinks by a factor e`;
    case 'exploding':
      return `${formatNumber(gradient)} layers: every ξ_∇ layers toward the input, ‖δ‖² grows by a factor e`;
  }
}

/** Samples of the variance map drawn against the identity (q* is one of the samples). */
const VARIANCE_MAP_SAMPLES = 48;

/**
 * The variance map V(q) = σ_w²·E[φ(√q z)²] + σ_b² against the identity line: they cross at the
 * fixed point q*, which is one of the x samples so the crossing is drawn exactly. The q range
 * covers q⁽¹⁾ and q* with room on both sides.
 */
export function varianceMapChart(view: TheoryView): ChartData {
  const { qStar, qFirst } = view.theory.fixedPoint;
  const top = Number.isFinite(qStar) && qStar > 0 ? Math.max(2 * qStar, 1.5 * qFirst) : 3 * qFirst;
  const x: number[] = [];
  for (let i = 0; i <= VARIANCE_MAP_SAMPLES; i++) x.push((top * i) / VARIANCE_MAP_SAMPLES);
  for (const q of [qStar, qFirst]) if (Number.isFinite(q) && q > 0 && !x.includes(q)) x.push(q);
  x.sort((a, b) => a - b);
  return {
    x,
    series: [
      {
        label: 'V(q) = σ_w²·E[φ(√q z)²] + σ_b²',
        values: x.map((q) => varianceMap(view.params, q)),
      },
      { label: 'identity q (crosses V at q*)', values: x },
    ],
  };
}

/** q⁽ˡ⁾ for the spec's hidden layers, with q* as a horizontal line where it is finite and > 0. */
export function varianceSequenceChart(view: TheoryView): ChartData {
  const variances = varianceSequence(view.params, view.spec.depth);
  const x = Array.from({ length: variances.length }, (_, i) => i + 1);
  const qStar = view.theory.qStar;
  return {
    x,
    series: [
      { label: 'q⁽ˡ⁾ (pre-activation variance)', values: variances },
      ...(Number.isFinite(qStar) && qStar > 0
        ? [{ label: 'fixed point q*', values: x.map(() => qStar) }]
        : []),
    ],
  };
}

/** The predicted curves scaled to a measured output-layer norm. */
export interface GradientOverlay {
  /** ‖δ⁽ᴸ⁾‖ measured: the scale of both predictions. */
  readonly outputNorm: number;
  /** ‖δ⁽ˡ⁾‖ measured, layers 1…L. */
  readonly measured: Float64Array;
  /** predictGradientNorms(…).layerwise × ‖δ⁽ᴸ⁾‖. */
  readonly layerwise: Float64Array;
  /** χ₁^((L−l)/2) × ‖δ⁽ᴸ⁾‖. */
  readonly atFixedPoint: Float64Array;
}

export function gradientOverlay(view: TheoryView, result: RunResult): GradientOverlay {
  const measured = Float64Array.from(result.stats.gradNorm);
  const outputNorm = measured[measured.length - 1]!;
  const scale = (values: Float64Array) => values.map((v) => v * outputNorm);
  return {
    outputNorm,
    measured,
    layerwise: scale(view.prediction.layerwise),
    atFixedPoint: scale(view.prediction.atFixedPoint),
  };
}

/** Measured ‖δ⁽ˡ⁾‖ per layer with the two predictions (left out where the theory does not apply). */
export function gradientOverlayChart(view: TheoryView, overlay: GradientOverlay): ChartData {
  const x = Array.from({ length: overlay.measured.length }, (_, i) => i + 1);
  return {
    x,
    series: [
      { label: 'measured ‖δ⁽ˡ⁾‖', values: overlay.measured },
      ...(view.applies
        ? [
            {
              label: 'predicted, layer by layer: Π √(σ_w²·E[φ′(√q⁽ᵏ⁾ z)²])',
              values: overlay.layerwise,
            },
            { label: 'predicted from q*: χ₁^((L−l)/2)', values: overlay.atFixedPoint },
          ]
        : []),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Phase diagram

/** The reader's sweep settings, as numbers (the inputs' text is parsed before). */
export interface SweepControls {
  readonly sigmaW2Min: number;
  readonly sigmaW2Max: number;
  readonly sigmaW2Steps: number;
  readonly sigmaB2Min: number;
  readonly sigmaB2Max: number;
  readonly sigmaB2Steps: number;
  readonly depth: number;
  readonly width: number;
}

/**
 * Caps that keep the page's sweep to seconds on a CPU: each grid point is one run of a network
 * of this depth and width (the CLI's `sweep` has no such caps).
 */
export const PAGE_SWEEP_LIMITS = {
  depth: { min: 1, max: 50 },
  width: { min: 1, max: 128 },
  batch: 32,
  points: 400,
} as const;

/** A 9 × 6 grid over σ_w² 0.5…4.5 (steps of 0.5) and σ_b² 0…0.5 (steps of 0.1). */
export function defaultSweepControls(spec: RunSpec): SweepControls {
  return {
    sigmaW2Min: 0.5,
    sigmaW2Max: 4.5,
    sigmaW2Steps: 9,
    sigmaB2Min: 0,
    sigmaB2Max: 0.5,
    sigmaB2Steps: 6,
    depth: Math.min(spec.depth, 20),
    width: Math.min(spec.width, 64),
  };
}

/** The control names (also the SpecError fields): the CLI's sweep flags plus the network's. */
export const SWEEP_CONTROL_FIELDS: readonly { key: keyof SweepControls; name: string }[] = [
  { key: 'sigmaW2Min', name: 'sigma-w2-min' },
  { key: 'sigmaW2Max', name: 'sigma-w2-max' },
  { key: 'sigmaW2Steps', name: 'sigma-w2-steps' },
  { key: 'sigmaB2Min', name: 'sigma-b2-min' },
  { key: 'sigmaB2Max', name: 'sigma-b2-max' },
  { key: 'sigmaB2Steps', name: 'sigma-b2-steps' },
  { key: 'depth', name: 'sweep-depth' },
  { key: 'width', name: 'sweep-width' },
];

/**
 * The sweep of a lab spec: its activation, α, outputs, seed, rng and backend, at the sweep's
 * depth and width (inputs = width, batch ≤ 32), a plain network (no residual, no batch norm: the
 * theory's network) with init `custom`. Throws SpecError naming the control.
 */
export function sweepOptionsFor(spec: RunSpec, controls: SweepControls): SweepOptions {
  for (const [key, name] of [
    ['depth', 'sweep-depth'],
    ['width', 'sweep-width'],
  ] as const) {
    const value = controls[key];
    const { min, max } = PAGE_SWEEP_LIMITS[key];
    if (!Number.isInteger(value) || value < min || value > max)
      throw new SpecError(
        name,
        `got ${value}; allowed: an integer from ${min} to ${max} (one run per grid point)`,
      );
  }
  const network = validateSpec({
    ...spec,
    init: 'custom',
    gain: 1,
    sigmaW: 1,
    sigmaB: 0,
    depth: controls.depth,
    width: controls.width,
    inputs: controls.width,
    batch: Math.min(spec.batch, PAGE_SWEEP_LIMITS.batch),
    residual: false,
    batchnorm: false,
    repeat: 1,
  });
  const options = validateSweepOptions({
    spec: network,
    sigmaW2: { min: controls.sigmaW2Min, max: controls.sigmaW2Max, steps: controls.sigmaW2Steps },
    sigmaB2: { min: controls.sigmaB2Min, max: controls.sigmaB2Max, steps: controls.sigmaB2Steps },
  });
  const points = controls.sigmaW2Steps * controls.sigmaB2Steps;
  if (points > PAGE_SWEEP_LIMITS.points)
    throw new SpecError(
      'sigma-w2-steps',
      `the grid has ${controls.sigmaW2Steps} × ${controls.sigmaB2Steps} = ${points} points; allowed: at most ${PAGE_SWEEP_LIMITS.points} on this page (each is one run)`,
    );
  return options;
}

/** Both axes' values. */
export interface PhaseGrid {
  readonly sigmaW2: readonly number[];
  readonly sigmaB2: readonly number[];
}

export function phaseGrid(options: SweepOptions): PhaseGrid {
  return { sigmaW2: gridValues(options.sigmaW2), sigmaB2: gridValues(options.sigmaB2) };
}

/** The spec of one grid point: engine/sweep.ts's pointSpec, on the lab's backend by default. */
export function sweepPointSpec(
  options: SweepOptions,
  sigmaW2: number,
  sigmaB2: number,
  backend: BackendName = options.spec.backend,
): RunSpec {
  return pointSpec(options, sigmaW2, sigmaB2, backend);
}

/** One grid point from its run, as engine/sweep.ts's phaseDiagramSweep yields it. */
export function sweepPoint(
  grid: PhaseGrid,
  index: number,
  spec: RunSpec,
  result: RunResult,
): SweepPoint {
  const stepsW = grid.sigmaW2.length;
  const gradNormFirst = result.stats.gradNorm[0]!;
  const gradNormLast = result.stats.gradNorm[result.stats.layerCount - 1]!;
  return {
    index,
    total: stepsW * grid.sigmaB2.length,
    sigmaW2: grid.sigmaW2[index % stepsW]!,
    sigmaB2: grid.sigmaB2[Math.floor(index / stepsW)]!,
    gradNormFirst,
    gradNormLast,
    measuredLog10Ratio: Math.log10(gradNormFirst / gradNormLast),
    ...predictPoint(spec),
  };
}

/** The y extent of the heat-map's cells: each cell centred on its σ_b² grid value. */
export function cellRange(values: readonly number[]): { lo: number; hi: number } {
  const first = values[0]!;
  const last = values[values.length - 1]!;
  if (values.length < 2) return { lo: first, hi: last };
  const half = (last - first) / (values.length - 1) / 2;
  return { lo: first - half, hi: last + half };
}

/**
 * One heat-map column per σ_w² value: the measured log₁₀(‖δ⁽¹⁾‖/‖δ⁽ᴸ⁾‖) for each σ_b² from the
 * lowest up. `points` is indexed like the sweep (σ_b² major); a point not measured is NaN, and a
 * non-finite measurement stays as it is (the chart draws both in its error colour and counts
 * them).
 */
export function heatmapColumns(
  grid: PhaseGrid,
  points: readonly (SweepPoint | undefined)[],
): HeatmapColumn[] {
  const { lo, hi } = cellRange(grid.sigmaB2);
  const stepsW = grid.sigmaW2.length;
  return grid.sigmaW2.map((_, iW) => ({
    lo,
    hi,
    values: Float64Array.from(
      grid.sigmaB2,
      (_b, iB) => points[iB * stepsW + iW]?.measuredLog10Ratio ?? NaN,
    ),
  }));
}

/** Counts the measured cells that are not finite (a norm that overflowed or vanished). */
export function countNonFinite(points: readonly (SweepPoint | undefined)[]): number {
  return points.filter((p) => p !== undefined && !Number.isFinite(p.measuredLog10Ratio)).length;
}

/**
 * The χ₁ = 1 line over the grid, as a function of σ_w² (the chart's x axis): for each σ_w² grid
 * value, the σ_b² in the grid's σ_b² range where χ₁(σ_w², σ_b²) = 1, or null where χ₁ − 1 keeps
 * its sign over the range (the line passes that column above or below the grid, or it is
 * vertical: χ₁ of ReLU and linear does not depend on σ_b²).
 *
 * Why not draw criticalLine's σ_w²(σ_b²) directly: a chart series is y as a function of x, and
 * the heat-map needs x = σ_w² with one column per grid value; so the line is solved the other
 * way round at those x values. criticalLine's points (σ_w² per σ_b² row) are listed beside the
 * chart, which also covers the vertical case.
 */
export function criticalSigmaB2(
  activation: ActivationName,
  alpha: number | undefined,
  sigmaW2: number,
  range: { min: number; max: number },
): number | null {
  return runSteps(criticalSigmaB2Steps(activation, alpha, sigmaW2, range));
}

/** criticalSigmaB2, yielding after each evaluation of χ₁ (engine/roots.ts Steps). */
function* criticalSigmaB2Steps(
  activation: ActivationName,
  alpha: number | undefined,
  sigmaW2: number,
  range: { min: number; max: number },
): Steps<number | null> {
  if (!(range.max > range.min)) return null;
  const sigmaW = Math.sqrt(sigmaW2);
  const excess = (sigmaB2: number): number =>
    meanFieldChi1({ activation, alpha, sigmaW, sigmaB: Math.sqrt(sigmaB2) }) - 1;
  // χ₁ − 1 at the ends and three interior points: the first sign change is refined. For tanh-like
  // activations χ₁ falls monotonically with σ_b² (a larger q* saturates φ′), so one root at most.
  const scan = [0, 0.25, 0.5, 0.75, 1].map((t) => range.min + t * (range.max - range.min));
  return yield* firstRootSteps(excess, scan, { relative: 1e-13, floor: 1, value: 1e-14 });
}

/** The critical line over a grid, both ways round. */
export interface CriticalCurve {
  /** σ_b² on the χ₁ = 1 line at each σ_w² grid value; null where it is not in the σ_b² range. */
  readonly sigmaB2: readonly (number | null)[];
  /** engine criticalLine: σ_w² on the line at each σ_b² grid value (null: none in range). */
  readonly rows: readonly { sigmaB2: number; sigmaW2: number | null }[];
  /** The line is vertical: χ₁ = 1 at the same σ_w² for every σ_b² row. */
  readonly verticalAt: number | null;
}

/** Whether the rows lie on one vertical line σ_w² = c (to 1e-9 relative). */
export function verticalLine(rows: readonly { sigmaW2: number | null }[]): number | null {
  if (rows.length < 2) return null;
  const values = rows.map((r) => r.sigmaW2);
  if (values.some((v) => v === null)) return null;
  const first = values[0]!;
  return values.every((v) => Math.abs(v! - first) <= 1e-9 * first) ? first : null;
}

/**
 * Computes the critical line of a grid, column by column and then row by row, yielding after each
 * evaluation of χ₁ (a quadrature fixed-point search, ~0.1–5 ms) so that a page can run it in slices
 * of a few milliseconds (phase-sweep-store.ts); the generator's return value is the curve. Drive
 * it with criticalCurve() where blocking is fine.
 */
export function* criticalCurveSteps(
  activation: ActivationName,
  alpha: number | undefined,
  grid: PhaseGrid,
): Steps<CriticalCurve> {
  const range = { min: grid.sigmaB2[0]!, max: grid.sigmaB2[grid.sigmaB2.length - 1]! };
  const sigmaB2: (number | null)[] = [];
  for (const sigmaW2 of grid.sigmaW2)
    sigmaB2.push(yield* criticalSigmaB2Steps(activation, alpha, sigmaW2, range));
  const widths = { min: grid.sigmaW2[0]!, max: grid.sigmaW2[grid.sigmaW2.length - 1]! };
  const rows = yield* criticalLineSteps(activation, alpha, grid.sigmaB2, widths);
  return { sigmaB2, rows, verticalAt: verticalLine(rows) };
}

/** The critical line of a grid, computed at once. */
export function criticalCurve(
  activation: ActivationName,
  alpha: number | undefined,
  grid: PhaseGrid,
): CriticalCurve {
  return runSteps(criticalCurveSteps(activation, alpha, grid));
}

/** The χ₁ = 1 line as a series over the grid's σ_w² (NaN where it leaves the grid). */
export function criticalSeriesValues(curve: CriticalCurve): (number | null)[] {
  return Array.from(curve.sigmaB2);
}

/**
 * The phase diagram: x = σ_w², y = σ_b², the heat-map of measured log₁₀(‖δ⁽¹⁾‖/‖δ⁽ᴸ⁾‖) on a
 * diverging scale (negative: vanishing toward the input; positive: exploding), and the χ₁ = 1
 * line on top where it crosses the columns.
 */
export function phaseChart(
  grid: PhaseGrid,
  points: readonly (SweepPoint | undefined)[],
  curve: CriticalCurve | null,
): ChartData {
  return {
    x: grid.sigmaW2,
    series: curve ? [{ label: 'theory: χ₁ = 1', values: criticalSeriesValues(curve) }] : [],
    heatmap: {
      label: 'measured log₁₀(‖δ⁽¹⁾‖ / ‖δ⁽ᴸ⁾‖)',
      columns: heatmapColumns(grid, points),
      diverging: true,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Jacobian spectrum

/** The default width of the Jacobian's square network; the engine allows up to 256. */
export const JACOBIAN_DEFAULT_WIDTH = 128;

export interface JacobianPair {
  /** i.i.d. weights: the spec's init, or `custom` at its effective σ_w when it is orthogonal. */
  readonly gaussian: RunSpec;
  /** The same scale as orthogonal weights: gain = the Gaussian one's effective σ_w. */
  readonly orthogonal: RunSpec;
  readonly sigmaW: number;
  readonly gaussianLabel: string;
}

/**
 * The two networks whose Jacobians are compared: the spec's activation, depth, biases, seed and
 * output layer at a square width (inputs = width = outputs, so J is square), one sample. Throws
 * SpecError naming the field (width over 256, batch normalization) with the engine's message.
 */
export function jacobianPair(spec: RunSpec, width: number): JacobianPair {
  if (!Number.isInteger(width) || width < 1)
    throw new SpecError('jacobian-width', `got ${width}; allowed: an integer ≥ 1`);
  const square = { ...spec, width, inputs: width, outputs: width, batch: 1, repeat: 1 };
  // inputs and outputs follow the width: check the width first, so the message names it.
  const capped = Math.min(width, JACOBIAN_MAX_SIZE);
  checkJacobianSpec({ ...square, inputs: capped, outputs: capped });
  checkJacobianSpec(square);
  const elementwise = INITS[spec.init].distribution !== 'orthogonal';
  const sigmaW = effectiveSigmaW(square);
  const gaussian = validateSpec(
    elementwise ? square : { ...square, init: 'custom', gain: 1, sigmaW },
  );
  const orthogonal = validateSpec({ ...square, init: 'orthogonal', sigmaW: 1, gain: sigmaW });
  return {
    gaussian,
    orthogonal,
    sigmaW,
    gaussianLabel: elementwise ? `i.i.d. ${INITS[spec.init].label}` : 'Gaussian (custom)',
  };
}

/** The two Jacobian spectra of a spec, as the figures show them. */
export interface SpectrumPair {
  readonly pair: JacobianPair;
  readonly gaussian: JacobianSpectrum;
  readonly orthogonal: JacobianSpectrum;
}

/** Both spectra on one log chart, largest singular value first. */
export function spectrumChart(
  pair: JacobianPair,
  gaussian: JacobianSpectrum,
  orthogonal: JacobianSpectrum,
): ChartData {
  const count = Math.max(gaussian.singularValues.length, orthogonal.singularValues.length);
  return {
    x: Array.from({ length: count }, (_, i) => i + 1),
    series: [
      {
        label: `${pair.gaussianLabel}, σ_w = ${formatNumber(pair.sigmaW)}`,
        values: gaussian.singularValues,
      },
      { label: `orthogonal, gain ${formatNumber(pair.sigmaW)}`, values: orthogonal.singularValues },
    ],
  };
}

/** log₁₀(max/min): the spread of a spectrum in decades (∞ when J is singular). */
export function spreadDecades(spectrum: JacobianSpectrum): number {
  return Math.log10(spectrum.conditionNumber);
}

/** The activation's name with α where it has one. */
export function activationName(activation: ActivationName, alpha: number): string {
  const entry = ACTIVATIONS[activation];
  return entry.defaultAlpha === undefined ? entry.label : `${entry.label} (α = ${alpha})`;
}
