/**
 * WebGPU smoke test in headless Chromium (SwiftShader without a GPU): the page
 * e2e/pages/gpu-smoke.html runs every activation's WGSL kernel and compares f and f' with the f64
 * reference, as the Node test does with Dawn.
 */
import { expect, test } from '@playwright/test';
import { ACTIVATION_NAMES } from '../src/engine/activations.ts';
import type { SmokeReport } from './pages/gpu-smoke.ts';

test('the WebGPU activation kernel matches the f64 reference in Chromium', async ({ page }) => {
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));

  await page.goto('/e2e/pages/gpu-smoke.html');
  await page.waitForFunction(() => 'gradlabSmoke' in window);
  const report: SmokeReport = await page.evaluate(() => window.gradlabSmoke());

  console.log(`WebGPU adapter (Chromium): ${JSON.stringify(report.adapter)}`);
  console.log(`activation smoke in the browser: ${report.milliseconds.toFixed(0)} ms`);
  expect(report.adapter, report.problem ?? 'no WebGPU adapter').not.toBeNull();
  expect(report.gpuErrors).toEqual([]);

  const names = new Set(report.results.map((r) => r.name));
  expect([...names].sort()).toEqual([...ACTIVATION_NAMES].sort());
  expect(report.results.length).toBe(ACTIVATION_NAMES.length + 2);
  for (const result of report.results) {
    expect.soft(result.nonFinite, result.summary).toEqual([]);
    expect.soft(result.failures, result.summary).toBe(0);
  }
  expect(consoleErrors).toEqual([]);
});
