/**
 * The notebook section: the chapter's figures as drawn on the page equal the engine's reproduction
 * computed here in Node, the all-zero ReLU run is explained, and the variants agree with the
 * engine.
 */
import { expect, test, type Locator } from '@playwright/test';
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../src/engine/experiment.ts';
import { NOTEBOOK_DEPTHS, runNotebook } from '../src/engine/notebook.ts';
import {
  chapterPrintout,
  NOTEBOOK_VARIANTS,
  outputPreActivation,
} from '../src/ui/grad-notebook/notebook-figures.ts';
import { collectConsoleErrors } from './watch.ts';

const drawn = (chart: Locator): Promise<(number | null)[][]> =>
  chart.evaluate((el) => (el as unknown as { drawnColumns: (number | null)[][] }).drawnColumns);

/** What a log axis can draw of a series on x = 1…layers: positive values, gaps elsewhere. */
const onLogAxis = (values: readonly number[], layers: number): (number | null)[] =>
  Array.from({ length: layers }, (_, i) =>
    values[i] !== undefined && values[i]! > 0 ? values[i]! : null,
  );

/**
 * Drawn values against the engine's: the page's worker and Node run the same code, but their
 * Math.exp may differ in the last bit, so 1e-12 relative; gaps must be gaps.
 */
function expectSameColumn(
  actual: (number | null)[] | undefined,
  expected: (number | null)[],
): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((value, i) => {
    if (value === null) expect(actual![i], `point ${i}`).toBeNull();
    else expect(Math.abs(actual![i]! - value) / value, `point ${i}`).toBeLessThan(1e-12);
  });
}

async function waitForResults(section: Locator): Promise<void> {
  await expect
    .poll(
      // Undefined until the lab has loaded the section's code, null until its runs complete.
      () => section.evaluate((el) => (el as unknown as { results?: unknown }).results != null),
      {
        timeout: 100_000,
      },
    )
    .toBe(true);
}

