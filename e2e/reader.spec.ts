/**
 * The lab as a reader meets it: the chapter's question and a live answer on the first screen, no
 * form in sight; "try this" buttons that change the URL and the figures; a table of contents that
 * follows the reader; deep links to parts and figures, with their settings; Back and Forward;
 * readouts of the engine's exact values under the pointer and from the keyboard; one colour per
 * quantity in every figure; the settings one click away, and a figure's chip opening them at its
 * field; nothing that shifts as the page loads.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../src/engine/experiment.ts';
import { parseSpec, type RunSpec } from '../src/engine/spec.ts';
import { formatExact } from '../src/ui/grad-chart/chart-data.ts';
import { runSpecFor } from '../src/ui/grad-norms/norms-data.ts';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startStaticServer } from '../scripts/serve-static.mjs';
import { openSettings } from './lab-page.ts';
import { watchPage } from './watch.ts';

const drawn = (chart: Locator): Promise<(number | null)[][]> =>
  chart.evaluate((c) => (c as unknown as { drawnColumns: (number | null)[][] }).drawnColumns);

async function gradNorms(spec: RunSpec): Promise<Float64Array> {
  return (await runExperiment(spec, createCpuBackend('f64'))).stats.gradNorm;
}

function expectClose(actual: number | null | undefined, expected: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(1e-12 * Math.abs(expected));
}

/** Waits until a figure's chart has `series` series drawn, and returns its columns. */
async function whenDrawn(figure: Locator, series: number): Promise<(number | null)[][]> {
  await figure.scrollIntoViewIfNeeded();
  const chart = figure.locator('grad-chart');
  await expect
    .poll(
      async () => (await drawn(chart)).filter((c, i) => i > 0 && c.some((v) => v !== null)).length,
      {
        timeout: 90_000,
      },
    )
    .toBe(series);
  return drawn(chart);
}

/** Form controls in the light DOM and every shadow root, with their boxes. */
function controlsInView(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const visit = (root: Document | ShadowRoot) => {
      for (const element of root.querySelectorAll('*')) {
        if (/^(input|select|textarea|form)$/.test(element.localName)) {
          const box = element.getBoundingClientRect();
          const shown =
            box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden';
          if (shown && box.bottom > 0 && box.top < innerHeight) found.push(element.localName);
        }
        if (element.shadowRoot) visit(element.shadowRoot);
      }
    };
    visit(document);
    return found;
  });
}

test('the first screen holds the question, a drawn chart and its takeaway, and no form', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const { errors, foreign } = watchPage(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(
    'Why do deep networks stop learning?',
  );
  const opening = page.locator('#fig-opening');
  const columns = await whenDrawn(opening, 2);
  // Sigmoid with Xavier, ReLU with He: the engine's numbers at 30 layers.
  const sigmoid = await gradNorms({
    ...parseSpec({ activation: 'sigmoid', depth: 30, backend: 'cpu64' }),
  });
  const relu = await gradNorms(parseSpec({ activation: 'relu', init: 'he', depth: 30 }));
  expect(sigmoid[0]! / sigmoid.at(-1)!).toBeLessThan(1e-15);
  expect(columns[2]!.length).toBe(relu.length);
  // The figure and the takeaway are on the first screen; no form is.
  const box = await opening.boundingBox();
  expect(box!.y + box!.height).toBeLessThanOrEqual(800);
  const takeaway = await page.locator('.takeaway').boundingBox();
  expect(takeaway!.y + takeaway!.height).toBeLessThanOrEqual(800);
  expect(await controlsInView(page)).toEqual([]);
  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
});

