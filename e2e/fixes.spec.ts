/**
 * The fixes section: its toggles are shared settings that go to the URL, its charts compare the
 * baseline with each fix on the same axes, and every value drawn equals the engine's, computed
 * here in Node.
 */
import { expect, test, type Locator } from '@playwright/test';
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../src/engine/experiment.ts';
import { parseSpec } from '../src/engine/spec.ts';
import { FIX_STAT_INFO, fixVariants, type FixStat } from '../src/ui/grad-fixes/fix-variants.ts';
import { collectConsoleErrors } from './watch.ts';

const SMALL = {
  activation: 'sigmoid',
  depth: 8,
  width: 16,
  inputs: 16,
  batch: 8,
  backend: 'cpu64',
};
const query = (entries: Record<string, string | number>): string =>
  `/?${new URLSearchParams(Object.entries(entries).map(([k, v]) => [k, String(v)]))}#fixes`;

/**
 * The labels of the completed runs, once there are `count` of them. The table's (figures run
 * when near the viewport; the sections above this one grow as they load, pushing it down).
 */
async function runLabels(section: Locator, count: number): Promise<string[]> {
  let labels: string[] = [];
  await section.locator('grad-fixes-table').scrollIntoViewIfNeeded();
  await expect
    .poll(
      async () => {
        labels = await section.evaluate((el) =>
          (
            (el as unknown as { results: { variant: { label: string } }[] | null }).results ?? []
          ).map((run) => run.variant.label),
        );
        return labels.length;
      },
      { timeout: 100_000 },
    )
    .toBe(count);
  return labels;
}

/** A figure's drawn columns, once it has every run (it runs when near the viewport). */
async function drawn(figure: Locator): Promise<(number | null)[][]> {
  await figure.scrollIntoViewIfNeeded();
  await expect(figure).toHaveAttribute('data-complete', '', { timeout: 60_000 });
  return figure
    .locator('grad-chart')
    .evaluate((el) => (el as unknown as { drawnColumns: (number | null)[][] }).drawnColumns);
}

test('residual toggles the URL and adds the chosen fixes; every chart matches the engine', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto(query(SMALL));
  const section = page.locator('grad-fixes');
  expect(await runLabels(section, 4)).toEqual([
    'no fixes',
    '+ residual',
    '+ batch norm',
    '+ linear output (your settings)',
  ]);

  // Keyboard: focus the checkbox and press Space.
  const residual = section.getByRole('checkbox', { name: 'residual connections' });
  await residual.focus();
  await page.keyboard.press('Space');
  await expect.poll(() => new URL(page.url()).searchParams.get('residual')).toBe('true');
  const labels = await runLabels(section, 5);
  expect(labels[4]).toBe('residual + linear output (your settings)');
  await expect(residual).toBeChecked();

  // The same runs in Node: the variants of the URL's spec, on the f64 CPU backend.
  const spec = parseSpec({ ...SMALL, residual: 'true' });
  const variants = fixVariants(spec);
  expect(variants.map((v) => v.label)).toEqual(labels);
  const backend = createCpuBackend('f64');
  const stats = [];
  for (const variant of variants) stats.push((await runExperiment(variant.spec!, backend)).stats);

  const charts: { stat: FixStat; log: boolean }[] = [
    { stat: 'grad', log: true },
    { stat: 'std', log: true },
    { stat: 'dead', log: false },
    { stat: 'saturated', log: false },
  ];
  for (const { stat, log } of charts) {
    const quantity = FIX_STAT_INFO[stat].quantity;
    const columns = await drawn(section.locator(`grad-fixes-plot[stat="${stat}"]`));
    expect(columns[0]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(columns).toHaveLength(1 + variants.length);
    stats.forEach((s, k) => {
      Array.from(s[quantity]).forEach((value, i) => {
        const point = columns[k + 1]![i];
        if (log && value <= 0) expect(point).toBeNull();
        // Same code in the page's worker and in Node; Math.exp may differ in the last bit.
        else {
          const error = Math.abs(point! - value);
          expect(error, `${quantity} ${labels[k]} layer ${i + 1}`).toBeLessThanOrEqual(
            1e-12 * Math.abs(value),
          );
        }
      });
    });
  }
  // The baseline's sigmoid gradient vanishes; the residual one keeps flowing.
  await expect(section.locator('tr[data-variant="baseline"] td[data-verdict]')).toHaveAttribute(
    'data-verdict',
    'vanishing',
  );
  await expect(section.locator('tr[data-variant="residual"] td[data-verdict]')).toHaveAttribute(
    'data-verdict',
    'flows',
  );
  const baselineRatio = await section
    .locator('tr[data-variant="baseline"] td')
    .nth(2)
    .textContent();
  const gradNorm = stats[0]!.gradNorm;
  expect(Number(baselineRatio)).toBeCloseTo(
    Number((gradNorm[0]! / gradNorm[gradNorm.length - 1]!).toPrecision(4)),
    15,
  );

  // The output unit select is a shared setting too.
  await section.getByLabel('output unit').selectOption('same');
  await expect.poll(() => new URL(page.url()).searchParams.get('output-activation')).toBe('same');
  expect(await runLabels(section, 4)).toEqual([
    'no fixes',
    '+ residual (your settings)',
    '+ batch norm',
    '+ linear output',
  ]);
  expect(errors).toEqual([]);
});

test('batch norm of one sample is refused with a message naming batchnorm; fits a phone', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(query({ ...SMALL, batch: 1 }));
  const section = page.locator('grad-fixes');
  await expect(section.getByTestId('variant-problem')).toContainText(
    'batchnorm: needs batch ≥ 2 (got batch 1)',
  );
  // Three runs: the batch-norm one cannot run.
  expect(await runLabels(section, 3)).toEqual([
    'no fixes',
    '+ residual',
    '+ linear output (your settings)',
  ]);
  const checkbox = section.getByRole('checkbox', { name: 'batch normalization' });
  await checkbox.click();
  await expect(section.getByRole('alert')).toContainText('batchnorm: needs batch ≥ 2');
  await expect(checkbox).not.toBeChecked();
  expect(new URL(page.url()).searchParams.get('batchnorm')).toBeNull();
  // At phone width nothing in the section is wider than the screen.
  const widths = await section.evaluate((el) => ({
    client: el.clientWidth,
    scroll: el.scrollWidth,
    right: el.getBoundingClientRect().right,
  }));
  expect(widths.scroll).toBeLessThanOrEqual(widths.client);
  expect(widths.right).toBeLessThanOrEqual(375);
  expect(errors).toEqual([]);
});