test('draws the chapter’s two figures with the engine’s exact numbers, and explains the zeros', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  const backend = createCpuBackend('f64');
  const report = await runNotebook(backend);
  await page.goto('/#notebook');
  const section = page.locator('grad-notebook');
  await waitForResults(section);

  // Figure 1: one panel per activation, one series per depth, layers 1…21.
  for (const activation of ['sigmoid', 'relu'] as const) {
    const columns = await drawn(
      section.locator(`grad-chart[data-chart="depth-sweep-${activation}"]`),
    );
    expect(columns[0]).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    // Every value is positive: shorter networks simply end, nothing is reported as undrawn.
    await expect(
      section.locator(`grad-chart[data-chart="depth-sweep-${activation}"]`).getByRole('note'),
    ).toHaveCount(0);
    NOTEBOOK_DEPTHS.forEach((depth, k) => {
      expectSameColumn(
        columns[k + 1],
        onLogAxis(report.depthSweep[activation][String(depth)]!, 21),
      );
    });
    // The table prints every number as Python would, and reads back exactly.
    for (const depth of NOTEBOOK_DEPTHS) {
      const cells = await section
        .locator(`table[data-table="depth-sweep"] td[data-series="${activation}-${depth}"]`)
        .allTextContents();
      const values = report.depthSweep[activation][String(depth)]!;
      expectSameColumn(
        cells.slice(0, values.length).map((t) => Number(t.trim())),
        values,
      );
      expect(cells.slice(values.length).every((t) => t.trim() === '')).toBe(true);
    }
  }
  await expect(section.locator('[data-diagnosis="depth-sweep-relu-20"]')).toContainText(
    'Xavier init for ReLU',
  );

  // Figure 2: sigmoid drawn exactly; ReLU is eleven exact zeros, which a log axis cannot show.
  const tenLayer = section.locator('grad-chart[data-chart="ten-layer"]');
  const columns = await drawn(tenLayer);
  expect(columns[0]).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  expectSameColumn(columns[1], report.tenLayer.sigmoid);
  expect(columns[2]).toEqual(Array(11).fill(null));
  expect(report.tenLayer.relu).toEqual(Array(11).fill(0));
  await expect(tenLayer.getByRole('note')).toContainText('11 zero values not drawn');
  await expect(section.getByTestId('zero-note').first()).toContainText(
    'ReLU: all 11 per-layer gradient norms are exactly 0',
  );
  const reluCells = await section
    .locator('table[data-table="ten-layer"] td[data-series="relu"]')
    .allTextContents();
  expect(reluCells.map((t) => t.trim())).toEqual(Array(11).fill('0.0'));
  await expect(section.getByTestId('printout')).toHaveText(chapterPrintout(report).join('\n'));
  await expect(section.locator('[data-diagnosis="ten-layer-relu"]')).toContainText(
    'output unit inactive on every sample',
  );

  // The explanation: the output unit's pre-activation, computed, and its dead fraction.
  const variants = [];
  for (const variant of NOTEBOOK_VARIANTS) {
    variants.push({ variant, result: await runExperiment(variant.spec, backend) });
  }
  const zOut = outputPreActivation(variants.find((v) => v.variant.id === 'linear-output')!.result)!;
  expect(zOut).toBeLessThan(0);
  const explanation = section.getByTestId('zero-explanation');
  await expect(explanation).toBeVisible();
  await expect(explanation).toContainText('exactly zero at every layer');
  // Shown to six significant digits.
  const shownZ = Number(await section.getByTestId('z-out').textContent());
  expect(Math.abs(shownZ - zOut) / -zOut).toBeLessThan(1e-5);
  await expect(section.getByTestId('output-dead')).toHaveText('1');
  await expect(section.getByTestId('homogeneity')).toContainText('He init alone does not help');

  // What changes: the chapter's spec equals the reproduction; every variant equals the engine.
  await expect(section.getByTestId('chapter-match')).toHaveClass('pass');
  const variantColumns = await drawn(section.locator('grad-chart[data-chart="variants"]'));
  variants.forEach(({ result }, k) => {
    expectSameColumn(variantColumns[k + 1], onLogAxis(Array.from(result.stats.gradNorm), 11));
  });
  const verdicts = await section
    .locator('table[data-table="variants"] td[data-verdict]')
    .evaluateAll((tds) => tds.map((td) => td.getAttribute('data-verdict')));
  expect(verdicts).toEqual(['zero', 'vanishing', 'zero', 'flows', 'flows']);
  expect(errors).toEqual([]);
});

test('fits a phone: nothing in the section is wider than the screen', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto('/#notebook');
  const section = page.locator('grad-notebook');
  await waitForResults(section);
  // Open the tables too: they scroll inside their own wrapper.
  for (const summary of await section.locator('summary').all()) {
    await summary.focus();
    await page.keyboard.press('Enter');
  }
  await expect(section.locator('details[open]')).toHaveCount(2);
  const widths = await section.evaluate((el) => ({
    client: el.clientWidth,
    scroll: el.scrollWidth,
    right: el.getBoundingClientRect().right,
  }));
  expect(widths.scroll).toBeLessThanOrEqual(widths.client);
  expect(widths.right).toBeLessThanOrEqual(375);
});

test('shows progress while it waits its turn, can be cancelled, and runs again', async ({
  page,
}) => {
  // Wider networks in the other sections keep the shared queue busy, so the notebook's runs wait.
  await page.goto('/?width=256&inputs=256&batch=32&backend=cpu64#notebook');
  const section = page.locator('grad-notebook');
  await expect(section.locator('progress')).toBeVisible();
  await section.getByRole('button', { name: 'Cancel' }).click();
  await expect(section.getByRole('alert')).toHaveText('Run cancelled.');
  await expect(section.locator('progress')).toHaveCount(0);
  expect(
    await section.evaluate((el) => (el as unknown as { results: unknown }).results),
  ).toBeNull();
  const again = section.getByRole('button', { name: 'Run the chapter’s code' });
  await again.focus();
  await page.keyboard.press('Enter');
  await waitForResults(section);
  await expect(section.getByTestId('chapter-match')).toHaveClass('pass');
});
