/**
 * The init explorer's data, without a DOM: the spec of each init's run, and what the charts and
 * tables show of its per-layer statistics (Exercise 17.5: the distribution of the activations in
 * every hidden layer under normal, Xavier and He initialization, and which keeps the variance).
 */
import type { ActivationName } from '../../engine/activations.ts';
import { INITS, type InitName } from '../../engine/inits.ts';
import type { LayerStatistics } from '../../engine/results.ts';
import { DEFAULT_SPEC, SpecError, validateSpec, type RunSpec } from '../../engine/spec.ts';
import type { ChartData, HeatmapColumn } from '../grad-chart/chart-data.ts';

/** The exercise's depths (hidden layers). */
export const EXERCISE_DEPTHS: readonly number[] = [10, 20, 50];

/** One init's run: the spec it ran with and its statistics. */
export interface InitRun {
  readonly init: InitName;
  readonly spec: RunSpec;
  readonly stats: LayerStatistics;
}

/**
 * The lab's spec with `init` swapped in, as a figure of that init is handed it. σ_w and the gain
 * apply to their own init only (the spec rejects them elsewhere), so the others get the defaults.
 * Not validated: the figure's run (initRunSpec) is.
 */
export function initSpec(base: RunSpec, init: InitName): RunSpec {
  return {
    ...base,
    init,
    sigmaW: init === 'custom' ? base.sigmaW : DEFAULT_SPEC.sigmaW,
    gain: init === 'orthogonal' ? base.gain : DEFAULT_SPEC.gain,
  };
}

/**
 * The spec of one init's run: initSpec, validated, with one timed repeat, which is enough since
 * the explorer shows statistics, not timings. Throws SpecError.
 */
export function initRunSpec(base: RunSpec, init: InitName): RunSpec {
  return validateSpec({ ...initSpec(base, init), repeat: 1 });
}

/** One init's planned run: equal keys are one run (shared between the explorer's figures). */
export interface PlannedInitRun {
  readonly init: InitName;
  readonly key: string;
  readonly spec: RunSpec;
}

/**
 * The runs of every listed init, in the list's order, and a message for each init whose spec
 * the validator refused (naming the field).
 */
export function planInitRuns(
  base: RunSpec,
  inits: readonly InitName[],
): { runs: PlannedInitRun[]; refused: string[] } {
  const runs: PlannedInitRun[] = [];
  const refused: string[] = [];
  for (const init of inits) {
    try {
      const spec = initRunSpec(base, init);
      runs.push({ init, key: JSON.stringify(spec), spec });
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      refused.push(`${INITS[init].label} not run: ${error.message}`);
    }
  }
  return { runs, refused };
}

/** Layers 1…depth: the hidden layers. The output layer (its own width and unit) is left out. */
export function hiddenLayerNumbers(spec: RunSpec): number[] {
  return Array.from({ length: spec.depth }, (_, i) => i + 1);
}

/**
 * One heat-map column per hidden layer: the engine's histogram of a⁽ˡ⁾, bins equal in width from
 * the layer's smallest to its largest finite activation. Where that range is too narrow to bin
 * (the engine's rule: (max − min)/2 < 2⁻⁶⁴, e.g. a layer of exact zeros) every finite value is in
 * bin 0, so the column is one cell from min to max holding them all. A layer with no finite
 * activation has no range: lo and hi are NaN and the column is empty.
 */
export function histogramColumns(stats: LayerStatistics, layers: number): HeatmapColumn[] {
  const { bins, min, max, counts } = stats.histograms;
  const columns: HeatmapColumn[] = [];
  for (let i = 0; i < layers; i++) {
    const lo = min[i]!;
    const hi = max[i]!;
    const layerCounts = counts.subarray(i * bins, (i + 1) * bins);
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
      columns.push({ lo: NaN, hi: NaN, values: [] });
    } else if (!(hi / 2 - lo / 2 >= 2 ** -64)) {
      columns.push({ lo, hi, values: [layerCounts.reduce((sum, count) => sum + count, 0)] });
    } else columns.push({ lo, hi, values: Array.from(layerCounts) });
  }
  return columns;
}

/** The heat-map of histograms with mean and mean ± std of a⁽ˡ⁾ drawn over it. */
export function distributionChartData(run: InitRun): ChartData {
  const layers = run.spec.depth;
  const { activationMean, activationStd } = run.stats;
  const mean = Array.from(activationMean.subarray(0, layers));
  const std = Array.from(activationStd.subarray(0, layers));
  return {
    x: hiddenLayerNumbers(run.spec),
    series: [
      { label: 'mean', values: mean },
      { label: 'mean + std', values: mean.map((m, i) => m + std[i]!) },
      { label: 'mean − std', values: mean.map((m, i) => m - std[i]!) },
    ],
    heatmap: {
      label: 'activations per bin',
      columns: histogramColumns(run.stats, layers),
      normalize: 'column',
    },
  };
}

/** A per-layer statistic the explorer compares across inits (grad-layer-stats draws them). */
export type LayerQuantity = 'activationStd' | 'deadFraction' | 'saturatedFraction';

/** True when two or more runs have exactly the same values of `quantity` in every hidden layer. */
export function seriesCoincide(runs: readonly InitRun[], quantity: LayerQuantity): boolean {
  if (runs.length < 2) return false;
  const [first, ...rest] = runs;
  const depth = first!.spec.depth;
  return rest.every((run) => {
    for (let i = 0; i < depth; i++) {
      if (!Object.is(run.stats[quantity][i], first!.stats[quantity][i])) return false;
    }
    return true;
  });
}

