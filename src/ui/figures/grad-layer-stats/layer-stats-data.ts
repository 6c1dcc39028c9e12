/**
 * What grad-layer-stats compares: one per-layer statistic, one series per init or per
 * activation. Pure, so the shaping is tested without a DOM.
 */
import { INITS, type InitName } from '../../../engine/inits.ts';
import type { LayerStatistics } from '../../../engine/results.ts';
import { SpecError, type RunSpec } from '../../../engine/spec.ts';
import type { ChartData } from '../../grad-chart/chart-data.ts';
import { initRunSpec } from '../../grad-init-explorer/explorer-data.ts';
import type { LabState } from '../../lab/lab-state.ts';
import { activationLabel, planComparison, type FigureRuns } from '../../grad-norms/norms-data.ts';

export const LAYER_STATS = ['std', 'mean', 'dead', 'saturated', 'weight-grad', 'grad'] as const;
export type LayerStat = (typeof LAYER_STATS)[number];

export const COMPARE_BY = ['activations', 'inits'] as const;
export type CompareBy = (typeof COMPARE_BY)[number];

interface StatInfo {
  readonly field: keyof Pick<
    LayerStatistics,
    | 'activationStd'
    | 'activationMean'
    | 'deadFraction'
    | 'saturatedFraction'
    | 'weightGradNorm'
    | 'gradNorm'
  >;
  readonly label: string;
  readonly axis: string;
  readonly log: boolean;
  /** Hidden layers only (activations), or every layer with weights (gradients). */
  readonly hiddenOnly: boolean;
  readonly fraction: boolean;
}

export const STAT_INFO: Readonly<Record<LayerStat, StatInfo>> = {
  std: {
    field: 'activationStd',
    label: 'Std of a⁽ˡ⁾',
    axis: 'std of a⁽ˡ⁾',
    log: true,
    hiddenOnly: true,
    fraction: false,
  },
  mean: {
    field: 'activationMean',
    label: 'Mean of a⁽ˡ⁾',
    axis: 'mean of a⁽ˡ⁾',
    log: false,
    hiddenOnly: true,
    fraction: false,
  },
  dead: {
    field: 'deadFraction',
    label: 'Dead units (φ(z) = 0 on every sample)',
    axis: 'fraction of units',
    log: false,
    hiddenOnly: true,
    fraction: true,
  },
  saturated: {
    field: 'saturatedFraction',
    label: 'Saturated (|φ′(z)| ≤ 10⁻³·max|φ′|)',
    axis: 'fraction of unit–sample pairs',
    log: false,
    hiddenOnly: true,
    fraction: true,
  },
  'weight-grad': {
    field: 'weightGradNorm',
    label: 'Weight gradients ‖∂L/∂W⁽ˡ⁾‖',
    axis: '‖∂L/∂W⁽ˡ⁾‖',
    log: true,
    hiddenOnly: false,
    fraction: false,
  },
  grad: {
    field: 'gradNorm',
    label: 'Gradient norms ‖δ⁽ˡ⁾‖',
    axis: 'gradient norm ‖δ⁽ˡ⁾‖',
    log: true,
    hiddenOnly: false,
    fraction: false,
  },
};

/** A planned run with the label of its series. */
export interface LabelledRun {
  readonly key: string;
  readonly spec: RunSpec;
  readonly label: string;
  /** The init or activation: its hue in every chart. */
  readonly colorKey: string;
}

/** The runs: each init (the explorer's runs) or each activation (the comparison's), labelled. */
export function planLayerStats(
  state: LabState,
  by: CompareBy,
): { runs: LabelledRun[]; refused: string[] } {
  if (by === 'activations') {
    const { runs, refused }: FigureRuns = planComparison(state);
    return {
      runs: runs.map((run) => ({
        key: run.key,
        spec: run.spec,
        label: activationLabel(run.activation, run.spec.alpha),
        colorKey: run.activation,
      })),
      refused: [...refused],
    };
  }
  const runs: LabelledRun[] = [];
  const refused: string[] = [];
  for (const init of state.inits as readonly InitName[]) {
    try {
      const spec = initRunSpec(state.spec, init);
      runs.push({ key: JSON.stringify(spec), spec, label: INITS[init].label, colorKey: init });
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      refused.push(`${init} init not run: ${error.message}`);
    }
  }
  return { runs, refused };
}

/** One series per run that has arrived, over the layers the statistic covers. */
export function layerStatsChart(
  runs: readonly {
    readonly label: string;
    readonly colorKey?: string;
    /** Absent until the run has arrived: the series is then empty. */
    readonly stats?: LayerStatistics;
    readonly depth: number;
  }[],
  stat: LayerStat,
): ChartData {
  const info = STAT_INFO[stat];
  const count = (depth: number) => (info.hiddenOnly ? depth : depth + 1);
  const layers = Math.max(0, ...runs.map((run) => (run.stats ? count(run.depth) : 0)));
  return {
    x: Array.from({ length: layers }, (_, i) => i + 1),
    series: runs.map((run) => ({
      label: run.label,
      colorKey: run.colorKey,
      values: run.stats ? Array.from(run.stats[info.field].subarray(0, count(run.depth))) : [],
    })),
  };
}