test('"try this" changes the URL and the figures; Back and Forward restore them', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const { errors } = watchPage(page);
  const query = 'backend=cpu64&depths=3,5&width=16&inputs=16&outputs=2&batch=8';
  await page.goto(`/?${query}#vanishing`);
  const sweep = page.locator('section#vanishing grad-depth-sweep');
  const base = parseSpec({ backend: 'cpu64', width: 16, inputs: 16, outputs: 2, batch: 8 });
  const before = await whenDrawn(sweep, 2);
  const xavier = await gradNorms(runSpecFor(base, 'sigmoid', 5));
  xavier.forEach((v, i) => expectClose(before[2]![i], v));

  await page.getByRole('button', { name: 'Switch to He init' }).click();
  await expect.poll(() => new URL(page.url()).searchParams.get('init')).toBe('he');
  const he = await gradNorms(runSpecFor({ ...base, init: 'he' }, 'sigmoid', 5));
  await expect
    .poll(async () => (await drawn(sweep.locator('grad-chart')))[2]?.[0], { timeout: 60_000 })
    .toBeCloseTo(he[0]!, 12);
  // The figure names the setting that differs from the defaults.
  await expect(sweep.locator('[data-chip="init"]')).toHaveText('init he');

  await page.goBack();
  await expect.poll(() => new URL(page.url()).searchParams.get('init')).toBeNull();
  await expect(sweep.locator('[data-chip="init"]')).toHaveCount(0);
  await expect
    .poll(async () => (await drawn(sweep.locator('grad-chart')))[2]?.[0], { timeout: 60_000 })
    .toBeCloseTo(xavier[0]!, 12);
  await page.goForward();
  await expect.poll(() => new URL(page.url()).searchParams.get('init')).toBe('he');
  await expect(sweep.locator('[data-chip="init"]')).toHaveText('init he');
  expect(errors).toEqual([]);
});

test('the table of contents follows the reader; deep links open parts and figures with their settings', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  const current = page.locator('nav.toc a[aria-current="true"]');
  await expect(current).toHaveText('The question');
  await page.evaluate(() => document.getElementById('fixes')!.scrollIntoView());
  await expect(current).toHaveText('The fixes');
  await page.evaluate(() => document.getElementById('exercise')!.scrollIntoView());
  await expect(current).toHaveText('Exercise 17.5');
  // A contents link goes to its part.
  await page.locator('nav.toc a[href="#chapter"]').click();
  await expect(current).toHaveText('The chapter, reproduced');

  // A deep link to a figure, with settings: the figure is on screen, drawn with them.
  await page.goto('/?init=he&backend=cpu64&width=16&inputs=16&batch=8#vanishing/grad-attenuation');
  const attenuation = page.locator('section#vanishing grad-attenuation');
  await expect(attenuation).toBeInViewport({ timeout: 30_000 });
  await expect(attenuation.locator('[data-chip="init"]')).toHaveText('init he');
  await expect(page.locator('nav.toc a[aria-current="true"]')).toHaveText('The vanishing gradient');
  // A deep link to a part far down, past sections that load as they are approached.
  await page.goto('/#speed');
  await expect(page.locator('section#speed h2')).toBeInViewport({ timeout: 30_000 });
});

test('readouts give the engine’s exact values under the pointer and from the keyboard', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto('/?backend=cpu64&depths=3,5&width=16&inputs=16&outputs=2&batch=8#vanishing');
  const sweep = page.locator('section#vanishing grad-depth-sweep');
  await whenDrawn(sweep, 2);
  const base = parseSpec({ backend: 'cpu64', width: 16, inputs: 16, outputs: 2, batch: 8 });
  const five = await gradNorms(runSpecFor(base, 'sigmoid', 5));
  const plot = sweep.locator('grad-chart [part="chart"]');
  // The keyboard: the chart is a slider over the layers; Home is layer 1, End the last.
  await plot.focus();
  await page.keyboard.press('Home');
  await expect(plot).toHaveAttribute(
    'aria-valuetext',
    new RegExp(formatExact(five[0]!).replace('.', '\\.')),
  );
  await expect(sweep.locator('grad-chart .legend')).toContainText(formatExact(five[0]!));
  await page.keyboard.press('ArrowRight');
  await expect(sweep.locator('grad-chart .legend')).toContainText(formatExact(five[1]!));
  await page.keyboard.press('End');
  await expect(sweep.locator('grad-chart .legend')).toContainText(formatExact(five[5]!));
  // The pointer: over the plot, the legend reads the values under it.
  await plot.blur();
  const over = await sweep.locator('grad-chart .u-over').boundingBox();
  await page.mouse.move(over!.x + 2, over!.y + over!.height / 2);
  await expect(sweep.locator('grad-chart .legend')).toContainText(formatExact(five[0]!));
});

