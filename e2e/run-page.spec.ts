/**
 * The page that `npm start` serves: a run off the main thread, with progress, cancel, URL state and
 * values that agree with the engine.
 */
import { expect, test, type Page } from '@playwright/test';
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../src/engine/experiment.ts';
import { parseSpec } from '../src/engine/spec.ts';
import { openSettings } from './lab-page.ts';
import { collectConsoleErrors } from './watch.ts';
import { withoutWebGpu } from './no-webgpu.ts';

async function tableValues(page: Page): Promise<string[][]> {
  const rows = page.locator('grad-run').locator('table[part="table"] tbody tr');
  return rows.evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? '')),
  );
}

test('runs the URL spec in a worker and shows per-layer statistics that match the engine', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto(
    '/?activation=tanh&depth=6&width=16&inputs=16&outputs=2&batch=8&seed=3&backend=cpu64#run',
  );
  await expect(page.locator('grad-run').locator('table[part="table"] tbody tr')).toHaveCount(7, {
    timeout: 60_000,
  });
  const rows = await tableValues(page);
  // The same run through the engine, here in Node.
  const spec = parseSpec({
    activation: 'tanh',
    depth: 6,
    width: 16,
    inputs: 16,
    outputs: 2,
    batch: 8,
    seed: 3,
    backend: 'cpu64',
  });
  const reference = (await runExperiment(spec, createCpuBackend('f64'))).stats.gradNorm;
  rows.forEach((row, i) => {
    expect(Number(row[0])).toBe(i + 1);
    expect(Number(row[1])).toBeCloseTo(Number(reference[i]!.toPrecision(4)), 10);
  });
  // The chart draws the same numbers: layers on x, ‖δ‖ and ‖∂L/∂W‖ per layer.
  const columns = await page
    .locator('grad-run')
    .locator('grad-chart')
    .evaluate((chart) => (chart as unknown as { drawnColumns: (number | null)[][] }).drawnColumns);
  expect(columns[0]).toEqual([1, 2, 3, 4, 5, 6, 7]);
  columns[1]!.forEach((value, i) => expect(value).toBeCloseTo(reference[i]!, 12));
  await expect(page.locator('grad-run').locator('grad-chart canvas')).toHaveCount(1);
  await expect(page.getByTestId('gpu-status')).not.toHaveText(/checking/);
  expect(errors).toEqual([]);
});

test('a bad URL value is reported, the defaults are used, and the page still runs', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/?depth=abc#run');
  const problems = page.getByTestId('url-problems');
  await expect(problems).toContainText('depth');
  await expect(problems).toContainText('integer from 1 to 1000');
  await expect(page.locator('grad-run').locator('table[part="table"] tbody tr')).toHaveCount(11, {
    timeout: 60_000,
  });
  expect(errors).toEqual([]);
});

test('a long run reports progress and can be cancelled', async ({ page }) => {
  await page.goto('/?depth=400&width=256&inputs=256&batch=64&backend=cpu64#run');
  const run = page.locator('grad-run');
  const progress = run.locator('progress');
  await expect(progress).toBeVisible();
  await run.getByRole('button', { name: 'Cancel' }).click();
  await expect(run.getByRole('alert')).toHaveText('Run cancelled.');
  await expect(progress).toHaveCount(0);
  // The page keeps working after a cancel: a small run completes.
  const form = await openSettings(page);
  await form.getByLabel('depth', { exact: true }).fill('3');
  await form.getByLabel('width', { exact: true }).fill('8');
  await form.getByRole('button', { name: 'Apply and run' }).click();
  await expect(run.locator('table[part="table"] tbody tr')).toHaveCount(4, { timeout: 60_000 });
  expect(page.url()).toContain('depth=3');
});

test('an overflowing network shows non-finite values instead of crashing', async ({ page }) => {
  await page.goto(
    '/?activation=linear&init=normal&depth=40&width=64&inputs=64&batch=4&backend=cpu#run',
  );
  // The sections above this one load first (a deep link to the last part), and queue their runs.
  await expect(
    page.locator('grad-run').locator('table[part="table"] td.nonfinite').first(),
  ).toBeVisible({ timeout: 120_000 });
  await expect(page.locator('grad-run').locator('grad-chart').getByRole('note')).toContainText(
    'non-finite values (overflow) not drawn',
  );
});

test('α survives a re-run, and a new activation starts from its own default α', async ({
  page,
}) => {
  await page.goto('/?activation=leaky_relu&alpha=0.2&depth=3&width=8&inputs=8#run');
  const form = await openSettings(page);
  const alpha = form.getByLabel('alpha', { exact: true });
  await expect(alpha).toHaveValue('0.2');
  await form.getByRole('button', { name: 'Apply and run' }).click();
  await expect(page.locator('grad-run').locator('table[part="table"] tbody tr')).toHaveCount(4, {
    timeout: 60_000,
  });
  expect(new URL(page.url()).searchParams.get('alpha')).toBe('0.2');
  await form.getByLabel('activation', { exact: true }).selectOption('elu');
  await expect(alpha).toHaveValue('1');
  await form.getByLabel('activation', { exact: true }).selectOption('tanh');
  await expect(alpha).toBeDisabled();
  await form.getByRole('button', { name: 'Apply and run' }).click();
  await expect(form.getByRole('alert')).toHaveCount(0);
  await expect.poll(() => new URL(page.url()).searchParams.get('activation')).toBe('tanh');
  expect(new URL(page.url()).searchParams.get('alpha')).toBeNull();
});

