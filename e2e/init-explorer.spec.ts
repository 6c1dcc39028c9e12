/**
 * The initialization explorer (Exercise 17.5): per-layer activation histograms, mean ± std, and
 * dead and saturated fractions for each chosen init, equal to the engine's own numbers; its
 * depth, init and activation controls go through the lab's URL state.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import type { InitName } from '../src/engine/inits.ts';
import { runExperiment } from '../src/engine/experiment.ts';
import type { LayerStatistics } from '../src/engine/results.ts';
import { parseSpec } from '../src/engine/spec.ts';
import {
  bestVarianceKeeper,
  formatStatistic,
  initRunSpec,
  varianceSummary,
} from '../src/ui/grad-init-explorer/explorer-data.ts';
import { collectConsoleErrors } from './watch.ts';

const BASE = { width: '16', inputs: '16', batch: '8', backend: 'cpu64' };

/**
 * Leaves this section alone on the page. Every section shares the page's one run queue, so the
 * others' runs (a WebGPU verification on SwiftShader takes minutes) would only delay this one's;
 * a removed section cancels its own runs.
 */
async function isolateExplorer(page: Page): Promise<void> {
  await page.locator('grad-init-explorer').waitFor({ state: 'attached' });
  await page.evaluate(() => {
    const lab = document.querySelector('grad-lab')!.shadowRoot!;
    for (const section of lab.querySelectorAll('section')) {
      if (!section.querySelector('grad-init-explorer')) section.remove();
    }
  });
  // The lab loads a section's code as the reader approaches it.
  await page.waitForFunction(() => customElements.get('grad-init-explorer') !== undefined);
}

/** The same runs in Node, through the engine and the f64 CPU backend. */
async function reference(
  settings: Record<string, string>,
  inits: readonly InitName[],
): Promise<Map<InitName, LayerStatistics>> {
  const base = parseSpec({ ...BASE, ...settings });
  const stats = new Map<InitName, LayerStatistics>();
  for (const init of inits) {
    stats.set(init, (await runExperiment(initRunSpec(base, init), createCpuBackend('f64'))).stats);
  }
  return stats;
}

/** What the section shows: each run's init, activation and depth. */
function shownRuns(explorer: Locator): Promise<string[]> {
  return explorer.evaluate((element) =>
    (
      element as unknown as {
        results: { init: string; spec: { activation: string; depth: number } }[];
      }
    ).results.map((run) => `${run.init}/${run.spec.activation}/${run.spec.depth}`),
  );
}

interface ChartSnapshot {
  columns: (number | null)[][];
  heatmap: { lo: number | null; hi: number | null; values: number[] }[];
}

/** A figure's chart, once the figure has every run (it runs when near the viewport). */
async function chartSnapshot(figure: Locator): Promise<ChartSnapshot> {
  await figure.scrollIntoViewIfNeeded();
  await expect(figure).toHaveAttribute('data-complete', '', { timeout: 60_000 });
  return figure.locator('grad-chart').evaluate((element) => {
    const chart = element as unknown as {
      drawnColumns: (number | null)[][];
      data: { heatmap?: { columns: { lo: number; hi: number; values: ArrayLike<number> }[] } };
    };
    const finite = (v: number) => (Number.isFinite(v) ? v : null);
    return {
      columns: chart.drawnColumns,
      heatmap: (chart.data.heatmap?.columns ?? []).map((c) => ({
        lo: finite(c.lo),
        hi: finite(c.hi),
        values: Array.from(c.values),
      })),
    };
  });
}

