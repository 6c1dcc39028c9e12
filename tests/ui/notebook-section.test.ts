/** The notebook section's pure parts: the worker adapter, the figures, the formats, the variants. */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { runExperiment, runProblemOn } from '../../src/engine/experiment.ts';
import { runNotebook, type NotebookReport } from '../../src/engine/notebook.ts';
import type { Problem } from '../../src/engine/problem.ts';
import type { BackendName, RunSpec } from '../../src/engine/spec.ts';
import { gradientVerdict } from '../../src/engine/gradient-verdict.ts';
import {
  CHAPTER_TEN_LAYER_RELU,
  chapterPrintout,
  countZeros,
  depthSweepChart,
  depthSweepColumns,
  hiddenDeadFraction,
  initScaleRatio,
  NOTEBOOK_VARIANTS,
  outputPreActivation,
  pythonRepr,
  pythonScientific,
  sameNorms,
  sixDigits,
  tenLayerChart,
  variantsChart,
  zeroSentences,
  type VariantResult,
} from '../../src/ui/grad-notebook/notebook-figures.ts';
import { taskBackend } from '../../src/ui/grad-notebook/task-backend.ts';

const reference = runNotebook(createCpuBackend('f64'));

describe('taskBackend', () => {
  it('runs the engine’s notebook on cpu64, the ten-layer runs as specs, and gets the same numbers', async () => {
    const calls: string[] = [];
    const cpu64 = createCpuBackend('f64');
    const backend = taskBackend({
      runProblem: (problem: Problem, name: BackendName) => {
        calls.push(`problem ${name}`);
        return runProblemOn(problem, cpu64);
      },
      // What the worker does with a spec: draws its problem there and runs it.
      run: async (spec: RunSpec) => {
        calls.push(`spec ${spec.backend}`);
        return runExperiment(spec, cpu64);
      },
    });
    const report = await runNotebook(backend);
    // The depth sweep's eight networks share one stream, drawn on the page; the ten-layer runs
    // reseed per activation, so each is its spec's own and is drawn where it runs.
    expect(calls).toEqual([...Array(8).fill('problem cpu64'), ...Array(2).fill('spec cpu64')]);
    expect(report).toEqual(await reference);
  });

  it('passes a failed run on as the notebook’s error', async () => {
    const fail = () => Promise.reject(new Error('runProblem is not implemented yet'));
    const backend = taskBackend({ runProblem: fail, run: fail });
    await expect(runNotebook(backend)).rejects.toThrow('not implemented');
  });
});

