/**
 * What the gradient-flow section runs and how its results become charts and the attenuation
 * table. Pure functions (no DOM), so the shaping is tested without a browser.
 *
 * Two sweeps share one set of runs: the depth sweep (the spec's activation at every depth in
 * `depths`, the chapter's §17.5 figure) and the activation comparison (every activation in
 * `activations` at the spec's depth, the chapter's 10-layer bar chart). Where they meet, the run
 * is made once.
 */
import { ACTIVATIONS, type ActivationName } from '../../engine/activations.ts';
import {
  ATTENUATION_TABLE_LAYERS,
  attenuationFromOutput,
  attenuationTable,
  maxAbsDerivative,
  nearestPowerOfTen,
} from '../../engine/attenuation.ts';
import type { RunResult } from '../../engine/results.ts';
import { INITS, RECOMMENDED_INIT, type InitName } from '../../engine/inits.ts';
import { DEFAULT_SPEC, SpecError, validateSpec, type RunSpec } from '../../engine/spec.ts';
import { powerOfTen, type ChartData, type ChartSeries } from '../grad-chart/chart-data.ts';
import type { LabState } from '../lab/lab-state.ts';

/** The depth sweep's x axis: the chapter's layer index, or layers counted down from the output. */
export const SWEEP_AXES = ['layer', 'below-output'] as const;
export type SweepAxis = (typeof SWEEP_AXES)[number];

export interface PlannedRun {
  readonly activation: ActivationName;
  readonly depth: number;
  readonly spec: RunSpec;
  /** Identifies the run: equal specs share one run and one cache entry. */
  readonly key: string;
}

export interface RunPlan {
  /** The spec's activation at each depth of the sweep, in the order given. */
  readonly sweep: readonly PlannedRun[];
  /** Each compared activation at the spec's depth, in the order given. */
  readonly comparison: readonly PlannedRun[];
  /** Every distinct run, each once. */
  readonly unique: readonly PlannedRun[];
  /** Runs that could not be made (e.g. over the memory budget), with the reason. */
  readonly refused: readonly string[];
}

/**
 * The spec of one run: the lab's spec at another depth and activation. α is the spec's own where
 * the activation is the spec's, otherwise the activation's default (0 where it has none, which
 * parseSpec requires).
 */
export function runSpecFor(spec: RunSpec, activation: ActivationName, depth: number): RunSpec {
  const alpha =
    activation === spec.activation ? spec.alpha : (ACTIVATIONS[activation].defaultAlpha ?? 0);
  return { ...spec, depth, activation, alpha };
}

export const runKey = (spec: RunSpec): string => JSON.stringify(spec);

/** The runs one figure needs, and those it could not make (named, with the reason). */
export interface FigureRuns {
  readonly runs: readonly PlannedRun[];
  readonly refused: readonly string[];
}

/** The depth sweep's runs: the spec's activation at every depth of the list. */
export function planDepthSweep(state: LabState): FigureRuns {
  const { sweep, refused } = planRuns({ ...state, activations: [] });
  return { runs: sweep, refused };
}

/**
 * How the comparison pairs activations and inits: every activation with the spec's init
 * (`shared`), or each with the init made for it (`recommended`: sigmoid with Xavier, ReLU with
 * He; see RECOMMENDED_INIT).
 */
export const PAIRINGS = ['shared', 'recommended'] as const;
export type Pairing = (typeof PAIRINGS)[number];

/** The activation comparison's runs: every listed activation at the spec's depth. */
export function planComparison(state: LabState, pairing: Pairing = 'shared'): FigureRuns {
  if (pairing === 'shared') {
    const { comparison, refused } = planRuns({ ...state, depths: [] });
    return { runs: comparison, refused };
  }
  const runs: PlannedRun[] = [];
  const refused: string[] = [];
  for (const activation of state.activations) {
    const init = RECOMMENDED_INIT[activation];
    const spec = {
      ...runSpecFor(state.spec, activation, state.spec.depth),
      init,
      sigmaW: DEFAULT_SPEC.sigmaW,
      gain: DEFAULT_SPEC.gain,
    };
    try {
      validateSpec(spec);
      runs.push({ activation, depth: spec.depth, spec, key: runKey(spec) });
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      refused.push(`${activation} with ${init} init not run: ${error.message}`);
    }
  }
  return { runs, refused };
}

/** The runs the section needs for a lab state; specs that fail validation are refused, named. */
export function planRuns(state: LabState): RunPlan {
  const refused: string[] = [];
  const unique = new Map<string, PlannedRun>();
  const plan = (activation: ActivationName, depth: number): PlannedRun | null => {
    const spec = runSpecFor(state.spec, activation, depth);
    try {
      validateSpec(spec);
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      const message = `${activation} at depth ${depth} not run: ${error.message}`;
      if (!refused.includes(message)) refused.push(message);
      return null;
    }
    const key = runKey(spec);
    const run = unique.get(key) ?? { activation, depth, spec, key };
    unique.set(key, run);
    return run;
  };
  const sweep = state.depths
    .map((depth) => plan(state.spec.activation, depth))
    .filter((run) => run !== null);
  const comparison = state.activations
    .map((activation) => plan(activation, state.spec.depth))
    .filter((run) => run !== null);
  return { sweep, comparison, unique: [...unique.values()], refused };
}

