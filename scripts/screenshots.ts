/**
 * `npm run screenshots`: serves the lab, waits for every section to finish its runs, and saves one
 * image per section (docs/screenshots/<section>.png), plus the lab at phone width and in the dark
 * theme, and one image of each element alone in a 700 px column with its docs example
 * (docs/screenshots/elements/<tag>.png); `--elements` or `--lab` makes only those. The README and
 * docs/elements.md show these. Uses the
 * Chromium that `npm test` uses (CHROMIUM_PATH or /usr/bin/chromium); nothing is downloaded.
 */
import { chromium, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { ELEMENT_TAGS, ELEMENTS } from '../src/lib/registry.ts';
import { PARTS } from '../e2e/lab-page.ts';
import { ELEMENT_EXAMPLES } from './element-examples.ts';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });

const server = await createServer({
  root,
  logLevel: 'warn',
  server: { host: '127.0.0.1', port: 5192, strictPort: true },
});
await server.listen();
const base = 'http://127.0.0.1:5192';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--enable-unsafe-webgpu',
    '--no-sandbox',
    '--disable-background-networking',
    '--no-first-run',
  ],
});

/**
 * Waits until `selector` (a part of the lab) shows no progress bar, however deep in shadow roots,
 * and has drawn its first chart (`everyChart`: every chart in it). A string, not a function: tsx
 * would wrap a function's inner helpers in its own __name, which the page does not have.
 */
async function settle(page: Page, selector: string, everyChart = false): Promise<void> {
  await page.waitForFunction(
    `(() => {
      const root = document.querySelector(${JSON.stringify(selector)});
      if (!root) return false;
      const all = (node) => [...node.querySelectorAll('*')].flatMap(
        (el) => [el, ...(el.shadowRoot ? all(el.shadowRoot) : [])]);
      const elements = all(root);
      const figures = elements.filter((el) => el.localName.startsWith('grad-') && el.shadowRoot);
      const undrawn = ${everyChart} && elements.some(
        (el) => el.localName === 'grad-chart' && el.data === null);
      return figures.length > 0 && !undrawn && !elements.some((el) =>
        el.localName === 'progress' || el.getAttribute('data-testid') === 'waiting');
    })()`,
    undefined,
    { timeout: 300_000, polling: 500 },
  );
  await page.waitForTimeout(800);
}

/** A part of the lab, read as a reader reaches it: scrolled to, settled, photographed. */
async function capture(
  options: Parameters<typeof browser.newPage>[0],
  query: string,
  shots: [string, string][],
): Promise<void> {
  const page = await browser.newPage(options);
  await page.goto(`${base}/${query}`);
  for (const [id, file] of shots) {
    await page.evaluate(`document.getElementById(${JSON.stringify(id)}).scrollIntoView()`);
    await page.waitForTimeout(1500);
    // Training starts on its button: press it and let a few hundred steps run.
    const start = page.locator(`section#${id} grad-training button[data-action="start"]`);
    if (await start.count()) await start.first().click();
    // Figures run as the reader nears them: pass by each, as a reader scrolling down would.
    for (const chart of await page.locator(`section#${id} grad-chart`).all()) {
      await chart.scrollIntoViewIfNeeded();
      await page.waitForTimeout(300);
    }
    await settle(page, `#${id}`);
    // An image of one part: the page's sticky masthead would sit over it wherever it scrolled.
    await page.addStyleTag({ content: '.masthead { position: static !important; }' });
    await page.locator(`section#${id}`).screenshot({ path: join(out, file) });
    console.log(`saved docs/screenshots/${file}`);
  }
  await page.close();
}

/** The first screen, as a reader opens the lab. */
async function captureOpening(
  options: Parameters<typeof browser.newPage>[0],
  file: string,
): Promise<void> {
  const page = await browser.newPage(options);
  await page.goto(`${base}/`);
  await settle(page, '#top', true);
  await page.screenshot({ path: join(out, file) });
  console.log(`saved docs/screenshots/${file}`);
  await page.close();
}

/** Each element alone, with its docs example, once it has drawn everything. */
async function captureElements(): Promise<void> {
  const folder = join(out, 'elements');
  mkdirSync(folder, { recursive: true });
  const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
  for (const tag of ELEMENT_TAGS.filter((t) => t !== 'grad-lab')) {
    const query = new URLSearchParams({ element: tag, ...ELEMENT_EXAMPLES[tag] });
    // Figures alone, fixed; sections with their own controls.
    if (ELEMENTS[tag].shape !== 'section') query.set('controls', 'none');
    await page.goto(`${base}/e2e/pages/element.html?${query}`);
    const element = page.locator(tag);
    await element.scrollIntoViewIfNeeded();
    // A string, not a function: tsx would wrap a function's inner helpers in its own __name.
    await page.waitForFunction(
      `(() => {
        const host = document.querySelector(${JSON.stringify(tag)});
        const busy = (root) => [...root.querySelectorAll('*')].some(
          (el) => el.localName === 'progress' || (el.shadowRoot !== null && busy(el.shadowRoot)));
        return Boolean(host && host.shadowRoot) &&
          customElements.get(${JSON.stringify(tag)}) !== undefined && !busy(host.shadowRoot);
      })()`,
      undefined,
      { timeout: 300_000, polling: 500 },
    );
    await page.waitForTimeout(800);
    await element.screenshot({ path: join(folder, `${tag}.png`) });
    console.log(`saved docs/screenshots/elements/${tag}.png`);
  }
  await page.close();
}

try {
  if (process.argv.includes('--elements')) {
    await captureElements();
    process.exit(0);
  }
  // `--lab`: the lab's images only (the elements' take the longest).
  if (!process.argv.includes('--lab')) await captureElements();
  const desktop = { viewport: { width: 1280, height: 800 }, colorScheme: 'light' } as const;
  await captureOpening(desktop, 'opening.png');
  await captureOpening(
    { viewport: { width: 390, height: 844 }, colorScheme: 'light', deviceScaleFactor: 2 },
    'phone-opening.png',
  );
  await capture(
    desktop,
    '',
    PARTS.map((id): [string, string] => [id, `part-${id}.png`]),
  );
  await capture({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' }, '', [
    ['exercise', 'dark-exercise.png'],
  ]);
} finally {
  await browser.close();
  await server.close();
}
