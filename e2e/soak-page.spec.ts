/**
 * The page soak (docs/reliability.md): 500 runs through the page's one run queue
 * (e2e/pages/reliability.html), 250 on WebGPU and 250 on the CPU worker, eight asked at a time,
 * each with its own seed and changing sizes (soakSpec). Every request is answered exactly once,
 * with its own spec, none fails or falls back; the GPU buffer pool lends nothing once they are done
 * and keeps at most a bounded number of idle bytes; the JavaScript heap does not grow with the
 * number of runs.
 */
import { expect, test } from '@playwright/test';
import type { SoakReport } from './pages/reliability.ts';
import { watchPage } from './watch.ts';

/** Idle bytes the pool may keep between runs: the buffers of the largest soak shape, a few times. */
const IDLE_BOUND_BYTES = 4 * 1024 * 1024;
/** Heap growth allowed over the second half of the soak (the first half warms every cache). */
const HEAP_GROWTH_BOUND_BYTES = 16 * 1024 * 1024;

test('500 runs in one page, on WebGPU and the CPU: each answered once, the pool and heap bounded', async ({
  page,
}) => {
  test.setTimeout(480_000);
  const { errors, foreign } = watchPage(page);
  await page.goto('/e2e/pages/reliability.html');
  await page.waitForFunction(() => 'gradlabReliability' in window);
  // The figures' own first runs, out of the way.
  await expect
    .poll(() => page.evaluate(() => window.gradlabReliability.accounting().queued), {
      timeout: 120_000,
    })
    .toBe(0);
  const heap = () =>
    page.evaluate(
      () =>
        (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory
          ?.usedJSHeapSize ?? 0,
    );
  const soak = (backend: 'cpu' | 'webgpu', first: number, count: number): Promise<SoakReport> =>
    page.evaluate(([b, f, c]) => window.gradlabReliability.soak(b, f, c, 8), [
      backend,
      first,
      count,
    ] as const);

  const reports: SoakReport[] = [];
  reports.push(await soak('webgpu', 0, 125), await soak('cpu', 1000, 125));
  const heapAfterHalf = await heap();
  reports.push(await soak('webgpu', 125, 125), await soak('cpu', 1125, 125));
  const heapAtEnd = await heap();

  for (const report of reports) {
    expect(report.runs).toBe(125);
    expect(report.lost).toEqual([]);
    expect(report.answeredTwice).toEqual([]);
    expect(report.wrongSpec).toEqual([]);
    expect(report.failed).toEqual([]);
    expect(report.fellBack).toBe(0);
    expect(report.largestIdleBytes).toBeLessThanOrEqual(IDLE_BOUND_BYTES);
  }
  const accounting = await page.evaluate(() => window.gradlabReliability.accounting());
  const current = accounting.pools.at(-1)!;
  expect(current.inUseCount).toBe(0);
  expect(current.inUseByteCount).toBe(0);
  expect(current.openRuns).toBe(0);
  expect(current.idleByteCount).toBeLessThanOrEqual(IDLE_BOUND_BYTES);
  // One device for the whole soak, and one worker.
  expect(accounting.gpuBackendsCreated).toBe(1);
  expect(accounting.cpuPending).toBe(0);
  test.info().annotations.push({
    type: 'soak',
    description: `${reports.map((r) => `${Math.round(r.milliseconds)} ms`).join(', ')}; heap ${heapAfterHalf} → ${heapAtEnd} bytes; pool idle ${current.idleByteCount} bytes`,
  });
  if (heapAfterHalf > 0)
    expect(heapAtEnd - heapAfterHalf).toBeLessThanOrEqual(HEAP_GROWTH_BOUND_BYTES);
  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
});
