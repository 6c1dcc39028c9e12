/**
 * `npm run screenshots`: serves the lab, waits for every section to finish its runs, and saves one
 * image per section (docs/screenshots/<section>.png), plus the lab at phone width and in the dark
 * theme, and one image of each element alone in a 700 px column with its docs example
 * (docs/screenshots/elements/<tag>.png). The README and docs/elements.md show these. Uses the
 * Chromium that `npm test` uses (CHROMIUM_PATH or /usr/bin/chromium); nothing is downloaded.
 */
import { chromium, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { ELEMENT_TAGS, ELEMENTS } from '../src/lib/registry.ts';
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

/** Waits until no section shows a progress bar. */
async function settle(page: Page): Promise<void> {
  // The callback runs in the page, where document exists.
  await page.waitForFunction(
    () =>
      document.querySelector('grad-lab')?.shadowRoot?.querySelector('section') &&
      Array.from(document.querySelector('grad-lab')!.shadowRoot!.querySelectorAll('section')).every(
        (section) =>
          Array.from(section.children).every(
            (child) => !child.shadowRoot?.querySelector('progress'),
          ),
      ),
    undefined,
    { timeout: 300_000, polling: 500 },
  );
  await page.waitForTimeout(500);
}

async function capture(
  options: Parameters<typeof browser.newPage>[0],
  query: string,
  shots: [string, string][],
): Promise<void> {
  const page = await browser.newPage(options);
  await page.goto(`${base}/${query}`);
  await settle(page);
  // Training starts on its button: press it, then everything else settles meanwhile.
  const start = page.locator('grad-training button[data-action="start"]');
  if (shots.some(([id]) => id === 'training')) await start.click();
  // Sections that wait to be seen start when scrolled to: visit them all, then let them finish.
  for (const [id] of shots) await page.locator(`section#${id}`).scrollIntoViewIfNeeded();
  await page.waitForTimeout(500);
  await settle(page);
  for (const [id, file] of shots) {
    const target = page.locator(`section#${id}`);
    await target.screenshot({ path: join(out, file) });
    console.log(`saved docs/screenshots/${file}`);
  }
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
    await page.waitForFunction(
      (name) => {
        const host = document.querySelector(name);
        const deep = (root: ParentNode): boolean =>
          [...root.querySelectorAll('*')].some(
            (el) => el.localName === 'progress' || (el.shadowRoot !== null && deep(el.shadowRoot)),
          );
        return (
          Boolean(host?.shadowRoot) &&
          customElements.get(name) !== undefined &&
          !deep(host!.shadowRoot!)
        );
      },
      tag,
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
  await captureElements();
  const sections = [
    'activations',
    'gradient-flow',
    'init-explorer',
    'fixes',
    'theory',
    'training',
    'notebook',
    'run',
    'verify',
    'benchmark',
  ];
  await capture({ viewport: { width: 1200, height: 900 }, colorScheme: 'light' }, '', [
    ['settings', 'settings.png'],
    ...sections.map((id): [string, string] => [id, `${id}.png`]),
  ]);
  await capture({ viewport: { width: 390, height: 844 }, colorScheme: 'light' }, '', [
    ['gradient-flow', 'phone-gradient-flow.png'],
  ]);
  await capture({ viewport: { width: 1200, height: 900 }, colorScheme: 'dark' }, '', [
    ['init-explorer', 'dark-init-explorer.png'],
  ]);
} finally {
  await browser.close();
  await server.close();
}
