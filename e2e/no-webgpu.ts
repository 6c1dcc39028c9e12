/** A browser without WebGPU, as many readers have. */
import type { Page } from '@playwright/test';

/** From the next page this tab opens on, `navigator.gpu` is undefined. */
export async function withoutWebGpu(page: Page): Promise<void> {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined });
  });
}
