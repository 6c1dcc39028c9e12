import { chromium } from '@playwright/test';
import { startStaticServer } from './scripts/serve-static.mjs';
const server = await startStaticServer(6341, '/work/main/dist/app');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--enable-unsafe-webgpu'] });
for (let run = 0; run < 5; run++) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const requested = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  const t0 = Date.now();
  await page.goto('http://127.0.0.1:6341/');
  await page.waitForFunction(() => {
    const fig = document.querySelector('grad-lab')?.querySelector('#fig-opening') ?? document.querySelector('#fig-opening');
    const chart = fig?.shadowRoot?.querySelector('grad-chart');
    return chart && chart.drawnColumns?.length > 1 && chart.shadowRoot?.querySelector('canvas');
  }, null, { timeout: 30000, polling: 20 });
  const at = await page.evaluate(() => performance.now());
  await page.waitForTimeout(1500);
  console.log(Math.round(at), 'ms', requested.filter((p) => /assets\/[a-z-]+-/.test(p)).map((p) => p.split('/').pop().replace(/-[\w-]{8}\./, '.')).join(' '));
  await page.close();
}
await browser.close(); server.close();
