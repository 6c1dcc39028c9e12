/**
 * Faults injected into the page's own runs (e2e/pages/reliability.html: two figures of one small
 * run, on webgpu and on cpu, and the hooks of the page's ExperimentRunner). Each WebGPU failure —
 * a device lost while preparing, at submission or at read-back, a shader that does not compile,
 * a submission WebGPU rejects — is redone on the CPU: the figure draws the CPU's numbers and says
 * why, and the next run is on the GPU again. A CPU worker that crashes or is terminated mid-run
 * makes the figure show the error, and the next run works on a new worker. A run cancelled at any
 * phase frees what it took (the GPU pool lends nothing, no prepared run stays open, no request
 * waits on the worker), and the next run's numbers equal those of a run made before it.
 *
 * The tests share one page, in order: each new GPU device compiles every pipeline again, for
 * seconds on SwiftShader.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { GpuFaults } from '../src/backends/webgpu/faults.ts';
import type { CpuFault } from '../src/backends/cpu/worker-protocol.ts';
import type { Accounting, CancelPoint, RunSummary } from './pages/reliability.ts';
import { watchPage, type PageWatch } from './watch.ts';

test.describe.configure({ mode: 'serial' });

/** The figures' spec (e2e/pages/reliability.html), as entries. */
const SPEC = {
  activation: 'tanh',
  depth: '3',
  width: '8',
  inputs: '8',
  outputs: '8',
  batch: '8',
} as const;

let page: Page;
let watch: PageWatch;
/** The GPU figure's first run. */
let firstOnGpu: Drawn;

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  watch = watchPage(page);
  await page.goto('/e2e/pages/reliability.html');
  await page.waitForFunction(() => 'gradlabReliability' in window);
});

test.afterAll(async () => {
  await page.close();
});

const accounting = (): Promise<Accounting> =>
  page.evaluate(() => window.gradlabReliability.accounting());

const directRun = (entries: Record<string, string>, cancel?: CancelPoint): Promise<RunSummary> =>
  page.evaluate(([e, c]) => window.gradlabReliability.run(e, c ?? undefined), [
    entries,
    cancel ?? null,
  ] as const);

interface Drawn {
  readonly seed: number;
  readonly backend: string;
  readonly numbers: number[];
}

/** The run a figure draws (grad-layer-plot's `result`), as plain data; null while it has none. */
function drawnRun(figure: Locator): Promise<Drawn | null> {
  return figure.evaluate((element) => window.gradlabReliability.drawnRun(element.id));
}

/** Sets a figure's seed and waits until it has drawn that run; returns what it drew. */
async function redraw(figure: Locator, seed: number): Promise<Drawn> {
  await figure.evaluate((element, s) => element.setAttribute('seed', String(s)), seed);
  let drawn: Drawn | null = null;
  await expect
    .poll(
      async () => {
        drawn = await drawnRun(figure);
        return drawn?.seed;
      },
      { timeout: 90_000 },
    )
    .toBe(seed);
  // The chart has the run's columns: layers on x, ‖δ‖ and ‖∂L/∂W‖.
  await expect
    .poll(() =>
      figure
        .locator('grad-chart')
        .evaluate((chart) => (chart as unknown as { drawnColumns: unknown[][] }).drawnColumns[0]),
    )
    .toEqual([1, 2, 3, 4]);
  return drawn!;
}

/** A figure's run error (the attribute problems are an alert too, with their own test id). */
const runError = (figure: Locator) => figure.locator('.run-status p.error[role="alert"]');

/** Waits until the page's queue is idle and no request waits on the worker. */
async function settled(): Promise<Accounting> {
  await expect.poll(async () => (await accounting()).queued).toBe(0);
  return accounting();
}

function expectPoolsIdle(state: Accounting, why: string): void {
  const current = state.pools.at(-1)!;
  expect(current.inUseCount, why).toBe(0);
  expect(current.inUseByteCount, why).toBe(0);
  expect(current.openRuns, why).toBe(0);
}