/** Charts and summary agree with the engine's statistics for every init shown. */
async function expectMatchesEngine(
  explorer: Locator,
  stats: Map<InitName, LayerStatistics>,
  depth: number,
): Promise<void> {
  const layers = Array.from({ length: depth }, (_, i) => i + 1);
  for (const [init, reference] of stats) {
    const { columns, heatmap } = await chartSnapshot(
      explorer.locator(`grad-init-histograms[data-init="${init}"]`),
    );
    expect(columns[0]).toEqual(layers);
    layers.forEach((_, i) => {
      const mean = reference.activationMean[i]!;
      const std = reference.activationStd[i]!;
      expect(columns[1]![i]).toBeCloseTo(mean, 12);
      expect(columns[2]![i]).toBeCloseTo(mean + std, 12);
      expect(columns[3]![i]).toBeCloseTo(mean - std, 12);
      const { bins, min, max, counts, nonFinite } = reference.histograms;
      expect(nonFinite[i]).toBe(0);
      // The page's cpu64 worker and Node's f64 backend agree to the last ulp or so.
      expect(heatmap[i]!.lo).toBeCloseTo(min[i]!, 12);
      expect(heatmap[i]!.hi).toBeCloseTo(max[i]!, 12);
      expect(heatmap[i]!.values).toEqual(Array.from(counts.subarray(i * bins, (i + 1) * bins)));
    });
    const summary = varianceSummary({
      init,
      spec: parseSpec({ depth: String(depth) }),
      stats: reference,
    });
    await expect(
      explorer.locator(`grad-init-summary table[part="table"] tr[data-init="${init}"] td`).nth(3),
    ).toHaveText(formatStatistic(summary.varianceRatio));
  }
  const quantities = {
    std: 'activationStd',
    dead: 'deadFraction',
    saturated: 'saturatedFraction',
  } as const;
  for (const [name, quantity] of Object.entries(quantities)) {
    const { columns } = await chartSnapshot(explorer.locator(`grad-layer-stats[stat="${name}"]`));
    expect(columns[0]).toEqual(layers);
    expect(columns).toHaveLength(stats.size + 1);
    [...stats.values()].forEach((reference, s) => {
      layers.forEach((_, i) => {
        const expected = reference[quantity][i]!;
        // The std chart is on a log scale: a zero std is a gap there.
        if (name === 'std' && expected === 0) expect(columns[s + 1]![i]).toBeNull();
        else expect(columns[s + 1]![i]).toBeCloseTo(expected, 12);
      });
    });
  }
}

test('histograms, mean ± std and dead fractions per layer match the engine; controls drive the URL', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto(
    '/?inits=xavier,he&activation=relu&depth=10&width=16&inputs=16&batch=8&backend=cpu64#exercise',
  );
  await isolateExplorer(page);
  const explorer = page.locator('grad-init-explorer');
  await expect
    .poll(() => shownRuns(explorer), { timeout: 60_000 })
    .toEqual(['xavier/relu/10', 'he/relu/10']);
  await expect(explorer.locator('grad-init-histograms grad-chart')).toHaveCount(2);
  const relu10 = await reference({ activation: 'relu', depth: '10' }, ['xavier', 'he']);
  // ReLU kills units: the dead fractions are not all zero, so the comparison below has teeth.
  const deadTotal = [...relu10.values()].reduce(
    (sum, s) => sum + s.deadFraction.subarray(0, 10).reduce((a, b) => a + b, 0),
    0,
  );
  expect(deadTotal).toBeGreaterThan(0);
  await expectMatchesEngine(explorer, relu10, 10);
  // Xavier and He draw the same normals at different scales: ReLU's dead units are the same.
  await expect(explorer.getByTestId('coincide')).toContainText('dead and saturated');
  await expect(explorer.getByTestId('coincide')).toContainText('zero biases');
  const best = bestVarianceKeeper(
    [...relu10].map(([init, stats]) =>
      varianceSummary({ init, spec: parseSpec({ depth: '10' }), stats }),
    ),
  );
  await expect(explorer.getByTestId('verdict')).toContainText(
    best ? (best.init === 'he' ? 'He (normal)' : 'Xavier (normal)') : 'No initialization',
  );

  // Depth 20 from the keyboard: arrow keys move through the radio group.
  await explorer.getByRole('radio', { name: '10', exact: true }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page).toHaveURL(/[?&]depth=20(&|$)/);
  await expect
    .poll(() => shownRuns(explorer), { timeout: 60_000 })
    .toEqual(['xavier/relu/20', 'he/relu/20']);
  await expectMatchesEngine(
    explorer,
    await reference({ activation: 'relu', depth: '20' }, ['xavier', 'he']),
    20,
  );

  // Adding the standard normal init adds its chart, in the init table's order.
  await explorer.getByRole('checkbox', { name: 'Normal (std 1)' }).check();
  // normal,xavier,he is the lab's default list, which the URL leaves out.
  await expect(page).not.toHaveURL(/inits=/);
  await expect
    .poll(() => shownRuns(explorer), { timeout: 60_000 })
    .toEqual(['normal/relu/20', 'xavier/relu/20', 'he/relu/20']);
  await expect(explorer.locator('grad-init-histograms grad-chart')).toHaveCount(3);

  // Tanh saturates rather than dies: the saturated fractions follow the engine.
  await explorer.getByRole('combobox', { name: /^Activation/ }).selectOption('tanh');
  await expect(page).toHaveURL(/[?&]activation=tanh(&|$)/);
  await expect
    .poll(() => shownRuns(explorer), { timeout: 60_000 })
    .toEqual(['normal/tanh/20', 'xavier/tanh/20', 'he/tanh/20']);
  await expectMatchesEngine(
    explorer,
    await reference({ activation: 'tanh', depth: '20' }, ['normal', 'xavier', 'he']),
    20,
  );
  // Tanh's saturation depends on the scale: no claim that the inits must agree.
  await expect(explorer.getByTestId('coincide')).not.toContainText('zero biases');

  // Unchecking down to one init leaves its box disabled: at least one stays.
  await explorer.getByRole('checkbox', { name: 'Normal (std 1)' }).uncheck();
  await explorer.getByRole('checkbox', { name: 'Xavier (normal)' }).uncheck();
  await expect(explorer.getByRole('checkbox', { name: 'He (normal)' })).toBeDisabled();
  await expect.poll(() => shownRuns(explorer), { timeout: 60_000 }).toEqual(['he/tanh/20']);
  expect(errors).toEqual([]);
});

