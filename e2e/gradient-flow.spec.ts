/**
 * The gradient-flow section: depth sweep, activation comparison, weight gradients, the chapter's
 * bar chart and its attenuation bound, checked against the engine run here in Node.
 */
import { expect, test, type Locator } from '@playwright/test';
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import type { ActivationName } from '../src/engine/activations.ts';
import { attenuationFromOutput } from '../src/engine/attenuation.ts';
import { runExperiment } from '../src/engine/experiment.ts';
import type { LayerStatistics } from '../src/engine/results.ts';
import { parseSpec } from '../src/engine/spec.ts';
import { formatFactor, runSpecFor } from '../src/ui/grad-norms/norms-data.ts';
import { collectConsoleErrors } from './watch.ts';

const QUERY = {
  depths: '3,5',
  activations: 'sigmoid,relu',
  width: '16',
  inputs: '16',
  outputs: '2',
  batch: '8',
  depth: '5',
  seed: '7',
  backend: 'cpu64',
};
const SPEC = parseSpec(
  Object.fromEntries(
    Object.entries(QUERY).filter(([key]) => key !== 'depths' && key !== 'activations'),
  ),
);

/** The engine's statistics for one of the section's runs, computed in Node (f64, like cpu64). */
async function engineStats(activation: ActivationName, depth: number): Promise<LayerStatistics> {
  const result = await runExperiment(runSpecFor(SPEC, activation, depth), createCpuBackend('f64'));
  return result.stats;
}

async function drawn(section: Locator, chart: string): Promise<(number | null)[][]> {
  return section
    .locator(`grad-chart[data-chart="${chart}"]`)
    .evaluate(
      (element) => (element as unknown as { drawnColumns: (number | null)[][] }).drawnColumns,
    );
}

/** Relative agreement: both backends are f64, in a worker and in Node. */
function expectClose(actual: number | null | undefined, expected: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(1e-12 * Math.abs(expected));
}

/** The section's figures, each with every run it planned. */
const FIGURES =
  'grad-depth-sweep, grad-activation-compare, grad-layer-stats, grad-attenuation, grad-attenuation-table';

/**
 * Scrolls to each figure and waits for it to finish: figures run when they come near the viewport
 * and pause when the reader is far away, so each is read while the reader is at it.
 */
async function waitForRuns(section: Locator): Promise<void> {
  await expect(section.locator(FIGURES)).toHaveCount(6);
  for (const figure of await section.locator(FIGURES).all()) {
    await figure.scrollIntoViewIfNeeded();
    await expect(figure).toHaveAttribute('data-complete', '', { timeout: 60_000 });
  }
  await expect(section.locator(`:is(${FIGURES}):not([data-complete])`)).toHaveCount(0);
  await expect(section.locator('progress')).toHaveCount(0);
}

