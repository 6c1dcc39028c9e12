/**
 * The "CPU vs GPU" section: WebGPU on SwiftShader (software emulation, said so), a check against
 * cpu64 whose values agree with the engine run here in Node, the CPU fallback when WebGPU is
 * unavailable, and the subset check when a full one would take too long.
 */
import { expect, test, type Locator } from '@playwright/test';
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import { runExperiment, runProblemOn } from '../src/engine/experiment.ts';
import { parseSpec } from '../src/engine/spec.ts';
import { TOLERANCES } from '../src/engine/tolerance.ts';
import { sampleIndices, subsetOfSpec } from '../src/engine/verify.ts';
import { collectConsoleErrors } from './watch.ts';
import { withoutWebGpu } from './no-webgpu.ts';

const SIZES = { depth: 4, width: 16, inputs: 16, outputs: 2, batch: 8 };
// Small sweeps keep the other sections' runs, which share the page's queue, short.
const QUERY =
  '/?backend=webgpu&depth=4&width=16&inputs=16&outputs=2&batch=8' +
  '&depths=2,3&activations=relu&inits=he';
const SPEC = parseSpec({ ...SIZES, backend: 'webgpu' });

/**
 * The section starts its runs when it is scrolled into view. The lab scrolls to #verify before
 * the sections above it have loaded and grown, which pushes it away again: go back to it until
 * the page settles.
 */
async function scrollToSection(section: Locator): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await section.scrollIntoViewIfNeeded();
    await section.page().waitForTimeout(500);
  }
}

/** The table's cells, row by row. */
function cells(section: Locator): Promise<string[][]> {
  return section
    .locator('table[part="table"] tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) =>
        Array.from(
          row.querySelectorAll('td'),
          (td) => td.textContent?.replace(/\s+/g, ' ').trim() ?? '',
        ),
      ),
    );
}

/** ‖δ‖ per layer from column `column` of the table (1: under test, 2: cpu64). */
async function gradNorms(section: Locator, column: number): Promise<number[]> {
  const rows = await cells(section);
  return rows.filter((row) => row[0] !== 'loss').map((row) => Number(row[column]));
}

test('WebGPU on SwiftShader: adapter, timings, and every layer passes against cpu64', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const errors = collectConsoleErrors(page);
  // The section starts its runs when it is scrolled into view: go straight to it.
  await page.goto(`${QUERY}#verify`);
  const section = page.locator('grad-verify');
  await scrollToSection(section);
  await expect(section.getByTestId('verify-backend')).toContainText('backend webgpu (f32)', {
    timeout: 240_000,
  });
  await expect(section.getByTestId('verify-adapter')).toContainText('swiftshader');
  await expect(section.getByTestId('verify-adapter')).toContainText(
    'Software emulation: timings are not GPU speed.',
  );
  const timings = section.locator('table[part="timings"]');
  await expect(timings).toContainText('of which shader compilation');
  await expect(timings).toContainText('steady state (median)');
  await expect(timings).toContainText('median of runs 2–5');
  await expect(section.getByTestId('verify-fallback')).toHaveCount(0);

  await section.getByRole('button', { name: 'Verify against cpu64' }).click();
  await expect(section.getByTestId('verify-verdict')).toContainText(
    'All 5 layers and the loss pass: webgpu (f32) against cpu64 (f64)',
    { timeout: 120_000 },
  );
  await expect(section.getByTestId('verify-scope')).toHaveText(
    'Checked on the whole batch of 8 samples.',
  );
  const rows = await cells(section);
  expect(rows).toHaveLength(6);
  for (const row of rows) expect(row.at(-1)).toMatch(/^pass/);

  // The cpu64 column is the engine's cpu64 run, computed here in Node; the WebGPU column agrees
  // with it within the f32 tolerance, and each layer's error shown is within that tolerance.
  const reference = (await runExperiment({ ...SPEC, backend: 'cpu64' }, createCpuBackend('f64')))
    .stats.gradNorm;
  const shownReference = await gradNorms(section, 2);
  const shownGpu = await gradNorms(section, 1);
  shownReference.forEach((value, i) => expect(value).toBe(Number(reference[i]!.toPrecision(6))));
  const { rel } = TOLERANCES.f32Statistics;
  shownGpu.forEach((value, i) =>
    expect(Math.abs(value - reference[i]!)).toBeLessThanOrEqual((rel + 1e-5) * reference[i]!),
  );
  const shownErrors = await section
    .locator('table[part="table"] tbody tr[data-layer]:not([data-layer="loss"]) td[data-error]')
    .evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-error'))));
  expect(shownErrors).toHaveLength(5);
  for (const error of shownErrors) expect(error).toBeLessThanOrEqual(rel);
  // The chart draws those errors per layer.
  const columns = await section
    .locator('grad-chart[data-chart="verify-errors"]')
    .evaluate((chart) => (chart as unknown as { drawnColumns: (number | null)[][] }).drawnColumns);
  expect(columns[0]).toEqual([1, 2, 3, 4, 5]);
  columns[1]!.forEach((value, i) => {
    if (shownErrors[i]! > 0) expect(value).toBeCloseTo(shownErrors[i]!, 15);
  });
  expect(errors).toEqual([]);
});

