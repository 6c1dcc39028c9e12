/**
 * The WebGPU backend in headless Chromium (SwiftShader without a GPU) against cpu64, and the page
 * falling back to the CPU, saying so, when WebGPU is unavailable.
 */
import { expect, test } from '@playwright/test';
import type { ParityReport } from './pages/gpu-parity.ts';
import { withoutWebGpu } from './no-webgpu.ts';

test('full WebGPU runs match cpu64 in the browser', async ({ page }) => {
  test.setTimeout(600_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/e2e/pages/gpu-parity.html');
  await page.waitForFunction(() => 'gradlabParity' in window);
  const report: ParityReport = await page.evaluate(() => window.gradlabParity());
  console.log(
    `WebGPU parity in the browser (${report.adapter}): ${report.milliseconds.toFixed(0)} ms`,
  );
  expect(report.cases.length).toBeGreaterThan(11);
  for (const c of report.cases) expect.soft(c.problems, JSON.stringify(c.spec)).toEqual([]);
  expect(errors).toEqual([]);
});

test('the page runs webgpu when asked, and falls back to the CPU, saying so, without WebGPU', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await page.goto('/?backend=webgpu&depth=3&width=8&inputs=8&outputs=2&batch=4#run');
  await expect(page.locator('grad-run').locator('table[part="table"] tbody tr')).toHaveCount(4, {
    timeout: 240_000,
  });
  await expect(
    page.locator('grad-run').getByText('backend webgpu (f32, google swiftshader)'),
  ).toBeVisible();

  const noGpu = await page.context().newPage();
  await withoutWebGpu(noGpu);
  await noGpu.goto('/?backend=webgpu&depth=3&width=8&inputs=8&outputs=2&batch=4#run');
  await expect(noGpu.locator('grad-run').getByTestId('fallback')).toContainText(
    'used the CPU backend',
  );
  await expect(noGpu.getByTestId('gpu-status')).toContainText('no WebGPU');
  await expect(noGpu.locator('grad-run').locator('table[part="table"] tbody tr')).toHaveCount(4);
  await expect(noGpu.locator('grad-run').getByText('backend cpu (f32)')).toBeVisible();
});