/**
 * Activations whose zero set and derivative depend on the sign of z alone (φ(cz) = c·φ(z) for
 * c > 0, or a step): scaling a layer's weights leaves the dead and saturated units unchanged.
 */
const SIGN_DETERMINED: readonly ActivationName[] = ['relu', 'leaky_relu', 'linear', 'step'];

/**
 * Whether the runs differ only in the scale of each layer's weights, so that a sign-determined
 * activation must give every init the same dead and saturated units: inits drawn as
 * scale × the same standard normals (one seed), zero biases, no residual sums of differently
 * scaled terms (problem.ts draws every normal init this way).
 */
export function fractionsScaleInvariant(runs: readonly InitRun[]): boolean {
  const spec = runs[0]?.spec;
  return (
    spec !== undefined &&
    SIGN_DETERMINED.includes(spec.activation) &&
    spec.sigmaB === 0 &&
    !spec.residual &&
    runs.every((run) => INITS[run.init].distribution === 'normal')
  );
}

/** Hidden layers that had NaN or ±∞ activations, and how many in all (never hidden). */
export function nonFiniteLayers(run: InitRun): { layers: number[]; count: number } {
  const layers: number[] = [];
  let count = 0;
  for (let i = 0; i < run.spec.depth; i++) {
    const n = run.stats.histograms.nonFinite[i]!;
    if (n > 0) {
      layers.push(i + 1);
      count += n;
    }
  }
  return { layers, count };
}

/** One hidden layer's row of an init's per-layer table (grad-init-layer-table). */
export interface InitLayerRow {
  readonly layer: number;
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  readonly deadFraction: number;
  readonly saturatedFraction: number;
  /** NaN or ±∞ activations in the layer. */
  readonly nonFinite: number;
}

/** The rows of an init's per-layer table: every hidden layer, the output layer left out. */
export function initLayerRows(run: InitRun): InitLayerRow[] {
  const { stats } = run;
  return hiddenLayerNumbers(run.spec).map((layer, i) => ({
    layer,
    mean: stats.activationMean[i]!,
    std: stats.activationStd[i]!,
    min: stats.histograms.min[i]!,
    max: stats.histograms.max[i]!,
    deadFraction: stats.deadFraction[i]!,
    saturatedFraction: stats.saturatedFraction[i]!,
    nonFinite: stats.histograms.nonFinite[i]!,
  }));
}

/** "3, 5–9, 12": layer numbers with runs collapsed. */
export function formatLayerList(layers: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < layers.length;) {
    let j = i;
    while (j + 1 < layers.length && layers[j + 1] === layers[j]! + 1) j++;
    parts.push(i === j ? String(layers[i]) : `${layers[i]}–${layers[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** How one init carried the activation variance from the first hidden layer to the last. */
export interface VarianceSummary {
  readonly init: InitName;
  readonly firstStd: number;
  readonly middleStd: number;
  readonly lastStd: number;
  /** Var(a⁽ᴸ⁾) / Var(a⁽¹⁾), L = depth; NaN or ±∞ when a std overflowed or the first is 0. */
  readonly varianceRatio: number;
  readonly lastDeadFraction: number;
  readonly lastSaturatedFraction: number;
  /** NaN or ±∞ activations over all hidden layers. */
  readonly nonFinite: number;
}

/** The middle hidden layer (layer ⌈depth/2⌉). */
export const middleLayer = (depth: number): number => Math.ceil(depth / 2);

export function varianceSummary(run: InitRun): VarianceSummary {
  const { activationStd, deadFraction, saturatedFraction } = run.stats;
  const last = run.spec.depth - 1;
  const firstStd = activationStd[0]!;
  const lastStd = activationStd[last]!;
  return {
    init: run.init,
    firstStd,
    middleStd: activationStd[middleLayer(run.spec.depth) - 1]!,
    lastStd,
    varianceRatio: (lastStd / firstStd) ** 2,
    lastDeadFraction: deadFraction[last]!,
    lastSaturatedFraction: saturatedFraction[last]!,
    nonFinite: nonFiniteLayers(run).count,
  };
}

/**
 * The init whose variance ratio is closest to 1 (|log ratio| smallest): the exercise's "which
 * maintains the activation variance best", answered from the runs. Runs whose ratio is not a
 * positive finite number (overflow, or a first layer without spread) never win; undefined when
 * none qualifies.
 */
export function bestVarianceKeeper(
  summaries: readonly VarianceSummary[],
): VarianceSummary | undefined {
  let best: VarianceSummary | undefined;
  for (const summary of summaries) {
    const ratio = summary.varianceRatio;
    if (!(ratio > 0 && Number.isFinite(ratio)) || summary.nonFinite > 0) continue;
    if (!best || Math.abs(Math.log(ratio)) < Math.abs(Math.log(best.varianceRatio))) best = summary;
  }
  return best;
}

/** A statistic for a table cell: 4 significant digits (exponent form when large), or "non-finite". */
export function formatStatistic(value: number): string {
  if (!Number.isFinite(value)) return 'non-finite';
  return value === 0 ? '0' : value.toPrecision(4).replace('e+', 'e');
}

/** A fraction as a percentage with one decimal, or "non-finite". */
export function formatFraction(value: number): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)} %` : 'non-finite';
}