test('one colour per quantity: sigmoid has the same hue in every figure', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(
    '/?backend=cpu64&activations=sigmoid,relu&depths=3&width=16&inputs=16&outputs=2&batch=8#vanishing',
  );
  const figures = [
    'section#vanishing grad-activation-compare >> nth=0',
    'section#vanishing grad-layer-stats',
    'section#vanishing grad-attenuation',
  ];
  const colours: string[] = [];
  for (const selector of figures) {
    const figure = page.locator(selector);
    await whenDrawn(figure, selector.includes('attenuation') ? 4 : 2);
    const entry = figure
      .locator('grad-chart .legend .entry')
      .filter({ hasText: 'Sigmoid' })
      .first();
    colours.push((await entry.locator('line').getAttribute('stroke'))!);
  }
  expect(new Set(colours).size).toBe(1);
  expect(colours[0]).toBe('#D55E00');
});

test('the settings are one click away, and a figure’s chip opens them at its field', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/?init=he&width=16&inputs=16&batch=8#vanishing');
  const form = await openSettings(page);
  // A side panel on a wide screen.
  const panel = await page.locator('grad-lab aside#settings').boundingBox();
  expect(panel!.x + panel!.width).toBeCloseTo(1280, 0);
  await page.keyboard.press('Escape');
  await expect(form).toBeHidden();
  const sweep = page.locator('section#vanishing grad-depth-sweep');
  await sweep.scrollIntoViewIfNeeded();
  await sweep.locator('[data-chip="init"]').click();
  await expect(form).toBeVisible();
  await expect(form.getByLabel('init', { exact: true })).toBeFocused();
  // A bottom sheet on a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  const sheet = await page.locator('grad-lab aside#settings').boundingBox();
  expect(sheet!.y + sheet!.height).toBeCloseTo(844, 0);
  expect(sheet!.width).toBeCloseTo(390, 0);
});

test('nothing shifts as the built lab loads: cumulative layout shift at most 0.02', async ({
  page,
}) => {
  test.setTimeout(240_000);
  // The lab as a site serves it (its stylesheet in the page's head, not injected by a dev server).
  execFileSync(join('node_modules', '.bin', 'vite'), ['build'], { stdio: 'pipe' });
  const port = 5185;
  const server = await startStaticServer(port, join(process.cwd(), 'dist', 'app'));
  try {
    for (const size of [
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]) {
      await page.setViewportSize(size);
      await page.addInitScript(() => {
        const shifts: number[] = [];
        (globalThis as unknown as { shifts: number[] }).shifts = shifts;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as (PerformanceEntry & {
            value: number;
            hadRecentInput: boolean;
          })[]) {
            if (!entry.hadRecentInput) shifts.push(entry.value);
          }
        }).observe({ type: 'layout-shift', buffered: true });
      });
      await page.goto(`http://127.0.0.1:${port}/`);
      await whenDrawn(page.locator('#fig-opening'), 2);
      await page.waitForTimeout(2000);
      const total = await page.evaluate(() =>
        (globalThis as unknown as { shifts: number[] }).shifts.reduce((a, b) => a + b, 0),
      );
      expect(total, `CLS at ${size.width}×${size.height}`).toBeLessThanOrEqual(0.02);
    }
  } finally {
    server.close();
  }
});