export interface SweepResult {
  readonly depth: number;
  readonly result: RunResult;
}

export interface ComparisonResult {
  readonly activation: ActivationName;
  readonly alpha: number;
  readonly result: RunResult;
  /** The run's init, where the comparison pairs each activation with its own. */
  readonly init?: InitName;
}

/**
 * A planned run and its result once it has arrived. Charts draw every slot from the first result
 * on (a series without its result is empty), so their legends and series do not change as the
 * rest arrive: the chart only takes new data.
 */
export type Slot<T extends { readonly result: RunResult }> = Omit<T, 'result'> & {
  readonly result?: RunResult;
};

/** The section's data: what has been computed so far for the current plan. */
export interface GradNormsResults {
  readonly sweep: readonly SweepResult[];
  readonly comparison: readonly ComparisonResult[];
  /** Every planned run has its result. */
  readonly complete: boolean;
}

/** Every planned run of a sweep, with its result where it has arrived. */
export function sweepSlots(
  runs: readonly PlannedRun[],
  lookup: (key: string) => RunResult | undefined,
): Slot<SweepResult>[] {
  return runs.map((run) => ({ depth: run.depth, result: lookup(run.key) }));
}

/** Every planned run of a comparison, with its result where it has arrived. */
export function comparisonSlots(
  runs: readonly PlannedRun[],
  lookup: (key: string) => RunResult | undefined,
): Slot<ComparisonResult>[] {
  return runs.map((run) => ({
    activation: run.activation,
    alpha: run.spec.alpha,
    result: lookup(run.key),
    init: run.spec.init,
  }));
}

/** The results of a figure's runs that have arrived, in the plan's order. */
export function sweepResults(
  runs: readonly PlannedRun[],
  lookup: (key: string) => RunResult | undefined,
): SweepResult[] {
  return runs.flatMap((run) => {
    const result = lookup(run.key);
    return result ? [{ depth: run.depth, result }] : [];
  });
}

export function comparisonResults(
  runs: readonly PlannedRun[],
  lookup: (key: string) => RunResult | undefined,
): ComparisonResult[] {
  return runs.flatMap((run) => {
    const result = lookup(run.key);
    return result ? [{ activation: run.activation, alpha: run.spec.alpha, result }] : [];
  });
}

export function collectResults(
  plan: RunPlan,
  lookup: (key: string) => RunResult | undefined,
): GradNormsResults {
  return {
    sweep: sweepResults(plan.sweep, lookup),
    comparison: comparisonResults(plan.comparison, lookup),
    complete: plan.unique.every((run) => lookup(run.key) !== undefined),
  };
}

/** Whether the comparison's runs use different inits (then each series names its own). */
function pairedInits(comparison: readonly { readonly init?: InitName }[]): boolean {
  return new Set(comparison.map((c) => c.init)).size > 1;
}

const withInit = (label: string, init: InitName | undefined, named: boolean): string =>
  named && init ? `${label} + ${INITS[init].label.replace(/ \(.*\)$/, '')}` : label;

/** An activation's name as the charts show it, with α where it has one. */
export function activationLabel(activation: ActivationName, alpha: number): string {
  const entry = ACTIVATIONS[activation];
  return entry.defaultAlpha === undefined ? entry.label : `${entry.label} (α = ${alpha})`;
}

const range = (from: number, count: number): number[] =>
  Array.from({ length: count }, (_, i) => from + i);

/**
 * The depth sweep: ‖δ⁽ˡ⁾‖ per layer, one series per depth. 'below-output' puts every depth's
 * output layer at x = 0 and counts layers k down towards the input, so the depths share one axis
 * (and the bound's); 'layer' is the chapter's axis, layer 1 = closest to the input. A shallower
 * network's series is shorter than x: it ends where its layers end.
 */
export function depthSweepChart(sweep: readonly Slot<SweepResult>[], axis: SweepAxis): ChartData {
  const maxLayers = Math.max(0, ...sweep.map((s) => s.result?.stats.layerCount ?? 0));
  const series: ChartSeries[] = sweep.map(({ depth, result }) => {
    const norms = result?.stats.gradNorm ?? [];
    return {
      label: `${depth} hidden layer${depth === 1 ? '' : 's'}`,
      values: axis === 'layer' ? Array.from(norms) : Array.from(norms).reverse(),
    };
  });
  return { x: axis === 'layer' ? range(1, maxLayers) : range(0, maxLayers), series };
}