test('draws the depth sweep, the activation comparison and the bound as the engine computes them', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto(`/?${new URLSearchParams(QUERY)}#vanishing`);
  const section = page.locator('grad-norms');
  await waitForRuns(section);

  // Depth sweep (sigmoid, the spec's activation), on the chapter's axis: layer 1 = input side.
  const byLayer = await drawn(section, 'depth-sweep');
  expect(byLayer[0]).toEqual([1, 2, 3, 4, 5, 6]);
  const sweepNorms = [await engineStats('sigmoid', 3), await engineStats('sigmoid', 5)];
  for (const [i, depth] of [3, 5].entries()) {
    const norms = sweepNorms[i]!.gradNorm;
    const column = byLayer[i + 1]!;
    for (let layer = 1; layer <= depth + 1; layer++)
      expectClose(column[layer - 1], norms[layer - 1]!);
    // A shallower network ends where its layers end.
    expect(column.slice(depth + 1).every((value) => value === null)).toBe(true);
  }
  // The sigmoid gradient vanishes towards the input.
  expect(byLayer[2]![0]!).toBeLessThan(byLayer[2]![5]! * 0.05);

  // The other axis counts layers k below the output layer, lining the depths up there.
  await section.getByRole('radio', { name: 'layers below the output' }).check();
  await expect
    .poll(async () => (await drawn(section, 'depth-sweep'))[0])
    .toEqual([0, 1, 2, 3, 4, 5]);
  const fromOutput = await drawn(section, 'depth-sweep');
  for (const [i, depth] of [3, 5].entries()) {
    const norms = sweepNorms[i]!.gradNorm;
    for (let k = 0; k <= depth; k++) expectClose(fromOutput[i + 1]![k], norms[depth - k]!);
  }

  // The comparison at depth 5: ‖δ‖ (lines and the chapter's bars), ‖∂L/∂W‖, and attenuation.
  const gradNorms = await drawn(section, 'activation-grad-norms');
  const bars = await drawn(section, 'activation-bars');
  const weightGrads = await drawn(section, 'layer-stats-weight-grad');
  const attenuation = await drawn(section, 'attenuation');
  expect(gradNorms[0]).toEqual([1, 2, 3, 4, 5, 6]);
  expect(bars).toEqual(gradNorms);
  expect(attenuation[0]).toEqual([0, 1, 2, 3, 4, 5]);
  const rows = section.locator('table[data-table="attenuation"] tbody tr');
  await expect(rows).toHaveCount(20);
  for (const [i, activation] of (['sigmoid', 'relu'] as const).entries()) {
    const stats = await engineStats(activation, 5);
    const ratios = attenuationFromOutput(stats.gradNorm);
    for (let layer = 0; layer < 6; layer++) {
      const value = (column: (number | null)[][], expected: number) =>
        // A ReLU layer can have no active unit: a zero, which the log axis leaves out.
        expected > 0
          ? expectClose(column[i + 1]![layer], expected)
          : expect(column[i + 1]![layer]).toBeNull();
      value(gradNorms, stats.gradNorm[layer]!);
      value(weightGrads, stats.weightGradNorm[layer]!);
      value(attenuation, ratios[layer]!);
    }
    // The table's measured column for this activation (3 cells per activation after k).
    for (let k = 1; k <= 5; k++) {
      await expect(
        rows
          .nth(k - 1)
          .locator('td')
          .nth(3 * i + 2),
      ).toHaveText(formatFactor(ratios[k]!));
    }
    await expect(
      rows
        .nth(5)
        .locator('td')
        .nth(3 * i + 2),
    ).toHaveText('—');
  }
  // The bound: sigmoid's 0.25^k, and ReLU's 1^k.
  expect(attenuation[3]).toEqual([1, 0.25, 0.0625, 0.015625, 0.00390625, 0.0009765625]);
  expect(attenuation[4]).toEqual([1, 1, 1, 1, 1, 1]);
  await expect(rows.nth(9).locator('td').nth(0)).toHaveText('9.54 × 10⁻⁷');
  await expect(rows.nth(9).locator('td').nth(1)).toHaveText('9.5 × 10⁻⁷ ≈ 10⁻⁶');
  await expect(section.locator('grad-chart canvas')).toHaveCount(5);
  expect(errors).toEqual([]);
});

test('the depth list and the activations are edited in place, kept in the URL, and validated', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto(`/?${new URLSearchParams(QUERY)}#vanishing`);
  const section = page.locator('grad-norms');
  await waitForRuns(section);
  const depths = section.getByLabel(/depths to sweep/);
  await expect(depths).toHaveValue('3,5');

  // A bad list is named and not applied.
  await depths.fill('3,0');
  await expect(section.locator('#depths-error')).toHaveText(
    /depths: got "3,0"; allowed: up to 8 comma-separated integers/,
  );
  await expect(depths).toHaveAttribute('aria-invalid', 'true');
  await depths.press('Enter');
  expect(new URL(page.url()).searchParams.get('depths')).toBe('3,5');

  // A good one goes to the URL and runs the new depth.
  await depths.fill('3, 5, 4');
  await expect(section.locator('#depths-error')).toBeHidden();
  await depths.press('Enter');
  await expect.poll(() => new URL(page.url()).searchParams.get('depths')).toBe('3,5,4');
  await waitForRuns(section);
  const sweep = await drawn(section, 'depth-sweep');
  expect(sweep).toHaveLength(4);
  const norms = (await engineStats('sigmoid', 4)).gradNorm;
  expect(sweep[0]).toEqual([1, 2, 3, 4, 5, 6]);
  norms.forEach((norm, layer) => expectClose(sweep[3]![layer], norm));
  expect(sweep[3]![5]).toBeNull();

  // The activation boxes work from the keyboard; the last one cannot be unchecked.
  const tanh = section.getByRole('checkbox', { name: 'Tanh', exact: true });
  await tanh.focus();
  await page.keyboard.press('Space');
  await expect
    .poll(() => new URL(page.url()).searchParams.get('activations'))
    .toBe('sigmoid,relu,tanh');
  await waitForRuns(section);
  const tanhNorms = (await engineStats('tanh', 5)).gradNorm;
  const comparison = await drawn(section, 'activation-grad-norms');
  expect(comparison).toHaveLength(4);
  comparison[3]!.forEach((value, layer) => expectClose(value, tanhNorms[layer]!));
  for (const name of ['Sigmoid', 'ReLU'])
    await section.getByRole('checkbox', { name, exact: true }).uncheck();
  await expect.poll(() => new URL(page.url()).searchParams.get('activations')).toBe('tanh');
  await section.getByRole('checkbox', { name: 'Tanh', exact: true }).click();
  await expect(section.getByRole('checkbox', { name: 'Tanh', exact: true })).toBeChecked();
  await expect(section.locator('#activations-error')).toHaveText(
    /activations: choose at least one/,
  );
  expect(new URL(page.url()).searchParams.get('activations')).toBe('tanh');
  expect(errors).toEqual([]);
});

