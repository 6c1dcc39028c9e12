/**
 * Figures on their own in a page (e2e/pages/figures-alone-sessions.html), as a blog embeds them: the
 * chapter's ten-layer bars and a verification table and chart, each with controls="none" and no
 * section around them. Each computes what it shows when it comes near the viewport; the table and
 * the chart show one verification, computed once; and the values are the engine's, run here in
 * Node.
 */
import { expect, test, type Locator } from '@playwright/test';
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../src/engine/experiment.ts';
import { runNotebook } from '../src/engine/notebook.ts';
import { parseSpec } from '../src/engine/spec.ts';
import { TOLERANCES } from '../src/engine/tolerance.ts';
import { collectConsoleErrors } from './watch.ts';

const PAGE = '/e2e/pages/figures-alone-sessions.html';
const SPEC = parseSpec({ depth: 3, width: 16, inputs: 16, outputs: 2, batch: 8 });

type ChartElement = HTMLElement & { drawnColumns: (number | null)[][] };

const drawn = (figure: Locator): Promise<(number | null)[][]> =>
  figure
    .locator('grad-chart')
    .evaluate((chart) => (chart as ChartElement).drawnColumns.map((column) => [...column]));

test('fixed figures alone compute their own values, which are the engine’s', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = collectConsoleErrors(page);
  await page.goto(PAGE);
  const tenLayer = page.locator('grad-notebook-ten-layer');
  const table = page.locator('grad-verify-table');
  const chart = page.locator('grad-verify-errors');
  for (const figure of [tenLayer, table, chart])
    await expect(figure).toHaveAttribute('data-complete', '', { timeout: 120_000 });

  // controls="none": the figure alone, no inputs or buttons, and no attribute problems.
  for (const figure of [tenLayer, table, chart]) {
    await expect(figure.locator('input, select, button')).toHaveCount(0);
    await expect(figure.getByTestId('attribute-problems')).toHaveCount(0);
  }

  // The ten-layer bars: sigmoid is the engine's f64 reproduction; ReLU is eleven exact zeros,
  // which a log axis cannot draw (the chart's note counts them).
  const report = await runNotebook(createCpuBackend('f64'));
  const columns = await drawn(tenLayer);
  expect(columns[0]).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  report.tenLayer.sigmoid.forEach((value, i) =>
    expect(Math.abs(columns[1]![i]! - value) / value, `layer ${i + 1}`).toBeLessThan(1e-12),
  );
  expect(columns[2]).toEqual(Array(11).fill(null));
  await expect(tenLayer.getByRole('note')).toContainText('11 zero values not drawn');

  // The verification: cpu (f32) against cpu64 on the whole batch; the cpu64 column is the
  // engine's cpu64 run, the cpu column agrees within the f32 tolerance, and every layer passes.
  await expect(table.getByTestId('verify-backend')).toContainText('backend cpu (f32)');
  await expect(table.getByTestId('verify-scope')).toHaveText(
    'Checked on the whole batch of 8 samples.',
  );
  await expect(table.getByTestId('verify-verdict')).toContainText(
    'All 4 layers and the loss pass: cpu (f32) against cpu64 (f64)',
  );
  const rows = await table
    .locator('table[part="table"] tbody tr[data-layer]:not([data-layer="loss"])')
    .evaluateAll((trs) =>
      trs.map((tr) => ({
        cells: Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? ''),
        error: Number(tr.querySelector('td[data-error]')?.getAttribute('data-error')),
      })),
    );
  expect(rows).toHaveLength(4);
  const reference = (await runExperiment({ ...SPEC, backend: 'cpu64' }, createCpuBackend('f64')))
    .stats.gradNorm;
  const { rel } = TOLERANCES.f32Statistics;
  rows.forEach((row, i) => {
    expect(Number(row.cells[2])).toBe(Number(reference[i]!.toPrecision(6)));
    expect(Math.abs(Number(row.cells[1]) - reference[i]!)).toBeLessThanOrEqual(
      (rel + 1e-5) * reference[i]!,
    );
    expect(row.error).toBeLessThanOrEqual(rel);
    expect(row.cells.at(-1)).toMatch(/^pass/);
  });

  // The chart shows the same verification, computed once: one session for both figures.
  const same = await page.evaluate(() => {
    type Shown = HTMLElement & { session?: unknown };
    const a = document.querySelector('grad-verify-table') as Shown;
    const b = document.querySelector('grad-verify-errors') as Shown;
    return a.session !== undefined && a.session === b.session;
  });
  expect(same).toBe(true);
  const errorColumns = await drawn(chart);
  expect(errorColumns[0]).toEqual([1, 2, 3, 4]);
  rows.forEach((row, i) => {
    if (row.error > 0) expect(errorColumns[1]![i]).toBeCloseTo(row.error, 15);
    else expect(errorColumns[1]![i]).toBeNull();
  });
  expect(errors).toEqual([]);
});

test('a bad attribute is named with what is allowed, and the rest still works', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto(PAGE);
  const table = page.locator('grad-verify-table');
  await table.evaluate((element) => element.setAttribute('under-test', 'tpu'));
  await expect(table.getByTestId('attribute-problems')).toContainText(
    'under-test: got "tpu"; allowed: one of webgpu, cpu',
  );
  expect(errors).toEqual([]);
});
