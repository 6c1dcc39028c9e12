/**
 * The whole lab, as `npm start` serves it: every section renders its charts from real runs, with
 * WebGPU (SwiftShader here) and without it (the CPU fallback says so); axe finds no accessibility
 * violations; the layout fits a phone; the URL round-trips; charts export their data; nothing
 * logs an error and nothing is fetched from another origin.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { openSettings, PARTS } from './lab-page.ts';
import { watchPage } from './watch.ts';
import { withoutWebGpu } from './no-webgpu.ts';

/** Small sizes, so every section's runs finish quickly even on SwiftShader. */
const SMALL =
  'depth=4&width=8&inputs=8&outputs=2&batch=4&depths=2,4&activations=sigmoid,relu&inits=xavier,he';

/**
 * Reads the lab from top to bottom as a reader would: each part is scrolled to and waited for
 * (figures run while they are near, and pause far away) until it has drawn a chart and shows no
 * progress, passing by each figure still at work. The training and the benchmark run only when
 * asked: their parts just have to be there.
 */
async function settle(page: Page): Promise<void> {
  for (const id of PARTS) {
    const part = page.locator(`section#${id}`);
    await part.scrollIntoViewIfNeeded();
    await page.evaluate((i) => document.getElementById(i)!.scrollIntoView(), id);
    if (id === 'training') continue;
    const drawn =
      id === 'speed'
        ? page.locator('grad-verify').getByTestId('verify-backend')
        : part.locator('grad-chart canvas').first();
    await expect(drawn).toBeAttached({ timeout: 240_000 });
    // A tall part's last figures are far from its top, and pause there until the reader comes:
    // pass by each figure still busy, as a reader scrolling on would.
    const busy = part.locator('progress');
    await expect
      .poll(
        async () => {
          const count = await busy.count();
          if (count > 0)
            await busy
              .first()
              .scrollIntoViewIfNeeded({ timeout: 5_000 })
              .catch(() => {});
          return count;
        },
        { timeout: 240_000, intervals: [500] },
      )
      .toBe(0);
  }
}

for (const mode of ['webgpu', 'no-webgpu'] as const) {
  test.describe(`the lab (${mode === 'webgpu' ? 'WebGPU on SwiftShader' : 'WebGPU unavailable'})`, () => {
    test.beforeEach(async ({ page }) => {
      if (mode === 'no-webgpu') {
        await withoutWebGpu(page);
      }
    });

    test('every section runs and draws, with no errors, no foreign requests and no axe violations', async ({
      page,
    }) => {
      test.setTimeout(480_000);
      const { errors, foreign } = watchPage(page);
      await page.goto(`/?backend=webgpu&${SMALL}`);
      await settle(page);
      const status = page.getByTestId('gpu-status');
      if (mode === 'webgpu') {
        await expect(status).toContainText('software emulation');
        await expect(page.locator('grad-run').getByTestId('run-summary')).toContainText(
          'backend webgpu',
        );
      } else {
        await expect(status).toContainText('no WebGPU');
        await expect(page.locator('grad-run').getByTestId('fallback')).toContainText(
          'used the CPU backend',
        );
        await expect(page.locator('grad-run').getByTestId('run-summary')).toContainText(
          'backend cpu (f32)',
        );
      }
      const axe = await new AxeBuilder({ page }).analyze();
      expect(
        axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      ).toEqual([]);
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
    });
  });
}

test('the layout fits a phone: nothing wider than the screen', async ({ page }) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(`/?${SMALL}`);
  await settle(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(overflow).toBeLessThanOrEqual(375);
});

test('the URL round-trips: a setting changed in the page survives a reload', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(`/?${SMALL}`);
  const form = await openSettings(page);
  await form.getByLabel('activation', { exact: true }).selectOption('tanh');
  await form.getByLabel('seed', { exact: true }).fill('7');
  await form.getByRole('button', { name: 'Apply and run' }).click();
  await expect.poll(() => new URL(page.url()).searchParams.get('seed')).toBe('7');
  const url = page.url();
  await page.reload();
  await openSettings(page);
  await expect(form.getByLabel('activation', { exact: true })).toHaveValue('tanh');
  await expect(form.getByLabel('seed', { exact: true })).toHaveValue('7');
  expect(page.url()).toBe(url);
  await page.evaluate(() => document.getElementById('run')!.scrollIntoView());
  await expect(page.locator('grad-run').getByTestId('run-summary')).toContainText('tanh', {
    timeout: 120_000,
  });
});

test('a chart exports its data as CSV and JSON, and its image as PNG', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(`/?${SMALL}&backend=cpu64#run`);
  const chart = page.locator('grad-run grad-chart');
  await expect(chart.locator('canvas')).toBeAttached({ timeout: 60_000 });
  const drawn = await chart.evaluate(
    (c) => (c as unknown as { drawnColumns: (number | null)[][] }).drawnColumns,
  );

  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    chart.getByRole('button', { name: 'CSV' }).click(),
  ]);
  expect(csv.suggestedFilename()).toBe('gradient-norms.csv');
  const lines = (await readDownload(csv)).trim().split('\n');
  expect(lines[0]).toBe('layer,‖δ⁽ˡ⁾‖ = ‖∂L/∂z⁽ˡ⁾‖,‖∂L/∂W⁽ˡ⁾‖');
  expect(lines).toHaveLength(drawn[0]!.length + 1);
  lines.slice(1).forEach((line, i) => {
    const [x, grad] = line.split(',').map(Number);
    expect(x).toBe(drawn[0]![i]);
    expect(grad).toBe(drawn[1]![i]);
  });

  const [json] = await Promise.all([
    page.waitForEvent('download'),
    chart.getByRole('button', { name: 'JSON' }).click(),
  ]);
  const parsed = JSON.parse(await readDownload(json));
  expect(parsed.x).toEqual(drawn[0]);
  expect(parsed.series[0].values).toEqual(drawn[1]);

  const [png] = await Promise.all([
    page.waitForEvent('download'),
    chart.getByRole('button', { name: 'PNG' }).click(),
  ]);
  const bytes = Buffer.from(await readDownload(png, 'binary'), 'binary');
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  expect(bytes.length).toBeGreaterThan(2000);
});

async function readDownload(
  download: import('@playwright/test').Download,
  encoding: BufferEncoding = 'utf8',
): Promise<string> {
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString(encoding);
}

test('the Embed action gives a figure’s snippet as configured, and its iframe works', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto(`/?${SMALL}#vanishing`);
  const sweep = page.locator('section#vanishing grad-depth-sweep');
  await sweep.scrollIntoViewIfNeeded();
  await sweep.getByRole('button', { name: 'Embed' }).click();
  await expect(sweep.getByTestId('embed-snippet')).toContainText(
    '<grad-depth-sweep depth="4" width="8" inputs="8" outputs="2" batch="4" depths="2,4" ' +
      'activations="sigmoid,relu" inits="xavier,he" controls="none"></grad-depth-sweep>',
  );
  // In the lab, the figure's own address too: the page with its settings, at this figure.
  await expect(sweep.getByTestId('deep-link')).toContainText(
    `/?${SMALL}#vanishing/grad-depth-sweep`,
  );
  await page.goto(
    '/embed.html?widget=grad-depth-sweep&depth=4&width=8&inputs=8&outputs=2&batch=4&depths=2,4',
  );
  await expect(page.locator('grad-depth-sweep grad-chart canvas').first()).toBeAttached({
    timeout: 60_000,
  });
});
