#!/usr/bin/env node
// `npm run screenshots`: serves the lab, waits for every section to finish its runs, and saves one
// image per section (docs/screenshots/<section>.png), plus the lab at phone width and in the dark
// theme. The README shows these. Uses the Chromium that `npm test` uses (CHROMIUM_PATH or
// /usr/bin/chromium); nothing is downloaded.
import { chromium } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

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
async function settle(page) {
  // The callback runs in the page, where document exists.
  await page.waitForFunction(
    () =>
      // eslint-disable-next-line no-undef
      document.querySelector('grad-lab')?.shadowRoot?.querySelector('section') &&
      // eslint-disable-next-line no-undef
      Array.from(document.querySelector('grad-lab').shadowRoot.querySelectorAll('section')).every(
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

async function capture(options, query, shots) {
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

try {
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
    ...sections.map((id) => [id, `${id}.png`]),
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
