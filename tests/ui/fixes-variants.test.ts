/** The fixes section's runs: which networks it compares, and what it charts. */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../../src/engine/experiment.ts';
import { DEFAULT_SPEC, parseSpec } from '../../src/engine/spec.ts';
import {
  FIX_IDS,
  FIX_STAT_INFO,
  fixesChart,
  fixesTableRows,
  fixSettings,
  fixVariants,
  formatFixValue,
  planFixes,
  type FixRun,
} from '../../src/ui/grad-fixes/fix-variants.ts';
import { firstToLastRatio, gradientVerdict } from '../../src/engine/gradient-verdict.ts';

const small = parseSpec({
  activation: 'sigmoid',
  depth: 8,
  width: 16,
  inputs: 16,
  batch: 8,
  backend: 'cpu64',
});

describe('fixVariants', () => {
  it('the lab default (linear output) is the baseline plus one fix: no extra series', () => {
    const variants = fixVariants(DEFAULT_SPEC);
    expect(variants.map((v) => v.id)).toEqual([
      'baseline',
      'residual',
      'batchnorm',
      'linear-output',
    ]);
    expect(variants.map((v) => v.label)).toEqual([
      'no fixes',
      '+ residual',
      '+ batch norm',
      '+ linear output (your settings)',
    ]);
    expect(variants.filter((v) => v.chosen).map((v) => v.id)).toEqual(['linear-output']);
    const baseline = variants[0]!.spec!;
    expect([baseline.residual, baseline.batchnorm, baseline.outputActivation]).toEqual([
      false,
      false,
      'same',
    ]);
    expect(variants[2]!.spec!.batchnorm).toBe(true);
    expect(variants[2]!.spec!.outputActivation).toBe('same');
    // Everything else is the lab's spec.
    for (const v of variants) {
      expect({ ...v.spec!, residual: false, batchnorm: false, outputActivation: 'linear' }).toEqual(
        DEFAULT_SPEC,
      );
    }
  });

  it('adds the chosen combination when it is more than one fix', () => {
    const spec = { ...small, residual: true, batchnorm: true };
    expect(fixSettings(spec)).toEqual({ residual: true, batchnorm: true, linearOutput: true });
    const variants = fixVariants(spec);
    expect(variants.map((v) => v.id)).toEqual([
      'baseline',
      'residual',
      'batchnorm',
      'linear-output',
      'chosen',
    ]);
    const chosen = variants[4]!;
    expect(chosen.label).toBe('residual + batch norm + linear output (your settings)');
    expect(chosen.spec).toEqual(spec);
    expect(variants.filter((v) => v.chosen)).toHaveLength(1);
  });

  it('marks the baseline as chosen when every fix is off', () => {
    const variants = fixVariants({ ...small, outputActivation: 'same' });
    expect(variants[0]!.label).toBe('no fixes (your settings)');
    expect(variants).toHaveLength(4);
  });

  it('carries the validator’s message for batch norm of one sample, naming batchnorm', () => {
    const variants = fixVariants({ ...small, batch: 1 });
    const batchnorm = variants.find((v) => v.id === 'batchnorm')!;
    expect(batchnorm.spec).toBeNull();
    expect(batchnorm.problem).toMatch(/^batchnorm: needs batch ≥ 2 \(got batch 1\)/);
    expect(variants.filter((v) => v.problem !== null)).toHaveLength(1);
  });
});

describe('fixesChart', () => {
  it('charts each run’s per-layer statistics, one series per variant', async () => {
    const backend = createCpuBackend('f64');
    const runs: FixRun[] = [];
    for (const variant of fixVariants({ ...small, residual: true })) {
      runs.push({ variant, result: await runExperiment(variant.spec!, backend) });
    }
    expect(runs.map((r) => r.variant.id)).toEqual([
      'baseline',
      'residual',
      'batchnorm',
      'linear-output',
      'chosen',
    ]);
    const chart = fixesChart(runs, 'gradNorm');
    expect(Array.from(chart.x)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    chart.series.forEach((series, i) => {
      expect(series.label).toBe(runs[i]!.variant.label);
      expect(series.values).toBe(runs[i]!.result.stats.gradNorm);
    });
    expect(fixesChart(runs, 'saturatedFraction').series[0]!.values).toBe(
      runs[0]!.result.stats.saturatedFraction,
    );
    // The chapter's point, measured: sigmoid gradients vanish without fixes, residuals carry them.
    const baseline = runs[0]!.result.stats.gradNorm;
    const residual = runs[1]!.result.stats.gradNorm;
    expect(gradientVerdict(baseline).kind).toBe('vanishing');
    expect(firstToLastRatio(residual)).toBeGreaterThan(10 * firstToLastRatio(baseline));
  });
});

describe('planFixes', () => {
  it('lists the variants `fixes` names, in the chart’s order, and runs the runnable ones', () => {
    const spec = { ...small, residual: true };
    const all = planFixes(spec, FIX_IDS);
    expect(all.variants.map((v) => v.id)).toEqual([...FIX_IDS]);
    expect(all.runs.map((run) => run.variant.id)).toEqual([...FIX_IDS]);
    expect(all.runs[1]!.key).toBe(JSON.stringify(all.runs[1]!.spec));
    // Order follows the chart, not the list; a `chosen` the settings do not make is left out.
    const some = planFixes(small, ['linear-output', 'baseline', 'chosen']);
    expect(some.variants.map((v) => v.id)).toEqual(['baseline', 'linear-output']);
  });

  it('keeps a variant that cannot run, without a run', () => {
    const { variants, runs } = planFixes({ ...small, batch: 1 }, FIX_IDS);
    expect(variants.map((v) => v.id)).toEqual([
      'baseline',
      'residual',
      'batchnorm',
      'linear-output',
    ]);
    expect(runs.map((run) => run.variant.id)).toEqual(['baseline', 'residual', 'linear-output']);
  });

  it('names a chart per statistic, from the run statistics', () => {
    expect(FIX_STAT_INFO.grad.quantity).toBe('gradNorm');
    expect(FIX_STAT_INFO.dead.logY).toBe(false);
    expect(FIX_STAT_INFO.std.logY).toBe(true);
  });
});

describe('fixesTableRows', () => {
  it('gives each run ‖δ⁽¹⁾‖, the output layer’s, their ratio and the verdict', async () => {
    const backend = createCpuBackend('f64');
    const runs: FixRun[] = [];
    for (const variant of fixVariants(small).slice(0, 2)) {
      runs.push({ variant, result: await runExperiment(variant.spec!, backend) });
    }
    const rows = fixesTableRows(runs);
    expect(rows.map((row) => row.id)).toEqual(['baseline', 'residual']);
    const norms = runs[0]!.result.stats.gradNorm;
    expect(rows[0]!.first).toBe(norms[0]);
    expect(rows[0]!.output).toBe(norms[norms.length - 1]);
    expect(rows[0]!.ratio).toBe(firstToLastRatio(norms));
    expect(rows[0]!.verdict).toBe('vanishing');
    expect(rows[0]!.verdictText).toBe(gradientVerdict(norms).text);
    expect(formatFixValue(0.000123456)).toBe('0.0001235');
    expect(formatFixValue(0)).toBe('0');
    expect(formatFixValue(Infinity)).toBe('Infinity');
    expect(formatFixValue(NaN)).toBe('NaN');
  });
});
