/**
 * The summary of an imported run: what the model is, which steps were recorded, the mean-field
 * phase where it applies, the flags and the problems. The CLI prints it (`import FILE --json`);
 * the lab shows the same object above its figures.
 */
import type { ActivationName } from '../engine/activations.ts';
import type { Phase } from '../engine/theory.ts';
import type { ImportedRun } from './run-data.ts';
import type { RunParseResult } from './run-parser.ts';
import type { RunLayerType, RunProblem } from './run-format.ts';
import { runFlags, type RunFlag } from './run-flags.ts';
import { meanFieldComparison, type MeanFieldResult } from './run-theory.ts';

export interface RunSummaryLayer {
  readonly layer: number;
  readonly name: string;
  readonly type: RunLayerType;
  readonly units: number;
  readonly outputShape: readonly number[];
  /** The activation module's PyTorch class, or null where none was identified. */
  readonly activation: string | null;
  readonly gradlabActivation: ActivationName | null;
}

export type RunSummaryMeanField =
  | {
      readonly applicable: true;
      readonly activation: ActivationName;
      readonly alpha: number | null;
      readonly step: number;
      readonly sigmaW: number;
      readonly sigmaB: number;
      readonly qStar: number;
      readonly chi1: number;
      readonly phase: Phase;
      readonly gradientTrend: string;
      readonly depthScale: number;
      /** Per layer: measured and predicted ‖δ⁽ˡ⁾‖ at `step`. */
      readonly layers: readonly { layer: number; measured: number; predicted: number }[];
    }
  | { readonly applicable: false; readonly reason: string };

export interface RunSummary {
  readonly format: string;
  readonly version: number;
  readonly model: string | null;
  readonly torch: string | null;
  readonly created: string | null;
  readonly layers: readonly RunSummaryLayer[];
  readonly steps: {
    readonly first: number | null;
    readonly last: number | null;
    readonly every: number;
    readonly recorded: number;
    readonly total: number | null;
  };
  /** Whether the file ends with the recorder's end line. */
  readonly complete: boolean;
  readonly loss: { readonly first: number | null; readonly last: number | null };
  readonly meanField: RunSummaryMeanField;
  readonly flags: readonly RunFlag[];
  readonly problems: readonly RunProblem[];
  readonly problemCount: number;
}

function summarizeMeanField(result: MeanFieldResult): RunSummaryMeanField {
  if (!result.applicable) return result;
  const { theory } = result;
  return {
    applicable: true,
    activation: result.activation,
    alpha: result.alpha ?? null,
    step: result.step,
    sigmaW: result.hiddenSigmaW,
    sigmaB: result.hiddenSigmaB,
    qStar: theory.qStar,
    chi1: theory.chi1,
    phase: theory.phase,
    gradientTrend: theory.depthScales.gradientTrend,
    depthScale: theory.depthScale,
    layers: Array.from(result.measuredGradNorm, (measured, i) => ({
      layer: i + 1,
      measured,
      predicted: result.predictedGradNorm[i]!,
    })),
  };
}

/** The summary of a run read without a fatal problem. */
export function summarizeRun(
  run: ImportedRun,
  parse: Pick<RunParseResult, 'problems' | 'problemCount'>,
  meanField: MeanFieldResult = meanFieldComparison(run),
): RunSummary {
  const { header } = run;
  const n = run.recordCount;
  const lossAt = (r: number) => (n === 0 || run.lossMissing[r] ? null : run.loss[r]!);
  return {
    format: header.format,
    version: header.version,
    model: header.model,
    torch: header.torch,
    created: header.created,
    layers: header.layers.map((l) => ({
      layer: l.index,
      name: l.name,
      type: l.type,
      units: l.units,
      outputShape: l.outputShape,
      activation: l.activation?.type ?? null,
      gradlabActivation: l.activation?.gradlab ?? null,
    })),
    steps: {
      first: n ? run.steps[0]! : null,
      last: n ? run.steps[n - 1]! : null,
      every: header.steps.every,
      recorded: n,
      total: header.steps.total,
    },
    complete: run.complete,
    loss: { first: lossAt(0), last: lossAt(n - 1) },
    meanField: summarizeMeanField(meanField),
    flags: runFlags(run),
    problems: parse.problems,
    problemCount: parse.problemCount,
  };
}
