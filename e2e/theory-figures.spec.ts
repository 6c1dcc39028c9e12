/**
 * The theory figures alone on a page (e2e/pages/theory-figures.html), each fixed with
 * controls="none": they draw the engine's values, run in Node here, with no inputs or buttons;
 * a phase table beside a diagram of the same grid shows the same measurements; and a long sweep
 * far below the fold waits, pauses while the reader is away and resumes when they return.
 */
import { expect, test, type Locator } from '@playwright/test';
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../src/engine/experiment.ts';
import { parseSpec } from '../src/engine/spec.ts';
import { gridValues, phaseDiagramSweep, type SweepPoint } from '../src/engine/sweep.ts';
import { predictGradientNorms, varianceMap } from '../src/engine/theory.ts';
import {
  activationName,
  criticalSigmaB2,
  formatNumber,
} from '../src/ui/grad-theory/theory-data.ts';
import { readSweepAttributes } from '../src/ui/grad-theory/theory-options.ts';
import { collectConsoleErrors } from './watch.ts';

const PAGE = '/e2e/pages/theory-figures.html';
const PARAMS = { activation: 'tanh' as const, alpha: 0, sigmaW: 1.5, sigmaB: 0.1 };

async function drawn(figure: Locator, chart: string): Promise<(number | null)[][]> {
  return figure
    .locator(`grad-chart[data-chart="${chart}"]`)
    .evaluate(
      (element) => (element as unknown as { drawnColumns: (number | null)[][] }).drawnColumns,
    );
}

/** Both sides are f64; Chromium's and Node's tanh/exp may differ in the last bit. */
function expectClose(actual: number | null | undefined, expected: number, tolerance = 1e-12): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

/** The figure shows its chart and caption only: nothing to type or press. */
async function expectFixed(figure: Locator): Promise<void> {
  await expect(figure.locator('input, button, select, form, fieldset')).toHaveCount(0);
  await expect(figure.locator('p.note:not([data-pending])')).toHaveCount(0);
}

/** An element's attributes, as the figure reads them. */
async function attributesOf(figure: Locator): Promise<Record<string, string>> {
  return figure.evaluate((element) =>
    Object.fromEntries(element.getAttributeNames().map((n) => [n, element.getAttribute(n)!])),
  );
}

