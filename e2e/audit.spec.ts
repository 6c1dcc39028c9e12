/**
 * The lab measured as the web measures pages: Lighthouse (npm) on the built lab with the tests'
 * Chromium, at its default mobile settings. Accessibility and best practices do not depend on the
 * machine's speed, so they are asserted here; performance is recorded by `npm run audit`
 * (docs/audit.md), not asserted. And what a reader who reads the whole lab downloads.
 */
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUDGETS, labCost } from '../scripts/bundle-report.mjs';
import { audit, summarize } from '../scripts/audit.mjs';
import { labParts } from '../scripts/lab-parts.mjs';
import { startStaticServer } from '../scripts/serve-static.mjs';

const APP = join(process.cwd(), 'dist', 'app');

test.beforeAll(() => {
  test.setTimeout(180_000);
  execFileSync(join('node_modules', '.bin', 'vite'), ['build'], { stdio: 'pipe' });
});

test('Lighthouse: accessibility 100 and best practices 100 on the built lab', async () => {
  test.setTimeout(300_000);
  const port = 5186;
  const server = await startStaticServer(port, APP);
  try {
    const { scores, failing } = summarize(await audit(`http://127.0.0.1:${port}/`));
    const named = failing
      .filter((f) => f.category !== 'performance')
      .map((f) => `${f.category}: ${f.title}`);
    expect(scores.accessibility, named.join('; ')).toBe(100);
    expect(scores['best-practices'], named.join('; ')).toBe(100);
    expect(scores.seo).toBeGreaterThanOrEqual(90);
  } finally {
    server.close();
  }
});

/**
 * What the built lab transfers, gzipped, to a reader who scrolls from its top to its end (every
 * part loads as the reader approaches it), each file once, with WebGPU (SwiftShader) offered, so
 * the WebGPU backend included: within the figures issue's budget for the whole lab (BUDGETS.lab,
 * 200 KB; this browser measured 197.7 KB), and the very files `npm run build` counts for it
 * (labCost in scripts/bundle-report.mjs).
 */
test('the whole lab, read to its end, transfers within its budget, all from its own origin', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const port = 5187;
  const server = await startStaticServer(port, APP);
  const origin = `http://127.0.0.1:${port}`;
  const sizes = new Map<string, Promise<number>>();
  const foreign: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith('data:')) {
      foreign.push(request.url());
    }
  });
  page.on('requestfinished', (request) => {
    const path = new URL(request.url()).pathname;
    if (!request.url().startsWith(origin) || sizes.has(path)) return;
    // A worker's own script reports no body size: counted as the server sends it (gzipped).
    const served = () =>
      gzipSync(readFileSync(join(APP, path === '/' ? 'index.html' : path))).length;
    sizes.set(
      path,
      request.sizes().then(
        (size) => size.responseBodySize || served(),
        () => served(),
      ),
    );
  });
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${origin}/`);
    // Down the page a screen at a time, until its end stays put and nothing more arrives.
    let quietSince = Date.now();
    let seen = 0;
    for (let y = 0; ; y += 500) {
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      if (y > height + 800 && Date.now() - quietSince > 3000) break;
      await page.evaluate((top) => window.scrollTo(0, top), Math.min(y, height));
      await page.waitForTimeout(400);
      if (sizes.size !== seen) {
        seen = sizes.size;
        quietSince = Date.now();
      }
    }
    const total = (await Promise.all(sizes.values())).reduce((sum, size) => sum + size, 0);
    test.info().annotations.push({
      type: 'transfer',
      description: `the whole lab: ${total} B in ${sizes.size} files (budget ${BUDGETS.lab} B)`,
    });
    expect(foreign).toEqual([]);
    expect([...sizes.keys()].some((path) => path.endsWith('.wasm'))).toBe(true);
    expect(total, `the whole lab: ${total} bytes`).toBeLessThanOrEqual(BUDGETS.lab);
    const counted = [...labCost(APP).files].map((file) =>
      file.slice(APP.length).replace(/^\/index\.html$/, '/'),
    );
    expect([...sizes.keys()].sort()).toEqual(counted.sort());
  } finally {
    server.close();
  }
});

/**
 * The lab's first screen: its parts load as the reader approaches them, so a fresh load fetches
 * the shell (with the opening) and at most the next part, never one further down (a figure's
 * controls, which the loader fetches at once, once sat in the next part's chunk and made the page
 * evaluate that part at load: Lighthouse's total blocking time was 560 ms); and the opening figure
 * is drawn within 1.5 s of navigation: 0.97–1.17 s in a browser alone on this machine, median
 * 1.14 s here (the lab starts the CPU worker as its shell loads, a small run does not wait for the
 * worker's threads, and the ready queue draws the figure on screen first). Before those three it
 * was 1.25–1.55 s alone, 1.6–1.7 s here. The time is recorded, and asserted only against 3 s, a
 * bound that catches a first screen that waits for the rest of the page, not the machine's load.
 */
test('a fresh load fetches the first parts only, and draws the opening figure at once', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const port = 5188;
  const server = await startStaticServer(port, APP);
  const times: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const chunks: string[] = [];
      page.on('request', (request) => {
        const name = /\/assets\/([a-z-]+)-[\w-]{8}\.js$/.exec(new URL(request.url()).pathname);
        if (name) chunks.push(name[1]!);
      });
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(
        () => {
          const chart = document
            .querySelector('#fig-opening')
            ?.shadowRoot?.querySelector('grad-chart') as
            (Element & { drawnColumns?: unknown[] }) | null | undefined;
          return (
            (chart?.drawnColumns?.length ?? 0) > 1 && chart!.shadowRoot!.querySelector('canvas')
          );
        },
        null,
        { timeout: 30_000, polling: 20 },
      );
      times.push(await page.evaluate(() => performance.now()));
      await page.waitForTimeout(1_000);
      const parts = labParts().map((part) => part.name);
      const loaded = parts.filter((part) => chunks.includes(part));
      expect(loaded[0], chunks.join(' ')).toBe('lab');
      expect(
        loaded.slice(1).every((part) => parts.indexOf(part) <= 1),
        chunks.join(' '),
      ).toBe(true);
      await context.close();
    }
  } finally {
    server.close();
  }
  const median = [...times].sort((a, b) => a - b)[1]!;
  test.info().annotations.push({
    type: 'opening figure drawn',
    description: `${times.map(Math.round).join(', ')} ms after navigation (median ${Math.round(median)})`,
  });
  expect(median).toBeLessThan(3_000);
});
