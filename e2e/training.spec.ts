/**
 * The training section: a small run in the cpu64 worker, whose loss curve and heat-maps must
 * equal trainSteps run here in Node; Pause stops, Step advances exactly one step, Reset clears.
 */
import { expect, test, type Locator } from '@playwright/test';
import { parseSpec } from '../src/engine/spec.ts';
import {
  createTrainingState,
  parseTrainingOptions,
  trainSteps,
} from '../src/backends/cpu/training.ts';
import type { ChartData } from '../src/ui/grad-chart/chart-data.ts';
import { collectConsoleErrors } from './watch.ts';

const QUERY = {
  activation: 'sigmoid',
  depth: '6',
  width: '16',
  inputs: '8',
  outputs: '2',
  batch: '16',
  backend: 'cpu64',
};

async function chartData(section: Locator, chart: string): Promise<ChartData> {
  return section.locator(`grad-chart[data-chart="${chart}"]`).evaluate((element) => {
    const data = (element as unknown as { data: ChartData }).data;
    // Typed arrays come back as plain objects: make them arrays first.
    return {
      x: Array.from(data.x),
      series: data.series.map((s) => ({ label: s.label, values: Array.from(s.values) })),
      heatmap: data.heatmap && {
        ...data.heatmap,
        columns: data.heatmap.columns.map((c) => ({ ...c, values: Array.from(c.values) })),
      },
    } as ChartData;
  });
}

async function drawn(section: Locator, chart: string): Promise<(number | null)[][]> {
  return section
    .locator(`grad-chart[data-chart="${chart}"]`)
    .evaluate(
      (element) => (element as unknown as { drawnColumns: (number | null)[][] }).drawnColumns,
    );
}

/** Both sides are f64 and run the same code; Chromium's and Node's Math.exp may differ in ulps. */
function expectClose(actual: number | null | undefined, expected: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(1e-9 * Math.abs(expected) + 1e-300);
}

async function stepShown(section: Locator): Promise<number> {
  const text = (await section.getByTestId('progress').textContent()) ?? '';
  const match = /Step\s+(\d+)/.exec(text);
  return match ? Number(match[1]) : 0;
}

test('trains the lab network: loss curve and heat-maps equal the engine in Node', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto(`/?${new URLSearchParams(QUERY)}#training`);
  const section = page.locator('grad-training');
  await expect(section.getByTestId('progress')).toContainText('Not started');
  await expect(section.getByTestId('cpu-note')).toContainText('f64');
  await section.locator('input[name="steps"]').fill('40');
  await section.locator('input[name="steps"]').dispatchEvent('change');
  await section.locator('button[data-action="start"]').click();
  await expect(section.getByTestId('progress')).toContainText('Step 40 of 40', {
    timeout: 60_000,
  });
  await expect(section.locator('button[data-action="start"]')).toBeDisabled();

  const spec = parseSpec(QUERY);
  const options = parseTrainingOptions({ task: 'teacher', optimizer: 'sgd', lr: '0.1' });
  const { records } = trainSteps(createTrainingState(spec, options), 40);

  const loss = await drawn(section, 'loss');
  expect(loss[0]).toEqual(records.map((r) => r.step));
  records.forEach((r, i) => expectClose(loss[1]![i], r.loss));

  for (const quantity of ['updateRatio', 'gradNorm'] as const) {
    const chart = quantity === 'updateRatio' ? 'update-ratio' : 'grad-norm';
    const data = await chartData(section, chart);
    expect(Array.from(data.x)).toEqual(records.map((r) => r.step));
    expect(data.heatmap?.logColor).toBe(true);
    expect(data.heatmap?.normalize).toBe('global');
    const columns = data.heatmap!.columns;
    expect(columns).toHaveLength(40);
    columns.forEach((column, i) => {
      expect([column.lo, column.hi]).toEqual([0.5, 7.5]);
      const expected = records[i]![quantity];
      expect(column.values).toHaveLength(7);
      for (let l = 0; l < 7; l++) expectClose(column.values[l], expected[l]!);
    });
  }
  // The chapter's claim, in the sentence the section computes from the numbers.
  await expect(section.getByTestId('summary')).toContainText(
    /Layer 1 updates 10\^\d\.\d times more slowly than layer 7/,
  );
  expect(errors).toEqual([]);
});

test('Pause stops training, Step advances one step, Reset clears', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto(`/?${new URLSearchParams(QUERY)}#training`);
  const section = page.locator('grad-training');
  await expect(section.getByTestId('progress')).toContainText('Not started');
  const steps = section.locator('input[name="steps"]');
  await steps.fill('5000');
  await steps.dispatchEvent('change');
  await section.locator('button[data-action="start"]').click();
  await expect.poll(() => stepShown(section), { timeout: 60_000 }).toBeGreaterThan(0);
  await section.locator('button[data-action="pause"]').click();
  // Paused once Start turns into Resume and is enabled again.
  const resume = section.locator('button[data-action="start"]');
  await expect(resume).toHaveText('Resume', { timeout: 60_000 });
  await expect(resume).toBeEnabled();
  const paused = await stepShown(section);
  expect(paused).toBeLessThan(5000);
  await page.waitForTimeout(1000);
  expect(await stepShown(section)).toBe(paused);
  const recordsNow = await section.evaluate(
    (element) => (element as unknown as { results: { records: unknown[] } }).results.records.length,
  );
  expect(recordsNow).toBe(paused);

  await section.locator('button[data-action="step"]').click();
  await expect.poll(() => stepShown(section), { timeout: 60_000 }).toBe(paused + 1);
  await page.waitForTimeout(500);
  expect(await stepShown(section)).toBe(paused + 1);

  await section.locator('button[data-action="reset"]').click();
  await expect(section.getByTestId('progress')).toContainText('Not started');
  await expect(section.locator('grad-chart')).toHaveCount(0);
  await expect(section.locator('button[data-action="start"]')).toHaveText('Start');
  expect(errors).toEqual([]);
});

test('a preset sets the lab spec through the URL', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto(`/?${new URLSearchParams(QUERY)}#training`);
  const section = page.locator('grad-training');
  await section.locator('button[data-preset="relu"]').click();
  await expect(section.locator('button[data-preset="relu"]')).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  const params = new URL(page.url()).searchParams;
  expect(params.get('activation')).toBe('relu');
  expect(params.get('init')).toBe('he');
  await expect(section.locator('input[name="lr"]')).toHaveValue('0.03');
  expect(errors).toEqual([]);
});
