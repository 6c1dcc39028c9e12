/**
 * gradlab's WebAssembly CPU kernels in headless Chromium, which runs relaxed SIMD by default: both
 * builds load, their products and activation passes are within the f32 bounds of the f64
 * reference (e2e/pages/cpu-kernels.ts), and the CPU worker measures the roofline and computes
 * with the relaxed-SIMD kernels. Node runs the same checks in tests/cpu/ (relaxed SIMD there
 * behind V8's flag).
 */
import { expect, test } from '@playwright/test';
import { ACTIVATION_NAMES } from '../src/engine/activations.ts';
import type { CpuKernelsReport } from './pages/cpu-kernels.ts';

test('both WebAssembly builds compute within their bounds; the worker picks relaxed SIMD', async ({
  page,
}) => {
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));

  await page.goto('/e2e/pages/cpu-kernels.html');
  await page.waitForFunction(() => 'gradlabCpuKernels' in window);
  const report: CpuKernelsReport = await page.evaluate(() => window.gradlabCpuKernels());
  console.log(`CPU roofline in Chromium: ${JSON.stringify(report.roofline)}`);

  expect(report.relaxedValidates).toBe(true);
  expect(report.best).toBe('wasm-relaxed-simd');
  expect(Object.keys(report.matmul).sort()).toEqual(['wasm-relaxed-simd', 'wasm-simd']);
  for (const [name, worst] of Object.entries(report.matmul)) {
    expect(worst, `${name} matmul`).toBeLessThanOrEqual(1);
  }
  expect(report.relaxedAgainstPlain).toBeLessThanOrEqual(1);
  expect(report.activations).toHaveLength(2 * ACTIVATION_NAMES.length);
  for (const { kernel, name, worst, at } of report.activations) {
    expect.soft(worst, `${kernel} ${name}, worst at x = ${at}`).toBeLessThanOrEqual(1);
  }
  expect(report.roofline.kernel).toBe('wasm-relaxed-simd');
  expect(report.roofline.mulAddGflops).toBeGreaterThan(0);
  expect(report.roofline.fusedMulAddGflops).toBeGreaterThan(0);
  expect(report.roofline.peakGflops).toBe(report.roofline.fusedMulAddGflops);
  expect(report.runKernel).toBe('wasm-relaxed-simd');
  expect(consoleErrors).toEqual([]);
});