test('each figure alone, controls="none", draws the engine’s values', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto(PAGE);

  // The variance map V(q) of tanh at σ_w = 1.5, σ_b = 0.1, against the identity.
  const map = page.locator('#variance-map');
  await expect(map).toHaveAttribute('data-complete', '');
  await expectFixed(map);
  await expect(map.locator('grad-chart')).toHaveAttribute(
    'chart-title',
    `Variance map of ${activationName('tanh', 0)}: V(q) against the identity; they cross at q*`,
  );
  const curve = await drawn(map, 'variance-map');
  expect(curve[0]!.length).toBeGreaterThan(40);
  for (const [i, q] of curve[0]!.entries()) {
    expectClose(curve[1]![i], varianceMap(PARAMS, q!));
    expect(curve[2]![i]).toBe(q);
  }

  // The measured ‖δ⁽ˡ⁾‖ of the network, and the prediction scaled to its output layer.
  const meanField = page.locator('#mean-field');
  await expect(meanField).toHaveAttribute('data-complete', '', { timeout: 60_000 });
  await expectFixed(meanField);
  const spec = parseSpec(await attributesOf(meanField).then(specAttributes));
  const measured = (await runExperiment(spec, createCpuBackend('f64'))).stats.gradNorm;
  const columns = await drawn(meanField, 'gradient-overlay');
  const layers = spec.depth + 1;
  const prediction = predictGradientNorms(PARAMS, spec.depth);
  const outputNorm = columns[1]![layers - 1]!;
  expect(columns[0]).toEqual(Array.from({ length: layers }, (_, i) => i + 1));
  for (let l = 0; l < layers; l++) {
    expectClose(columns[1]![l], measured[l]!, 1e-10);
    expectClose(columns[2]![l], prediction.layerwise[l]! * outputNorm, 1e-10);
    expectClose(columns[3]![l], prediction.atFixedPoint[l]! * outputNorm, 1e-10);
  }

  // The phase diagram runs its grid by itself (start="auto"), as the engine's sweep does.
  const diagram = page.locator('#phase-diagram');
  await expect(diagram).toHaveAttribute('data-complete', '', { timeout: 60_000 });
  await expectFixed(diagram);
  const attributes = await attributesOf(diagram);
  const { options, problem } = readSweepAttributes(
    parseSpec(specAttributes(attributes)),
    (name) => attributes[name] ?? null,
  );
  expect(problem).toBeNull();
  const engine: SweepPoint[] = [];
  for await (const point of phaseDiagramSweep(options!, createCpuBackend('f64'))) {
    engine.push(point);
  }
  const weights = gridValues(options!.sigmaW2);
  const biases = gridValues(options!.sigmaB2);
  const heatmap = await diagram
    .locator('grad-chart[data-chart="phase-diagram"]')
    .evaluate((element) =>
      (
        element as unknown as { data: { heatmap: { columns: { values: ArrayLike<number> }[] } } }
      ).data.heatmap.columns.map((c) => Array.from(c.values)),
    );
  expect(heatmap).toHaveLength(weights.length);
  for (const [iW] of weights.entries()) {
    for (const [iB] of biases.entries()) {
      expectClose(heatmap[iW]![iB], engine[iB * weights.length + iW]!.measuredLog10Ratio, 1e-9);
    }
  }
  const line = await drawn(diagram, 'phase-diagram');
  expect(line[0]).toEqual(weights);
  for (const [i, sigmaW2] of weights.entries()) {
    const sigmaB2 = criticalSigmaB2('tanh', 0, sigmaW2, { min: biases[0]!, max: biases.at(-1)! });
    if (sigmaB2 === null) expect(line[1]![i]).toBeNull();
    else expectClose(line[1]![i], sigmaB2);
  }

  // The table of the same grid shows the same sweep (measured once, shared through the store).
  const table = page.locator('#phase-points');
  await expect(table).toHaveAttribute('data-complete', '');
  await expectFixed(table);
  const rows = table.locator('table[data-table="phase-points"] tbody tr');
  await expect(rows).toHaveCount(engine.length);
  for (const [index, point] of engine.entries()) {
    const cells = rows.nth(index).locator('td');
    await expect(cells.nth(0)).toHaveText(formatNumber(point.sigmaW2));
    await expect(cells.nth(1)).toHaveText(formatNumber(point.sigmaB2));
    // The last digit of six may differ with the browser's tanh: compare the numbers.
    expectClose(Number(await cells.nth(2).textContent()), point.measuredLog10Ratio, 1e-5);
    await expect(cells.nth(3)).toHaveText(formatNumber(point.predictedLog10Ratio));
    await expect(cells.nth(5)).toHaveText(point.phase);
  }
  const same = await page.evaluate(() => {
    type Shown = { sweep: object | null };
    const a = document.querySelector('#phase-diagram') as unknown as Shown;
    const b = document.querySelector('#phase-points') as unknown as Shown;
    return a.sweep !== null && a.sweep === b.sweep;
  });
  expect(same).toBe(true);
  expect(errors).toEqual([]);
});

test('a long sweep waits below the fold, pauses while the reader is away and resumes', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto(PAGE);
  const far = page.locator('#far-sweep');
  const measured = () =>
    far.evaluate((element) => {
      const sweep = (element as unknown as { sweep: { measured: number } | null }).sweep;
      return sweep?.measured ?? 0;
    });
  await expect(far.getByTestId('waiting')).toBeAttached();
  expect(await measured()).toBe(0);

  await far.scrollIntoViewIfNeeded();
  await expect.poll(measured, { timeout: 60_000 }).toBeGreaterThan(0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await expect(far.getByText('paused while off screen')).toBeAttached({ timeout: 30_000 });
  // The run in flight when the reader left may still finish; nothing starts after it.
  await page.waitForTimeout(2000);
  const atPause = await measured();
  expect(atPause).toBeLessThan(64);
  await page.waitForTimeout(2000);
  expect(await measured()).toBe(atPause);
  await expect(far.getByText('paused while off screen')).toBeAttached();

  await far.scrollIntoViewIfNeeded();
  await expect.poll(measured, { timeout: 60_000 }).toBeGreaterThan(atPause);
  expect(errors).toEqual([]);
});

/** The run-spec attributes among a figure's (the sweep's own and the figure's left out). */
function specAttributes(attributes: Record<string, string>): Record<string, string> {
  const own = /^(id|controls|export|start|table|view|sigma-[wb]2-|sweep-|data-)/;
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => !own.test(name)));
}