test('shows progress and cancels a sweep in progress, from the keyboard', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  // Five runs of up to 1000 layers in f64: long enough to cancel part-way.
  await page.goto(
    '/?depths=200,400,600,800,1000&activations=relu&activation=relu&init=he&depth=3&width=64&inputs=16&outputs=2&batch=64&backend=cpu64#vanishing',
  );
  const sweep = page.locator('grad-norms grad-depth-sweep');
  await sweep.scrollIntoViewIfNeeded();
  await expect(sweep.locator('progress')).toBeVisible();
  await expect(sweep.locator('.run-status [role="status"]')).toHaveText(/run \d of 5/);
  // The Cancel button moves as the progress label changes: use the keyboard, as a reader can.
  await sweep.getByRole('button', { name: 'Cancel' }).focus();
  await page.keyboard.press('Enter');
  await expect(sweep.getByRole('alert').filter({ hasText: 'Run cancelled.' })).toBeVisible();
  await expect(sweep.locator('progress')).toHaveCount(0);
  // What finished before the cancel is shown; the rest never arrives.
  await expect(sweep).not.toHaveAttribute('data-complete');
  const finished = await sweep.evaluate(
    (element) => (element as unknown as { sweep: unknown[] }).sweep.length,
  );
  expect(finished).toBeLessThan(5);
  const columns = await drawn(page.locator('grad-norms'), 'depth-sweep').catch(() => []);
  // Every planned depth keeps its slot (and its colour); the depths never run stay empty.
  if (finished > 0) {
    expect(columns.length).toBe(6);
    const drawnSeries = columns.slice(1).filter((column) => column.some((v) => v !== null));
    expect(drawnSeries.length).toBe(finished);
  } else expect(columns).toEqual([]);
  // The comparison's own run (ReLU at 3 layers) was not the sweep's to cancel: it completes.
  await page.locator('grad-norms grad-activation-compare').first().scrollIntoViewIfNeeded();
  await expect(page.locator('grad-norms grad-activation-compare').first()).toHaveAttribute(
    'data-complete',
    '',
    { timeout: 60_000 },
  );
  expect(errors).toEqual([]);
});

test('a deep sigmoid sweep draws gradients far below 1e-30, and shorter depths without a note', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto(
    `/?${new URLSearchParams({ ...QUERY, depths: '3,60', activations: 'sigmoid' })}#vanishing`,
  );
  const section = page.locator('grad-norms');
  await waitForRuns(section);
  const chart = section.locator('grad-chart[data-chart="depth-sweep"]');
  const columns = await drawn(section, 'depth-sweep');
  const deep = (await engineStats('sigmoid', 60)).gradNorm;
  expect(deep[0]!).toBeLessThan(1e-30);
  deep.forEach((norm, layer) => expectClose(columns[2]![layer], norm));
  await expect(chart.locator('canvas')).toHaveCount(1);
  // The 3-layer series ends at layer 4: that is no overflow, and the chart must not say so.
  await expect(chart.locator('[part="note"]')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('fits a phone screen', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(`/?${new URLSearchParams(QUERY)}#vanishing`);
  const section = page.locator('grad-norms');
  await waitForRuns(section);
  // Nothing sticks out of the viewport except inside the scrolling table wrapper.
  const overflowing = await section.evaluate((host) => {
    const out: string[] = [];
    for (const element of host.shadowRoot!.querySelectorAll('*')) {
      if (element.closest('.table-wrap')) continue;
      const box = element.getBoundingClientRect();
      if (box.width > 0 && box.right > window.innerWidth + 1) out.push(element.tagName);
    }
    return out;
  });
  expect(overflowing).toEqual([]);
});