describe('figures', () => {
  it('figure 1 has one series per depth, each as long as its network, on layers 1…21', async () => {
    const report = await reference;
    const chart = depthSweepChart(report, 'sigmoid');
    expect(Array.from(chart.x)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(chart.series.map((s) => s.label)).toEqual([
      '3 hidden layers',
      '5 hidden layers',
      '10 hidden layers',
      '20 hidden layers',
    ]);
    expect(chart.series.map((s) => s.values.length)).toEqual([4, 6, 11, 21]);
    expect(chart.series[3]!.values).toBe(report.depthSweep.sigmoid['20']);
    expect(depthSweepChart(report, 'relu').series[0]!.values).toBe(report.depthSweep.relu['3']);
  });

  it('figure 2 shows sigmoid beside ReLU, and the ReLU run is eleven exact zeros', async () => {
    const report = await reference;
    const chart = tenLayerChart(report);
    expect(chart.series.map((s) => s.label)).toEqual(['Sigmoid', 'ReLU']);
    expect(chart.x).toHaveLength(11);
    expect(countZeros(chart.series[1]!.values)).toBe(11);
    expect(countZeros(chart.series[0]!.values)).toBe(0);
  });

  it('says in words which series a log axis cannot draw', async () => {
    const report = await reference;
    expect(zeroSentences(tenLayerChart(report), 'norms')).toEqual([
      'ReLU: all 11 norms are exactly 0, so none can be drawn on the log axis.',
    ]);
    expect(zeroSentences(depthSweepChart(report, 'relu'), 'norms')).toEqual([]);
    expect(zeroSentences({ x: [1, 2], series: [{ label: 'a', values: [0, 1] }] }, 'norms')).toEqual(
      ['a: 1 of 2 norms are exactly 0 and are not drawn.'],
    );
  });

  it('figure 1’s table has one column per network, sigmoid’s depths first', async () => {
    const report = await reference;
    const columns = depthSweepColumns(report);
    expect(columns.map((c) => `${c.activation}-${c.depth}`)).toEqual([
      'sigmoid-3',
      'sigmoid-5',
      'sigmoid-10',
      'sigmoid-20',
      'relu-3',
      'relu-5',
      'relu-10',
      'relu-20',
    ]);
    expect(columns[7]!.values).toBe(report.depthSweep.relu['20']);
  });

  it('prints what the chapter’s cell prints, in Python’s format', async () => {
    const report: NotebookReport = await reference;
    const lines = chapterPrintout(report);
    const sigmoid = report.tenLayer.sigmoid;
    expect(lines).toEqual([
      `Sigmoid: gradient at layer 1 is ${pythonScientific(sigmoid[0]!, 2)}, at layer 11 is ${pythonScientific(sigmoid[10]!, 2)}`,
      'ReLU:    gradient at layer 1 is 0.00e+00, at layer 11 is 0.00e+00',
      `Sigmoid ratio (layer 1 / layer 11): ${pythonScientific(sigmoid[0]! / sigmoid[10]!, 1)}`,
    ]);
    expect(lines[0]).toMatch(/^Sigmoid: gradient at layer 1 is \d\.\d\de-08, at layer 11 is /);
  });
});

describe('Python number formats', () => {
  it('writes repr() as Python does', () => {
    expect(pythonRepr(9.594036958414931e-8)).toBe('9.594036958414931e-08');
    expect(pythonRepr(0.000041466225529989695)).toBe('4.1466225529989695e-05');
    expect(pythonRepr(0.0001)).toBe('0.0001');
    expect(pythonRepr(0.00012)).toBe('0.00012');
    expect(pythonRepr(0.5)).toBe('0.5');
    expect(pythonRepr(1)).toBe('1.0');
    expect(pythonRepr(123.25)).toBe('123.25');
    expect(pythonRepr(1e15)).toBe('1000000000000000.0');
    expect(pythonRepr(1e16)).toBe('1e+16');
    expect(pythonRepr(1.5e-30)).toBe('1.5e-30');
    expect(pythonRepr(-2.5)).toBe('-2.5');
    expect(pythonRepr(-0.000012)).toBe('-1.2e-05');
    expect(pythonRepr(0)).toBe('0.0');
    expect(pythonRepr(NaN)).toBe('nan');
    expect(pythonRepr(-Infinity)).toBe('-inf');
  });

  it('reads back exactly', async () => {
    const report = await reference;
    const values = Object.values(report.depthSweep).flatMap((runs) => Object.values(runs).flat());
    for (const value of values) expect(Number(pythonRepr(value))).toBe(value);
  });

  it('writes .2e with a two-digit exponent', () => {
    expect(pythonScientific(7.574409623651939e-8, 2)).toBe('7.57e-08');
    expect(pythonScientific(0, 2)).toBe('0.00e+00');
    expect(pythonScientific(0.13951083471588105, 2)).toBe('1.40e-01');
    expect(pythonScientific(5.4e-7, 1)).toBe('5.4e-07');
    expect(pythonScientific(123456, 1)).toBe('1.2e+05');
  });
});

describe('what changes', () => {
  it('the chapter’s ten-layer ReLU spec, run as a plain spec, is the notebook’s run exactly', async () => {
    const report = await reference;
    const result = await runExperiment(CHAPTER_TEN_LAYER_RELU, createCpuBackend('f64'));
    expect(sameNorms(result.stats.gradNorm, report.tenLayer.relu)).toBe(true);
    expect(result.stats.deadFraction[10]).toBe(1);
  });

  it('explains the zeros: the output pre-activation is negative, under Xavier and He alike', async () => {
    const backend = createCpuBackend('f64');
    const results: VariantResult[] = [];
    for (const variant of NOTEBOOK_VARIANTS) {
      results.push({ variant, result: await runExperiment(variant.spec, backend) });
    }
    const byId = Object.fromEntries(results.map((r) => [r.variant.id, r.result]));
    const zXavier = outputPreActivation(byId['linear-output']!)!;
    const zHe = outputPreActivation(byId['he-linear']!)!;
    // The previous session measured z_out ≈ −0.0119 for the chapter's weights and input.
    expect(zXavier).toBeCloseTo(-0.0119, 4);
    // ReLU without biases is positively homogeneous: He's larger scales multiply z_L by > 0.
    expect(zHe).toBeLessThan(0);
    expect(zHe / zXavier).toBeCloseTo(initScaleRatio(CHAPTER_TEN_LAYER_RELU, 'xavier', 'he'), 10);
    expect(outputPreActivation(byId['chapter']!)).toBeNull();
    expect(outputPreActivation(byId['he-linear-batch']!)).toBeNull();
    // One sample: a hidden unit is dead when it is inactive for that one input.
    const chapterStats = byId['chapter']!.stats;
    const hidden = Array.from(chapterStats.deadFraction).slice(0, 10);
    expect(hiddenDeadFraction(chapterStats)).toBeCloseTo(hidden.reduce((a, b) => a + b) / 10, 15);
    expect(sixDigits(zXavier)).toBe(zXavier.toPrecision(6));
    expect(sixDigits(0)).toBe('0');
    expect(sixDigits(-Infinity)).toBe('-Infinity');
    const verdicts = results.map((r) => gradientVerdict(r.result.stats.gradNorm).kind);
    expect(verdicts).toEqual(['zero', 'vanishing', 'zero', 'flows', 'flows']);
    const chart = variantsChart(results);
    expect(chart.x).toHaveLength(11);
    expect(chart.series.map((s) => s.label)).toEqual(NOTEBOOK_VARIANTS.map((v) => v.label));
  });
});

describe('gradientVerdict', () => {
  it('names each case from the numbers', () => {
    expect(gradientVerdict([0, 0, 0]).kind).toBe('zero');
    expect(gradientVerdict([1, NaN, 2])).toMatchObject({ kind: 'nonfinite', orders: null });
    expect(gradientVerdict([1, Infinity, 2]).text).toContain('1 of 3 layers');
    const vanishing = gradientVerdict([1e-6, 1e-3, 1]);
    expect(vanishing.kind).toBe('vanishing');
    expect(vanishing.orders).toBeCloseTo(6, 12);
    expect(vanishing.text).toContain('6.0 orders');
    expect(gradientVerdict([0, 1e-3, 1]).text).toContain('exactly zero');
    const exploding = gradientVerdict([1e4, 10, 1]);
    expect(exploding.kind).toBe('exploding');
    expect(exploding.text).toContain('4.0 orders');
    const flows = gradientVerdict([0.5, 1, 1]);
    expect(flows.kind).toBe('flows');
    expect(flows.text).toContain('0.500 ×');
  });
});