test('both figures draw their first run: webgpu on the GPU, cpu in the worker', async () => {
  const gpu = page.locator('#gpu');
  const cpu = page.locator('#cpu');
  firstOnGpu = await redraw(gpu, 1);
  expect(firstOnGpu.backend).toBe('webgpu');
  await expect(gpu.getByTestId('fallback')).toHaveCount(0);
  expect((await redraw(cpu, 1)).backend).toBe('cpu');
  expectPoolsIdle(await settled(), 'after the first runs');
  expect(watch.errors).toEqual([]);
});

/**
 * The faults in the order they are injected. Every failed GPU run gives its device up, so each
 * fault after the first fires on a new device that the next run made: that it fires at all shows
 * the run after a fault went to the GPU again. The order keeps new devices cheap: a device lost
 * while preparing, and a shader that does not compile, fail before the other pipelines compile.
 */
const GPU_FAULTS: {
  readonly name: string;
  readonly faults: Partial<GpuFaults>;
  readonly says: RegExp;
}[] = [
  {
    name: 'a submission WebGPU rejects',
    faults: { invalidSubmissions: 1 },
    says: /^WebGPU failed \(WebGPU rejected the run: [\s\S]+\), so this run used the CPU backend \(f32\)\.$/,
  },
  {
    name: 'a device lost while preparing',
    faults: { loseDeviceAt: 'prepare' },
    says: /^WebGPU failed \(the GPU device was lost \(.*\); start a new run\), so this run used the CPU backend \(f32\)\.$/,
  },
  {
    name: 'a shader that does not compile',
    faults: { brokenShaders: 1 },
    says: /^WebGPU failed \(WebGPU failed while preparing the run: [\s\S]+\), so this run used the CPU backend \(f32\)\.$/,
  },
  {
    name: 'a device lost at submission',
    faults: { loseDeviceAt: 'submit' },
    says: /^WebGPU failed \(the GPU device was lost \(.*\) during the run\), so this run used the CPU backend \(f32\)\.$/,
  },
  {
    name: 'a device lost during read-back',
    faults: { loseDeviceAt: 'readback' },
    says: /^WebGPU failed \(the GPU device was lost \(.*\) during the run\), so this run used the CPU backend \(f32\)\.$/,
  },
];

let seed = 10;

for (const [index, fault] of GPU_FAULTS.entries()) {
  test(`${fault.name}: the figure redoes the run on the CPU and says why`, async () => {
    const gpu = page.locator('#gpu');
    const before = await settled();
    await page.evaluate((f) => window.gradlabReliability.setGpuFaults(f), fault.faults);
    seed += 1;
    const fallback = await redraw(gpu, seed);
    // The CPU's numbers, exactly: the same spec in the same worker.
    expect(fallback.backend).toBe('cpu');
    const onCpu = await directRun({ ...SPEC, seed: String(seed), backend: 'cpu' });
    expect(fallback.numbers).toEqual(onCpu.numbers);
    const notice = gpu.getByTestId('fallback');
    await expect(notice).toBeVisible();
    expect(await notice.textContent()).toMatch(fault.says);
    // The fault fired once and reset itself.
    expect(await page.evaluate(() => window.gradlabReliability.gpuFaults())).toEqual({
      loseDeviceAt: null,
      brokenShaders: 0,
      invalidSubmissions: 0,
    });
    const after = await settled();
    // The first fault fires on the page's first device; each later one on a new device, made
    // because the run after the previous fault went to the GPU again.
    expect(after.gpuBackendsCreated - before.gpuBackendsCreated).toBe(index === 0 ? 0 : 1);
    expectPoolsIdle(after, fault.name);
  });
}

test('after the faults, the next run is on the GPU again, with the numbers of the first', async () => {
  const gpu = page.locator('#gpu');
  const before = await settled();
  // Seed 1 again, run anew: the queue forgets the results it kept.
  await page.evaluate(() => window.gradlabReliability.clearKept());
  const next = await redraw(gpu, 1);
  expect(next.backend).toBe('webgpu');
  await expect(gpu.getByTestId('fallback')).toHaveCount(0);
  expect(next.numbers).toEqual(firstOnGpu.numbers);
  const after = await settled();
  expect(after.gpuBackendsCreated - before.gpuBackendsCreated).toBe(1);
  expectPoolsIdle(after, 'the run after the faults');
});

