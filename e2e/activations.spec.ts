/** The activation gallery: the chapter's 3×2 figure and the measured properties table. */
import { expect, test } from '@playwright/test';
import { ACTIVATIONS } from '../src/engine/activations.ts';

test('draws f and f′ of the six chapter activations and measures their properties', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/');
  const gallery = page.locator('grad-activations');
  await expect(gallery.locator('grad-chart[data-activation]')).toHaveCount(6);
  await expect(gallery.locator('grad-chart canvas')).toHaveCount(8);
  // The overlaid comparison: one series per activation, the same numbers as the grid.
  const overlay = await gallery
    .locator('grad-chart[data-overlay="derivatives"]')
    .evaluate((chart) => (chart as unknown as { drawnColumns: (number | null)[][] }).drawnColumns);
  expect(overlay).toHaveLength(1 + 7);
  expect(overlay[1]![100]).toBeCloseTo(0.25, 15); // sigmoid′(0)

  const sigmoid = await gallery
    .locator('grad-chart[data-activation="sigmoid"]')
    .evaluate((chart) => (chart as unknown as { drawnColumns: (number | null)[][] }).drawnColumns);
  const [xs, values, derivatives] = sigmoid as [number[], number[], number[]];
  expect(xs).toHaveLength(201);
  xs.forEach((x, i) => {
    expect(values[i]).toBeCloseTo(ACTIVATIONS.sigmoid.forward(x, 0), 14);
    expect(derivatives[i]).toBeCloseTo(ACTIVATIONS.sigmoid.derivative(x, 0), 14);
  });

  // The chapter's table: max |f′| is 0.25 for sigmoid and 1 for tanh and ReLU — here measured.
  const row = (name: string) => gallery.locator(`tr[data-activation="${name}"] td`);
  await expect(row('sigmoid').nth(3)).toHaveText('0.2500');
  await expect(row('tanh').nth(3)).toHaveText('1.000');
  await expect(row('relu').nth(3)).toHaveText('1.000');
  await expect(row('gelu').nth(3)).toHaveText('1.129');
  await expect(row('tanh').nth(4)).toHaveText('yes');
  await expect(row('sigmoid').nth(4)).toHaveText('no');

  // The elu α slider redraws elu and updates its row.
  await gallery.getByLabel(/^elu α/).fill('2');
  await expect(row('elu').nth(3)).toHaveText('2.000');
  const elu = await gallery
    .locator('grad-chart[data-activation="elu"]')
    .evaluate((chart) => (chart as unknown as { drawnColumns: (number | null)[][] }).drawnColumns);
  expect(elu[1]![0]).toBeCloseTo(2 * Math.expm1(-5), 12);
  expect(errors).toEqual([]);
});