test('overflowing activations are reported as non-finite, and a run can be cancelled', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  // Standard normal weights and a linear activation 64 wide: each layer multiplies the scale by
  // about √64 = 8, so the f32 backend overflows well before layer 50.
  await page.goto('/?inits=normal&activation=linear&depth=50&width=64&inputs=64&batch=4#exercise');
  await isolateExplorer(page);
  const explorer = page.locator('grad-init-explorer');
  await expect.poll(() => shownRuns(explorer), { timeout: 60_000 }).toEqual(['normal/linear/50']);
  await expect(explorer.getByTestId('non-finite')).toContainText('non-finite');
  await expect(explorer.locator('grad-init-summary td.nonfinite').first()).toBeVisible();
  await expect(explorer.getByTestId('verdict')).toContainText('No initialization');

  // A large run, cancelled while it runs or waits: no results for it, and a button to run again.
  await page.goto('/?inits=normal,xavier,he&depth=50&width=512&inputs=512&batch=512#exercise');
  await isolateExplorer(page);
  await explorer.getByRole('button', { name: 'Cancel' }).click();
  await expect(explorer.getByRole('alert')).toHaveText('Run cancelled.');
  // The runs are shared between the section's figures: the cancel stopped all of them.
  await expect(explorer.locator('progress')).toHaveCount(0);
  await expect(explorer.getByRole('button', { name: 'Run' })).toBeVisible();
  expect(await shownRuns(explorer)).toEqual([]);
  expect(errors).toEqual([]);
});

test('fits a phone-width screen', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(
    '/?inits=normal,xavier,he&depth=10&width=16&inputs=16&batch=8&backend=cpu64#exercise',
  );
  await isolateExplorer(page);
  const explorer = page.locator('grad-init-explorer');
  await expect.poll(() => shownRuns(explorer), { timeout: 60_000 }).toHaveLength(3);
  const { width, overflow } = await explorer.evaluate((element) => ({
    width: element.getBoundingClientRect().width,
    overflow: element.scrollWidth - element.clientWidth,
  }));
  expect(width).toBeLessThanOrEqual(375);
  expect(overflow).toBeLessThanOrEqual(0);
});