test('without WebGPU the section says it fell back to the CPU, and still verifies', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const errors = collectConsoleErrors(page);
  await withoutWebGpu(page);
  // The section starts its runs when it is scrolled into view: go straight to it.
  await page.goto(`${QUERY}#verify`);
  const section = page.locator('grad-verify');
  await scrollToSection(section);
  await expect(section.getByTestId('verify-fallback')).toContainText(
    'WebGPU was unavailable, so this section ran on the CPU backend (f32)',
    { timeout: 120_000 },
  );
  // The reason is shown once: in the run status, and in the summary once the status moves on.
  await expect(section.getByTestId('fallback')).toContainText('no navigator.gpu');
  await expect(section.getByTestId('verify-fallback')).not.toContainText('no navigator.gpu');
  await expect(section.getByTestId('verify-backend')).toContainText('backend cpu (f32)');
  await expect(section.getByTestId('verify-adapter')).toHaveCount(0);
  await section.getByRole('button', { name: 'Verify against cpu64' }).click();
  await expect(section.getByTestId('verify-verdict')).toContainText(
    'All 5 layers and the loss pass: cpu (f32) against cpu64 (f64)',
  );
  // The fallback notice, with its reason, stays after the check.
  await expect(section.getByTestId('verify-fallback')).toContainText('no navigator.gpu');
  expect(errors).toEqual([]);
});

test('a check too large to run whole runs on a subset of samples and says so', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = collectConsoleErrors(page);
  // Phone width: the section must fit (its tables scroll inside their own wrappers).
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(`${QUERY.replace('backend=webgpu&', '')}#verify`);
  const section = page.locator('grad-verify');
  await scrollToSection(section);
  await section.getByLabel('backend under test').selectOption('cpu');
  await expect(section.getByTestId('verify-backend')).toContainText('backend cpu (f32)', {
    timeout: 120_000,
  });
  // 3·Σ n_in·n_out = 3168 multiply-adds per sample: a limit of 10⁴ allows 3 of the 8 samples.
  await section.evaluate((element) => {
    (element as unknown as { fullCheckLimit: number }).fullCheckLimit = 1e4;
  });
  await section.getByRole('button', { name: 'Verify against cpu64' }).click();
  const indices = sampleIndices(8, 3, SPEC.seed);
  await expect(section.getByTestId('verify-scope')).toContainText(
    `Checked on 3 of 8 samples (per-sample quantities are exact on a subset): samples ${indices.join(', ')}`,
  );
  await expect(section.getByTestId('verify-verdict')).toContainText(
    'All 5 layers and the loss pass: cpu (f32) against cpu64 (f64)',
  );
  const width = await section.evaluate((element) => element.getBoundingClientRect().width);
  expect(width).toBeLessThanOrEqual(375);
  const subset = await runProblemOn(subsetOfSpec(SPEC, indices), createCpuBackend('f64'));
  const shown = await gradNorms(section, 2);
  shown.forEach((value, i) => expect(value).toBe(Number(subset.stats.gradNorm[i]!.toPrecision(6))));
  expect(errors).toEqual([]);
});