/** One statistic per layer (x = layer, 1 = closest to the input), one series per activation. */
export function comparisonChart(
  comparison: readonly Slot<ComparisonResult>[],
  statistic: 'gradNorm' | 'weightGradNorm',
): ChartData {
  const layers = Math.max(0, ...comparison.map((c) => c.result?.stats.layerCount ?? 0));
  return {
    x: range(1, layers),
    series: comparison.map(({ activation, alpha, result, init }) => ({
      label: withInit(activationLabel(activation, alpha), init, pairedInits(comparison)),
      colorKey: activation,
      values: result ? Array.from(result.stats[statistic]) : [],
    })),
  };
}

/**
 * Attenuation k layers below the output: measured ‖δ⁽ᴸ⁻ᵏ⁾‖/‖δ⁽ᴸ⁾‖ per activation, then the
 * chapter's bound (max|f′|)^k, one series per distinct max|f′| (tanh and ReLU share the bound 1).
 */
export function attenuationChart(comparison: readonly Slot<ComparisonResult>[]): ChartData {
  const layers = Math.max(0, ...comparison.map((c) => c.result?.stats.layerCount ?? 0));
  const x = range(0, layers);
  const measured: ChartSeries[] = comparison.map(({ activation, alpha, result }) => ({
    label: `${activationLabel(activation, alpha)}: measured`,
    colorKey: activation,
    values: result ? Array.from(attenuationFromOutput(result.stats.gradNorm)) : [],
  }));
  const bounds = new Map<string, { max: number; names: string[]; first: ActivationName }>();
  for (const { activation, alpha } of comparison) {
    const max = maxAbsDerivative(activation, alpha);
    const key = formatFactor(max);
    const entry = bounds.get(key) ?? { max, names: [], first: activation };
    entry.names.push(activationLabel(activation, alpha));
    bounds.set(key, entry);
  }
  // Each bound in the hue of the (first) activation it bounds, dashed beside its measurement.
  const boundSeries: ChartSeries[] = [...bounds].map(([text, { max, names, first }]) => ({
    label: `bound ${text}^k: ${names.join(', ')}`,
    colorKey: first,
    values: x.map((k) => max ** k),
    dashed: true,
  }));
  return { x, series: [...measured, ...boundSeries] };
}

export interface AttenuationColumn {
  readonly label: string;
  readonly maxAbsDerivative: number;
}

export interface AttenuationCell {
  readonly bound: number;
  /** ‖δ⁽ᴸ⁻ᵏ⁾‖/‖δ⁽ᴸ⁾‖ from the run, or undefined where the network has fewer than k layers. */
  readonly measured: number | undefined;
}

export interface AttenuationTableData {
  readonly columns: readonly AttenuationColumn[];
  readonly rows: readonly {
    readonly layers: number;
    readonly inChapter: boolean;
    readonly cells: readonly AttenuationCell[];
  }[];
}

/** The chapter's attenuation table for k = 1..20, each activation's bound beside its measurement. */
export function attenuationTableData(
  comparison: readonly ComparisonResult[],
  maxLayers: number = ATTENUATION_TABLE_LAYERS,
): AttenuationTableData {
  const choices = comparison.map(({ activation, alpha }) => ({ activation, alpha }));
  const measured = comparison.map((c) => attenuationFromOutput(c.result.stats.gradNorm));
  return {
    columns: comparison.map(({ activation, alpha }) => ({
      label: activationLabel(activation, alpha),
      maxAbsDerivative: maxAbsDerivative(activation, alpha),
    })),
    rows: attenuationTable(choices, maxLayers).map((row) => ({
      layers: row.layers,
      inChapter: row.inChapter,
      cells: row.bounds.map((bound, i) => ({ bound, measured: measured[i]![row.layers] })),
    })),
  };
}

export { powerOfTen };

function nonFiniteText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '∞' : '−∞';
}

function mantissaTimesPower(value: number, digits: number): string {
  const [mantissa, exponent] = value.toExponential(digits).split('e') as [string, string];
  return `${mantissa} × ${powerOfTen(Number(exponent))}`;
}

/**
 * The chapter's "attenuation factor" column: three significant digits, plain from 0.01 up to
 * 10⁴ (0.25, 0.0156), a power of ten beyond (9.77 × 10⁻⁴). Non-finite values are shown as such.
 */
export function formatFactor(value: number): string {
  if (!Number.isFinite(value)) return nonFiniteText(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 0.01 && magnitude < 1e4) return String(Number(value.toPrecision(3)));
  return mantissaTimesPower(value, 2);
}

/** The chapter's "scientific notation" column: 2.5 × 10⁻¹, and the nearest power, ≈ 10⁻⁶. */
export function formatScientific(value: number): string {
  if (!Number.isFinite(value)) return nonFiniteText(value);
  if (value === 0) return '0';
  const nearest = nearestPowerOfTen(value);
  const text = mantissaTimesPower(value, 1);
  return Number.isNaN(nearest) ? text : `${text} ≈ ${powerOfTen(nearest)}`;
}
