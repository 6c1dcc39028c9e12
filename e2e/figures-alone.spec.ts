/**
 * Figures on their own in a page, as a blog embeds them: grad-init-histograms and grad-fixes-plot
 * with controls="none" draw exactly the engine's numbers (computed here in Node), show no input
 * and no button, and report a bad attribute by name.
 */
import { expect, test, type Locator } from '@playwright/test';
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../src/engine/experiment.ts';
import { parseSpec } from '../src/engine/spec.ts';
import { initRunSpec } from '../src/ui/grad-init-explorer/explorer-data.ts';
import { planFixes } from '../src/ui/grad-fixes/fix-variants.ts';
import { collectConsoleErrors } from './watch.ts';

interface Drawn {
  columns: (number | null)[][];
  heatmap: { lo: number; hi: number; values: number[] }[];
}

function drawn(figure: Locator): Promise<Drawn> {
  return figure.locator('grad-chart').evaluate((element) => {
    const chart = element as unknown as {
      drawnColumns: (number | null)[][];
      data: { heatmap?: { columns: { lo: number; hi: number; values: ArrayLike<number> }[] } };
    };
    return {
      columns: chart.drawnColumns,
      heatmap: (chart.data.heatmap?.columns ?? []).map((c) => ({
        lo: c.lo,
        hi: c.hi,
        values: Array.from(c.values),
      })),
    };
  });
}

/** Relative agreement: the page's cpu64 worker and Node's f64 backend run the same code. */
function expectClose(actual: number | null | undefined, expected: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(1e-12 * Math.abs(expected));
}

test('grad-init-histograms and grad-fixes-plot alone, controls="none": the engine’s values, no inputs', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/e2e/pages/figures-alone.html');
  const histograms = page.locator('grad-init-histograms#histograms');
  const fixes = page.locator('grad-fixes-plot#fixes');
  await expect(histograms).toHaveAttribute('data-complete', '', { timeout: 60_000 });
  await fixes.scrollIntoViewIfNeeded();
  await expect(fixes).toHaveAttribute('data-complete', '', { timeout: 60_000 });

  // The histograms: He init's run, as the explorer makes it, in Node.
  const base = parseSpec({
    activation: 'relu',
    depth: 6,
    width: 12,
    inputs: 12,
    batch: 6,
    backend: 'cpu64',
  });
  const { stats } = await runExperiment(initRunSpec(base, 'he'), createCpuBackend('f64'));
  const histogramChart = await drawn(histograms);
  expect(histogramChart.columns[0]).toEqual([1, 2, 3, 4, 5, 6]);
  for (let i = 0; i < 6; i++) {
    const mean = stats.activationMean[i]!;
    const std = stats.activationStd[i]!;
    expectClose(histogramChart.columns[1]![i], mean);
    expectClose(histogramChart.columns[2]![i], mean + std);
    expectClose(histogramChart.columns[3]![i], mean - std);
    const { bins, min, max, counts } = stats.histograms;
    expectClose(histogramChart.heatmap[i]!.lo, min[i]!);
    expectClose(histogramChart.heatmap[i]!.hi, max[i]!);
    expect(histogramChart.heatmap[i]!.values).toEqual(
      Array.from(counts.subarray(i * bins, (i + 1) * bins)),
    );
  }
  await expect(histograms.locator('grad-chart')).toHaveAttribute(
    'export-name',
    'init-explorer-he-relu-depth6',
  );

  // The fixes plot: the baseline and the residual network, as the fixes section plans them.
  const fixesSpec = parseSpec({
    activation: 'sigmoid',
    depth: 5,
    width: 12,
    inputs: 12,
    batch: 6,
    backend: 'cpu64',
  });
  const { runs } = planFixes(fixesSpec, ['baseline', 'residual']);
  expect(runs.map((run) => run.variant.label)).toEqual(['no fixes', '+ residual']);
  const fixesChart = await drawn(fixes);
  expect(fixesChart.columns[0]).toEqual([1, 2, 3, 4, 5, 6]);
  expect(fixesChart.columns).toHaveLength(3);
  for (const [k, run] of runs.entries()) {
    const reference = (await runExperiment(run.spec, createCpuBackend('f64'))).stats.gradNorm;
    reference.forEach((value, i) => expectClose(fixesChart.columns[k + 1]![i], value));
  }
  await expect(fixes.locator('[part="legend"]')).toContainText('+ residual');

  // controls="none": the chart, its axes, legend and caption; nothing to press or type in.
  for (const figure of [histograms, fixes]) {
    await expect(figure.locator('input, button, select, textarea')).toHaveCount(0);
    await expect(figure.locator('grad-chart canvas')).toHaveCount(1);
  }

  // A bad option is reported, naming the attribute and what is allowed; the chart stays.
  await fixes.evaluate((element) => element.setAttribute('stat', 'loss'));
  await expect(fixes.getByTestId('attribute-problems')).toContainText(
    'stat: got "loss"; allowed: one of grad, std, dead, saturated',
  );
  await expect(fixes.locator('grad-chart canvas')).toHaveCount(1);
  expect(errors).toEqual([]);
});