test('the settings form reports a bad value at its field, named as in the URL', async ({
  page,
}) => {
  await page.goto('/?depth=3&width=8&inputs=8#run');
  const form = await openSettings(page);
  await form.getByLabel('batch', { exact: true }).fill('0');
  await form.getByRole('button', { name: 'Apply and run' }).click();
  await expect(form.getByTestId('spec-problem')).toHaveText(
    'batch: got "0"; allowed: an integer from 1 to 65536',
  );
  await expect(form.getByLabel('batch', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  expect(new URL(page.url()).searchParams.get('batch')).toBeNull();
});

/**
 * The CPU issue's widest network, 50 × 1024 × batch 256 on the CPU (f32, its SIMD kernels, in the
 * worker and its helper lanes): the page stays responsive while it computes (frames keep coming,
 * no long task on the main thread), its progress advances layer by layer (drawing the weights,
 * seconds of it, then the passes), and Cancel stops it at once and frees the worker for the next
 * run.
 */
test('a 50 × 1024 × 256 CPU run keeps the page responsive, shows its progress, and cancels at once', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const errors = collectConsoleErrors(page);
  // A reader without WebGPU, whom this CPU backend is for (and the timings part above, which
  // runs the same network on the backend under test, would otherwise run it on SwiftShader).
  await withoutWebGpu(page);
  await page.addInitScript(() => {
    const tasks: { start: number; duration: number }[] = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        tasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
    (window as unknown as { longTasks: typeof tasks }).longTasks = tasks;
  });
  await page.goto('/?depth=50&width=1024&inputs=1024&batch=256&backend=cpu#run');
  const run = page.locator('grad-run');
  const progress = run.locator('progress');
  const fraction = () =>
    progress.evaluate((element) => (element as HTMLProgressElement).value).catch(() => -1);
  // Its progress advances (once the queue reaches it: the timings part above times the same
  // network first).
  await expect.poll(fraction, { timeout: 120_000, intervals: [100] }).toBeGreaterThan(0);
  const first = await fraction();
  // Drawing 52 million weights takes seconds: the bar moves through them layer by layer.
  await expect(run.locator('[part="run-status"] [role="status"]')).toHaveText(
    /run 1: (weights|forward|backward) \d+\/51/,
  );

  // Two seconds of the run, watched from the main thread: the gap between animation frames, and
  // the long tasks that began in that window.
  const watched = await page.evaluate(async () => {
    const start = performance.now();
    let last = start;
    let widest = 0;
    await new Promise<void>((done) => {
      const frame = (now: number) => {
        widest = Math.max(widest, now - last);
        last = now;
        if (now - start < 2000) requestAnimationFrame(frame);
        else done();
      };
      requestAnimationFrame(frame);
    });
    const tasks = (window as unknown as { longTasks: { start: number; duration: number }[] })
      .longTasks;
    return {
      widestFrameGapMs: widest,
      longTasks: tasks.filter((task) => task.start >= start).map((task) => task.duration),
    };
  });
  test.info().annotations.push({
    type: 'responsiveness',
    description: `widest frame gap ${watched.widestFrameGapMs.toFixed(0)} ms; long tasks ${JSON.stringify(watched.longTasks)}`,
  });
  expect(watched.widestFrameGapMs).toBeLessThan(200);
  expect(watched.longTasks.filter((duration) => duration >= 200)).toEqual([]);
  await expect.poll(fraction, { timeout: 30_000 }).toBeGreaterThan(first);
  expect(await fraction()).toBeLessThan(1);

  // Cancel answers at once (the worker is terminated, not waited for).
  const pressed = Date.now();
  await run.getByRole('button', { name: 'Cancel' }).click();
  await expect(run.getByRole('alert')).toHaveText('Run cancelled.');
  await expect(progress).toHaveCount(0);
  expect(Date.now() - pressed).toBeLessThan(2000);

  // A small run then completes in a new worker.
  const form = await openSettings(page);
  await form.getByLabel('depth', { exact: true }).fill('3');
  await form.getByLabel('width', { exact: true }).fill('8');
  await form.getByLabel('inputs', { exact: true }).fill('8');
  await form.getByLabel('batch', { exact: true }).fill('8');
  await form.getByRole('button', { name: 'Apply and run' }).click();
  await expect(run.locator('table[part="table"] tbody tr')).toHaveCount(4, { timeout: 60_000 });
  expect(errors).toEqual([]);
});
