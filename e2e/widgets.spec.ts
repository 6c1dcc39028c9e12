/**
 * The embeddable library as a blog loads it: dist/lib/gradlab.js, built here first, in a page with
 * a strict Content-Security-Policy and a hostile stylesheet. Several widgets render, run, agree
 * with the engine and react to attribute changes; an off-screen widget waits until it is scrolled
 * into view; a removed widget stops; nothing leaves the page's origin; the iframe route works.
 */
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../src/engine/experiment.ts';
import { parseSpec } from '../src/engine/spec.ts';
import { bytes, closure, LOADER_BUDGET } from '../scripts/bundle-report.mjs';
import { watchPage } from './watch.ts';
import { withoutWebGpu } from './no-webgpu.ts';

const LIBRARY = join(process.cwd(), 'dist', 'lib', 'gradlab.js');

test.beforeAll(() => {
  execFileSync(join('node_modules', '.bin', 'vite'), ['build', '--config', 'vite.lib.config.ts'], {
    stdio: 'pipe',
  });
});

const drawn = (page: Page, selector: string) =>
  page
    .locator(selector)
    .evaluate((chart) => (chart as unknown as { drawnColumns: (number | null)[][] }).drawnColumns);

test('the library is a small loader that knows every element, and imports in Node', async () => {
  // Its own code and what it imports statically: the loader, under 8 KB gzipped.
  const loader = bytes(closure(LIBRARY).files);
  expect(loader, `the loader is ${loader} bytes gzipped`).toBeLessThan(LOADER_BUDGET);
  // No eval, nothing fetched, nothing from other origins: its imports are relative files.
  const text = readFileSync(LIBRARY, 'utf8');
  expect(text).not.toMatch(/\beval\(|new Function\(/);
  expect(text).not.toMatch(/\bfetch\(/);
  expect(text).not.toMatch(/from\s*["']https?:/);
  // Server-side rendering: importing it without a DOM does not throw.
  const library = await import(pathToFileURL(LIBRARY).href);
  await library.ready;
  expect(library.ELEMENT_TAGS).toEqual(expect.arrayContaining(['grad-norms', 'grad-depth-sweep']));
});

test('widgets run under a strict CSP beside a hostile stylesheet, and react to attributes', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const { errors, foreign } = watchPage(page);
  await page.goto('/e2e/pages/widgets-csp.html');

  // grad-norms: its depth sweep agrees with the engine.
  const sweep = 'grad-norms#norms grad-chart[export-name="gradient-flow-depths"]';
  await expect(page.locator(`${sweep} canvas`)).toBeAttached({ timeout: 60_000 });
  const spec = parseSpec({
    activation: 'sigmoid',
    width: 16,
    inputs: 16,
    outputs: 2,
    batch: 8,
    backend: 'cpu64',
  });
  const deep = await runExperiment({ ...spec, depth: 4 }, createCpuBackend('f64'));
  await expect.poll(async () => (await drawn(page, sweep)).length, { timeout: 60_000 }).toBe(3);
  const columns = await drawn(page, sweep);
  columns[2]!.forEach((value, i) => expect(value).toBeCloseTo(deep.stats.gradNorm[i]!, 12));

  // The author's CSS custom property reaches the chart; ::part reaches the widget's table.
  // (The legend's swatch of a series is drawn in its colour.)
  const stroke = await page
    .locator(`${sweep} .legend .entry`)
    .first()
    .locator('line')
    .getAttribute('stroke');
  expect(stroke).toBe('rgb(0, 128, 0)');

  // A changed attribute re-runs the widget.
  await page.locator('grad-norms#norms').evaluate((el) => el.setAttribute('depths', '2,3,5'));
  await expect.poll(async () => (await drawn(page, sweep)).length, { timeout: 60_000 }).toBe(4);

  // An invalid attribute is reported inline, naming it; the widget keeps working.
  await page.locator('grad-norms#norms').evaluate((el) => el.setAttribute('width', 'wide'));
  await expect(page.locator('grad-norms#norms').getByTestId('attribute-problems')).toContainText(
    'attribute width: got "wide"; allowed: an integer from 1 to 16384',
  );

  // controls="none": a fixed figure. (It starts when scrolled into view.)
  await page.locator('grad-init-explorer#explorer').scrollIntoViewIfNeeded();
  await expect(page.locator('grad-init-explorer#explorer fieldset').first()).toBeHidden();
  await expect(page.locator('grad-init-explorer#explorer grad-chart canvas').first()).toBeAttached({
    timeout: 60_000,
  });

  // The explorer reacts to its attributes too: 5 hidden layers, He init only.
  const explorer = page.locator('grad-init-explorer#explorer');
  await explorer.evaluate((el) => {
    el.setAttribute('depth', '5');
    el.setAttribute('inits', 'he');
  });
  await expect(
    explorer.locator('grad-chart[export-name="init-explorer-he-relu-depth5"] canvas'),
  ).toBeAttached({ timeout: 60_000 });
  await expect(explorer.locator('div.init-run')).toHaveCount(1);

  // A blog is not cross-origin isolated: the CPU backend runs on one thread there
  // (browserThreadPlan, tests/cpu/threads.test.ts), unlike in the lab (e2e/benchmark.spec.ts).
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);

  // The widget far below the fold has not even loaded; scrolled into view, it runs.
  const below = page.locator('grad-run#below');
  expect(await page.evaluate(() => customElements.get('grad-run'))).toBeUndefined();
  await expect(below.locator('table[part="table"]')).toHaveCount(0);
  // Its results arrive as a typed event, grad-run-complete, carrying the run.
  const completed = below.evaluate(
    (el) =>
      new Promise<number[]>((resolve) =>
        el.addEventListener('grad-run-complete', (event) =>
          resolve(
            Array.from(
              (event as CustomEvent<{ stats: { gradNorm: number[] } }>).detail.stats.gradNorm,
            ),
          ),
        ),
      ),
  );
  await below.scrollIntoViewIfNeeded();
  await expect(below.locator('table[part="table"] tbody tr')).toHaveCount(4, { timeout: 60_000 });
  const belowSpec = parseSpec({
    depth: 3,
    width: 8,
    inputs: 8,
    outputs: 2,
    batch: 4,
    backend: 'cpu64',
  });
  const belowRun = await runExperiment(belowSpec, createCpuBackend('f64'));
  (await completed).forEach((value, i) =>
    expect(value).toBeCloseTo(belowRun.stats.gradNorm[i]!, 12),
  );
  // Attribute changes re-run it: four hidden layers, then tanh.
  await below.evaluate((el) => el.setAttribute('depth', '4'));
  await expect(below.locator('table[part="table"] tbody tr')).toHaveCount(5, { timeout: 60_000 });
  await below.evaluate((el) => el.setAttribute('activation', 'tanh'));
  await expect(below.getByTestId('run-summary')).toContainText('tanh', { timeout: 60_000 });
  const outline = await below
    .locator('table[part="table"]')
    .evaluate((table) => getComputedStyle(table).outlineColor);
  expect(outline).toBe('rgb(255, 0, 0)');

  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
});

test('a widget removed from the page stops its work; the others carry on', async ({ page }) => {
  test.setTimeout(240_000);
  const { errors } = watchPage(page);
  await page.goto('/e2e/pages/widgets-csp.html');
  const norms = page.locator('grad-norms#norms');
  // A long sweep: remove the widget while it runs.
  await norms.evaluate((el) => {
    el.setAttribute('depths', '200,300');
    el.setAttribute('width', '256');
    el.setAttribute('inputs', '256');
    el.setAttribute('batch', '64');
  });
  await expect(norms.locator('progress').first()).toBeVisible({ timeout: 30_000 });
  // The explorer, scrolled into view, queues its runs behind the long sweep.
  await page.locator('grad-init-explorer#explorer').scrollIntoViewIfNeeded();
  await norms.evaluate((el) => el.remove());
  // Removing the sweep stopped it: the explorer's runs finish promptly.
  await expect(page.locator('grad-init-explorer#explorer grad-chart canvas').first()).toBeAttached({
    timeout: 30_000,
  });
  expect(errors).toEqual([]);
});

test('the iframe route shows one widget from its URL, and reports an unknown one', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const { errors } = watchPage(page);
  await page.goto(
    '/embed.html?widget=grad-run&activation=tanh&depth=3&width=8&inputs=8&outputs=2&batch=4&backend=cpu64',
  );
  await expect(page.locator('grad-run table[part="table"] tbody tr')).toHaveCount(4, {
    timeout: 60_000,
  });
  await expect(page.locator('grad-run').getByTestId('run-summary')).toContainText('tanh');
  // controls="full": the reader gets every run setting too, and the widget applies them.
  await page.goto(
    '/embed.html?widget=grad-run&controls=full&depth=3&width=8&inputs=8&outputs=2&batch=4&backend=cpu64',
  );
  const form = page.locator('grad-run grad-spec-form');
  await form.getByLabel('depth', { exact: true }).fill('5');
  await form.getByRole('button', { name: 'Apply and run' }).click();
  await expect(page.locator('grad-run table[part="table"] tbody tr')).toHaveCount(6, {
    timeout: 60_000,
  });
  await expect(page.locator('grad-run')).toHaveAttribute('depth', '5');

  // Without WebGPU, a widget asked for webgpu falls back to the CPU and says so.
  const noGpu = await page.context().newPage();
  await withoutWebGpu(noGpu);
  await noGpu.goto(
    '/embed.html?widget=grad-run&depth=3&width=8&inputs=8&outputs=2&batch=4&backend=webgpu',
  );
  await expect(noGpu.locator('grad-run').getByTestId('fallback')).toContainText(
    'used the CPU backend',
    { timeout: 60_000 },
  );
  await expect(noGpu.locator('grad-run table[part="table"] tbody tr')).toHaveCount(4);
  await noGpu.close();

  await page.goto('/embed.html?widget=grad-nope');
  await expect(page.getByRole('alert')).toContainText('widget: got "grad-nope"; allowed: one of');
  expect(errors).toEqual([]);
});
