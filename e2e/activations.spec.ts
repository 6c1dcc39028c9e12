/** The activation gallery: the chapter's 3×2 figure and the measured properties table. */
import { expect, test } from '@playwright/test';
import { ACTIVATIONS } from '../src/engine/activations.ts';

/** What a `<math>` element is and how Chromium laid it out (runs in the page). */
function describeMath(math: Element) {
  const box = math.getBoundingClientRect();
  const annotation = math.querySelector('annotation');
  return {
    namespace: math.namespaceURI,
    display: math.getAttribute('display'),
    children: [...math.children].map((child) => child.localName),
    annotation: annotation?.textContent ?? null,
    annotationWidth: annotation?.getBoundingClientRect().width ?? -1,
    width: box.width,
    height: box.height,
  };
}

test('draws f and f′ of the six chapter activations and measures their properties', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/');
  const gallery = page.locator('grad-activations');
  await expect(gallery.locator('grad-chart[data-chart^="activation-"]')).toHaveCount(6);
  await expect(gallery.locator('grad-chart canvas')).toHaveCount(8);
  // The overlaid comparison: one series per activation, the same numbers as the grid.
  const overlay = await gallery
    .locator('grad-chart[data-chart="activations-df"]')
    .evaluate((chart) => (chart as unknown as { drawnColumns: (number | null)[][] }).drawnColumns);
  expect(overlay).toHaveLength(1 + 7);
  expect(overlay[1]![100]).toBeCloseTo(0.25, 15); // sigmoid′(0)

  const sigmoid = await gallery
    .locator('grad-chart[data-chart="activation-sigmoid"]')
    .evaluate((chart) => (chart as unknown as { drawnColumns: (number | null)[][] }).drawnColumns);
  const [xs, values, derivatives] = sigmoid as [number[], number[], number[]];
  expect(xs).toHaveLength(201);
  xs.forEach((x, i) => {
    expect(values[i]).toBeCloseTo(ACTIVATIONS.sigmoid.forward(x, 0), 14);
    expect(derivatives[i]).toBeCloseTo(ACTIVATIONS.sigmoid.derivative(x, 0), 14);
  });

  // The chapter's table: max |f′| is 0.25 for sigmoid and 1 for tanh and ReLU — here measured.
  // (Each row is headed by the activation's name; its cells: formula, range, max |f′|, …)
  const row = (name: string) => gallery.locator(`tr[data-activation="${name}"] td`);
  await expect(row('sigmoid').nth(2)).toHaveText('0.2500');
  await expect(row('tanh').nth(2)).toHaveText('1.000');
  await expect(row('relu').nth(2)).toHaveText('1.000');
  await expect(row('gelu').nth(2)).toHaveText('1.129');
  await expect(row('tanh').nth(3)).toHaveText('yes');
  await expect(row('sigmoid').nth(3)).toHaveText('no');

  // The formula column: the table's TeX, rendered by Chromium as MathML Core.
  await expect(gallery.locator('th').nth(1)).toHaveText('formula');
  for (const name of ['sigmoid', 'relu', 'elu', 'gelu_tanh', 'linear'] as const) {
    const math = await row(name).nth(0).locator('math').evaluate(describeMath);
    expect(math.namespace).toBe('http://www.w3.org/1998/Math/MathML');
    expect(math.display).toBe('inline');
    expect(math.annotation).toBe(ACTIVATIONS[name].tex);
    expect(math.children).toEqual(['semantics']);
    expect(math.width).toBeGreaterThan(20);
    expect(math.height).toBeGreaterThan(8);
    // Only the formula is drawn: the TeX annotation is not.
    expect(math.annotationWidth).toBe(0);
  }
  // Laid out as mathematics, not as a run of text: sigmoid's 1 sits above 1 + e^{−x}.
  const fraction = await row('sigmoid')
    .nth(0)
    .locator('mfrac')
    .evaluate((mfrac) => {
      const [numerator, denominator] = [...mfrac.children].map((child) =>
        child.getBoundingClientRect(),
      );
      return { numeratorBottom: numerator!.bottom, denominatorTop: denominator!.top };
    });
  expect(fraction.numeratorBottom).toBeLessThanOrEqual(fraction.denominatorTop + 1);

  // Each chart of the grid has f and f′ written above it.
  const formulas = gallery.locator('[data-formula]');
  await expect(formulas).toHaveCount(6);
  for (const name of ['sigmoid', 'leaky_relu'] as const) {
    const located = gallery.locator(`[data-formula="${name}"] math`);
    await expect(located).toHaveCount(2);
    const maths = [
      await located.nth(0).evaluate(describeMath),
      await located.nth(1).evaluate(describeMath),
    ];
    expect(maths.map((math) => math.annotation)).toEqual([
      ACTIVATIONS[name].tex,
      ACTIVATIONS[name].derivativeTex,
    ]);
    for (const math of maths) {
      expect(math.display).toBe('block');
      expect(math.width).toBeGreaterThan(20);
    }
  }
  // A cases block is a brace and a table of two rows. (How far the brace stretches depends on the
  // system's math font, which this test cannot assume.)
  const cases = await gallery
    .locator('[data-formula="leaky_relu"] math')
    .first()
    .evaluate((math) => {
      const table = math.querySelector('mtable')!;
      const brace = table.previousElementSibling!;
      const rows = [...table.querySelectorAll('mtr')].map((tr) => tr.getBoundingClientRect());
      return {
        rows: rows.length,
        secondBelowFirst: rows[1]!.top >= rows[0]!.bottom - 1,
        brace: brace.localName + brace.textContent,
      };
    });
  expect(cases.rows).toBe(2);
  expect(cases.brace).toBe('mo{');
  expect(cases.secondBelowFirst).toBe(true);

  // The elu α slider redraws elu and updates its row.
  await gallery.getByLabel(/^elu α/).fill('2');
  await expect(row('elu').nth(2)).toHaveText('2.000');
  const elu = await gallery
    .locator('grad-chart[data-chart="activation-elu"]')
    .evaluate((chart) => (chart as unknown as { drawnColumns: (number | null)[][] }).drawnColumns);
  expect(elu[1]![0]).toBeCloseTo(2 * Math.expm1(-5), 12);
  expect(errors).toEqual([]);
});