const CPU_FAULTS: {
  readonly fault: CpuFault;
  readonly says: RegExp;
  readonly newWorker: boolean;
}[] = [
  {
    fault: { kind: 'crash', phase: 'forward', layer: 2 },
    says: /^the CPU worker stopped before it answered: it crashed \(.+\); run again to use a new one$/,
    newWorker: true,
  },
  {
    fault: { kind: 'terminate', phase: 'backward', layer: 2 },
    says: /^the CPU worker stopped before it answered: it was terminated during the run \(an injected fault\); run again to use a new one$/,
    newWorker: true,
  },
  {
    fault: { kind: 'error', phase: 'statistics' },
    says: /^injected error at statistics$/,
    newWorker: false,
  },
];

for (const { fault, says, newWorker } of CPU_FAULTS) {
  test(`a CPU worker ${fault.kind === 'error' ? 'failing a run' : `that ${fault.kind === 'crash' ? 'crashes' : 'is terminated'}`} mid-run: the figure shows the error, the next run works`, async () => {
    const cpu = page.locator('#cpu');
    // What the next run must draw: the same spec, run before the fault.
    seed += 1;
    const nextSeed = seed;
    const reference = await directRun({ ...SPEC, seed: String(nextSeed), backend: 'cpu' });
    expect(reference.ok).toBe(true);
    const before = await settled();
    await page.evaluate((f) => window.gradlabReliability.setCpuFault(f), fault);
    seed += 1;
    await cpu.evaluate((element, s) => element.setAttribute('seed', String(s)), seed);
    await expect(runError(cpu)).toHaveText(says, { timeout: 60_000 });
    expect(await drawnRun(cpu)).toBeNull();
    expect((await settled()).cpuPending).toBe(0);

    // The next run works.
    const next = await redraw(cpu, nextSeed);
    await expect(runError(cpu)).toHaveCount(0);
    expect(next.numbers).toEqual(reference.numbers);
    const after = await settled();
    expect(after.workersStarted - before.workersStarted).toBe(newWorker ? 1 : 0);
    expect(after.cpuPending).toBe(0);
  });
}

test('a WebGPU run cancelled at prepare, submit or read-back frees everything; the next equals one before', async () => {
  const spec = { ...SPEC, residual: 'true', seed: '7', backend: 'webgpu' };
  const fresh = await directRun(spec);
  expect(fresh.backend).toBe('webgpu');
  for (const phase of ['prepare', 'submit', 'readback'] as const) {
    const cancelled = await directRun(spec, { phase });
    expect(cancelled.error, phase).toEqual({
      name: 'AbortError',
      message: `cancelled at ${phase}`,
    });
    expectPoolsIdle(await accounting(), `cancelled at ${phase}`);
    const next = await directRun(spec);
    expect(next.backend, phase).toBe('webgpu');
    expect(next.numbers, phase).toEqual(fresh.numbers);
    expectPoolsIdle(await accounting(), `the run after ${phase}`);
  }
});

test('a CPU run cancelled in its forward or backward pass stops its worker; the next equals one before', async () => {
  const spec = { ...SPEC, residual: 'true', seed: '7', backend: 'cpu' };
  const fresh = await directRun(spec);
  expect(fresh.backend).toBe('cpu');
  const points: CancelPoint[] = [
    { progress: 'forward', done: 1 },
    { progress: 'forward', done: 4 },
    { progress: 'backward', done: 1 },
    { progress: 'backward', done: 4 },
  ];
  for (const point of points) {
    const why = JSON.stringify(point);
    const before = await accounting();
    const cancelled = await directRun(spec, point);
    expect(cancelled.error?.name, why).toBe('AbortError');
    expect((await accounting()).cpuPending, why).toBe(0);
    const next = await directRun(spec);
    expect(next.numbers, why).toEqual(fresh.numbers);
    // The cancelled run's worker was stopped; the next run started a new one.
    expect((await accounting()).workersStarted - before.workersStarted, why).toBe(1);
  }
  expect(watch.errors).toEqual([]);
});
