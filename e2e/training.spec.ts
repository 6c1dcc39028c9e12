/**
 * The training section: a small run in the cpu64 worker, whose loss curve and heat-maps must
 * equal trainSteps run here in Node; Pause stops, Step advances exactly one step, Reset clears.
 * The comparison mode: several networks in lockstep, each equal to trainSteps from the same
 * shared training set, heat-maps on one colour scale, Pause/Step/Reset acting on all of them.
 * The section is a composition of figures (grad-training-loss with the controls,
 * grad-training-summary, grad-training-heatmap) that show one training session; the figures on
 * their own (e2e/pages/training-figures.html) share a session too, train by themselves, pause
 * while far from the viewport and resume when scrolled back.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { parseSpec } from '../src/engine/spec.ts';
import {
  createTrainingState,
  parseTrainingOptions,
  trainSteps,
  type TrainingRecord,
} from '../src/backends/cpu/training.ts';
import type { ChartData } from '../src/ui/grad-chart/chart-data.ts';
import {
  comparisonPlan,
  comparisonStates,
  sharedColorRange,
} from '../src/ui/grad-training/training-compare.ts';
import { collectConsoleErrors } from './watch.ts';

const QUERY = {
  activation: 'sigmoid',
  depth: '6',
  width: '16',
  inputs: '8',
  outputs: '2',
  batch: '16',
  backend: 'cpu64',
};

/** The section on its own (the embed route): no other section's runs share the queue. */
const EMBED = `/embed.html?${new URLSearchParams({ widget: 'grad-training', ...QUERY })}`;

/** A chart by its name (data-chart), or a full selector. */
const chartSelector = (chart: string): string =>
  /[\s[]/.test(chart) ? chart : `grad-chart[data-chart="${chart}"]`;

/** A comparison's heat-map of one network. */
const heatmapOf = (quantity: string, id: string): string =>
  `grad-training-heatmap[quantity="${quantity}"][network="${id}"] grad-chart`;

async function chartData(section: Locator, chart: string): Promise<ChartData> {
  return section.locator(chartSelector(chart)).evaluate((element) => {
    const data = (element as unknown as { data: ChartData }).data;
    // Typed arrays come back as plain objects: make them arrays first.
    return {
      x: Array.from(data.x),
      series: data.series.map((s) => ({ label: s.label, values: Array.from(s.values) })),
      heatmap: data.heatmap && {
        ...data.heatmap,
        columns: data.heatmap.columns.map((c) => ({ ...c, values: Array.from(c.values) })),
      },
    } as ChartData;
  });
}

async function drawn(section: Locator, chart: string): Promise<(number | null)[][]> {
  return section
    .locator(chartSelector(chart))
    .evaluate(
      (element) => (element as unknown as { drawnColumns: (number | null)[][] }).drawnColumns,
    );
}

/** Both sides are f64 and run the same code; Chromium's and Node's Math.exp may differ in ulps. */
function expectClose(actual: number | null | undefined, expected: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(1e-9 * Math.abs(expected) + 1e-300);
}

async function stepShown(section: Locator): Promise<number> {
  const text = (await section.getByTestId('progress').textContent()) ?? '';
  const match = /Step\s+(\d+)/.exec(text);
  return match ? Number(match[1]) : 0;
}

test('trains the lab network: loss curve and heat-maps equal the engine in Node', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto(`/?${new URLSearchParams(QUERY)}#training`);
  const section = page.locator('grad-training');
  await expect(section.getByTestId('progress')).toContainText('Not started', {
    // The lab imports the section as the reader approaches it: on a busy machine, a while.
    timeout: 60_000,
  });
  await expect(section.getByTestId('cpu-note')).toContainText('f64');
  await section.locator('input[name="steps"]').fill('40');
  await section.locator('input[name="steps"]').dispatchEvent('change');
  await section.locator('button[data-action="start"]').click();
  await expect(section.getByTestId('progress')).toContainText('Step 40 of 40', {
    timeout: 60_000,
  });
  await expect(section.locator('button[data-action="start"]')).toBeDisabled();

  const spec = parseSpec(QUERY);
  const options = parseTrainingOptions({ task: 'teacher', optimizer: 'sgd', lr: '0.1' });
  const { records } = trainSteps(createTrainingState(spec, options), 40);

  const loss = await drawn(section, 'loss');
  expect(loss[0]).toEqual(records.map((r) => r.step));
  records.forEach((r, i) => expectClose(loss[1]![i], r.loss));

  for (const quantity of ['updateRatio', 'gradNorm'] as const) {
    const chart = quantity === 'updateRatio' ? 'update-ratio' : 'grad-norm';
    const data = await chartData(section, chart);
    expect(Array.from(data.x)).toEqual(records.map((r) => r.step));
    expect(data.heatmap?.logColor).toBe(true);
    expect(data.heatmap?.normalize).toBe('global');
    const columns = data.heatmap!.columns;
    expect(columns).toHaveLength(40);
    columns.forEach((column, i) => {
      expect([column.lo, column.hi]).toEqual([0.5, 7.5]);
      const expected = records[i]![quantity];
      expect(column.values).toHaveLength(7);
      for (let l = 0; l < 7; l++) expectClose(column.values[l], expected[l]!);
    });
  }
  // The chapter's claim, in the sentence the section computes from the numbers.
  await expect(section.getByTestId('summary')).toContainText(
    /Layer 1 updates 10\^\d\.\d times more slowly than layer 7/,
  );
  expect(errors).toEqual([]);
});

test('Pause stops training, Step advances one step, Reset clears', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto(`/?${new URLSearchParams(QUERY)}#training`);
  const section = page.locator('grad-training');
  await expect(section.getByTestId('progress')).toContainText('Not started', {
    // The lab imports the section as the reader approaches it: on a busy machine, a while.
    timeout: 60_000,
  });
  const steps = section.locator('input[name="steps"]');
  await steps.fill('5000');
  await steps.dispatchEvent('change');
  await section.locator('button[data-action="start"]').click();
  await expect.poll(() => stepShown(section), { timeout: 60_000 }).toBeGreaterThan(0);
  await section.locator('button[data-action="pause"]').click();
  // Paused once Start turns into Resume and is enabled again.
  const resume = section.locator('button[data-action="start"]');
  await expect(resume).toHaveText('Resume', { timeout: 60_000 });
  await expect(resume).toBeEnabled();
  const paused = await stepShown(section);
  expect(paused).toBeLessThan(5000);
  await page.waitForTimeout(1000);
  expect(await stepShown(section)).toBe(paused);
  const recordsNow = (await networkSteps(section))[0]![1];
  expect(recordsNow).toBe(paused);

  await section.locator('button[data-action="step"]').click();
  await expect.poll(() => stepShown(section), { timeout: 60_000 }).toBe(paused + 1);
  await page.waitForTimeout(500);
  expect(await stepShown(section)).toBe(paused + 1);

  await section.locator('button[data-action="reset"]').click();
  await expect(section.getByTestId('progress')).toContainText('Not started');
  await expectNothingDrawn(section);
  await expect(section.locator('button[data-action="start"]')).toHaveText('Start');
  expect(errors).toEqual([]);
});

test('a preset sets the lab spec through the URL', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto(`/?${new URLSearchParams(QUERY)}#training`);
  const section = page.locator('grad-training');
  await section.locator('button[data-preset="relu"]').click();
  await expect(section.locator('button[data-preset="relu"]')).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  const params = new URL(page.url()).searchParams;
  expect(params.get('activation')).toBe('relu');
  expect(params.get('init')).toBe('he');
  await expect(section.locator('input[name="lr"]')).toHaveValue('0.03');
  expect(errors).toEqual([]);
});

/** Turns on the comparison and picks exactly `ids` (COMPARISON_CHOICES ids). */
async function pickNetworks(section: Locator, ids: readonly string[]): Promise<void> {
  await section.getByLabel('Compare several networks side by side').check();
  const boxes = section.locator('input[name="config"]');
  await expect(boxes).toHaveCount(5);
  for (const box of await boxes.all()) {
    const id = await box.getAttribute('value');
    if (ids.includes(id!)) await box.check();
    else await box.uncheck();
  }
}

async function setSteps(section: Locator, steps: number): Promise<void> {
  await section.locator('input[name="steps"]').fill(String(steps));
  await section.locator('input[name="steps"]').dispatchEvent('change');
}

/** The training as its figures hold it (one session for all the figures that show it). */
interface SessionView {
  readonly step: number;
  readonly target: number;
  readonly networks: readonly { state: { step: number } | null; records: unknown[] }[];
}

/** Every network's [step, number of records] as the section's training holds them. */
async function networkSteps(section: Locator): Promise<[number, number][]> {
  return section
    .locator('grad-training-loss')
    .evaluate((element) =>
      (element as unknown as { session: SessionView }).session.networks.map((n) => [
        n.state?.step ?? 0,
        n.records.length,
      ]),
    );
}

/** Reset: every chart of the section is empty (its box stays, reserved). */
async function expectNothingDrawn(section: Locator): Promise<void> {
  const charts = section.locator('grad-chart');
  await expect(charts).not.toHaveCount(0);
  await expect
    .poll(() =>
      charts.evaluateAll((nodes) =>
        nodes.every((n) => (n as unknown as { drawnColumns: unknown[] }).drawnColumns.length === 0),
      ),
    )
    .toBe(true);
}

function expectRecords(values: ArrayLike<number | null>, expected: readonly number[]): void {
  expect(values).toHaveLength(expected.length);
  expected.forEach((value, i) => expectClose(values[i], value));
}

test('compares networks side by side: each equals the engine, one colour scale, the chapter in numbers', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto(EMBED);
  const section = page.locator('grad-training');
  await expect(section.getByTestId('progress')).toContainText('Not started');
  const ids = ['sigmoid', 'relu', 'residual'];
  await pickNetworks(section, ids);
  await setSteps(section, 30);
  await section.locator('button[data-action="start"]').click();
  await expect(section.getByTestId('progress')).toContainText('Step 30 of 30 for 3 networks', {
    timeout: 60_000,
  });

  // The same networks, trained here from the same shared training set.
  const spec = parseSpec(QUERY);
  const options = parseTrainingOptions({ task: 'teacher', optimizer: 'sgd', lr: '0.1' });
  const { configs } = comparisonPlan(ids, spec);
  expect(configs.map((c) => c.id)).toEqual(ids);
  const records: TrainingRecord[][] = comparisonStates(configs, spec, options).map(
    (state) => trainSteps(state, 30).records,
  );

  const loss = await drawn(section, 'loss');
  expect(loss[0]).toEqual(records[0]!.map((r) => r.step));
  expect(loss).toHaveLength(1 + ids.length);
  records.forEach((rs, k) =>
    expectRecords(
      loss[k + 1]!,
      rs.map((r) => r.loss),
    ),
  );

  for (const quantity of ['updateRatio', 'gradNorm'] as const) {
    const chart = quantity === 'updateRatio' ? 'update-ratio' : 'grad-norm';
    const range = sharedColorRange(records, quantity)!;
    for (const [k, id] of ids.entries()) {
      const data = await chartData(section, heatmapOf(chart, id));
      expect(Array.from(data.x)).toEqual(records[k]!.map((r) => r.step));
      // One colour scale for every network: the range of all their values.
      expectClose(data.heatmap!.colorRange!.min, range.min);
      expectClose(data.heatmap!.colorRange!.max, range.max);
      const columns = data.heatmap!.columns;
      expect(columns).toHaveLength(30);
      columns.forEach((column, i) =>
        expectRecords(column.values, Array.from(records[k]![i]![quantity])),
      );
    }
  }

  // The table: layer 1 against the last layer at the latest step, and who trained.
  const table = section.getByTestId('compare-table');
  const decades: Record<string, number> = {};
  for (const [k, id] of ids.entries()) {
    const row = table.locator(`tr[data-config="${id}"]`);
    await expect(row.getByTestId('trained-on')).toHaveText('cpu64 (f64)');
    const last = records[k]!.at(-1)!.updateRatio;
    decades[id] = Number(await row.getAttribute('data-decades'));
    expectClose(decades[id], Math.log10(last[0]! / last[last.length - 1]!));
    await expect(row).toContainText('none');
  }
  // The chapter's claim: sigmoid + Xavier's layer 1 lags orders of magnitude more than ReLU + He's.
  expect(decades.sigmoid!).toBeLessThan(decades.relu! - 1);
  await expect(section.locator('section.network[data-config="relu"]')).toContainText(
    'trained on cpu64 (f64)',
  );
  expect(errors).toEqual([]);
});

test('comparison: Pause, Step and Reset act on every network', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto(EMBED);
  const section = page.locator('grad-training');
  await pickNetworks(section, ['lab', 'relu']);
  await setSteps(section, 5000);
  await section.locator('button[data-action="start"]').click();
  await expect.poll(() => stepShown(section), { timeout: 60_000 }).toBeGreaterThan(0);
  await section.locator('button[data-action="pause"]').click();
  const resume = section.locator('button[data-action="start"]');
  await expect(resume).toHaveText('Resume', { timeout: 60_000 });
  await expect(resume).toBeEnabled();
  const paused = await stepShown(section);
  expect(paused).toBeGreaterThan(0);
  expect(paused).toBeLessThan(5000);
  // Both networks stopped at the same step, each with one record per step.
  expect(await networkSteps(section)).toEqual([
    [paused, paused],
    [paused, paused],
  ]);
  await page.waitForTimeout(1000);
  expect(await stepShown(section)).toBe(paused);

  await section.locator('button[data-action="step"]').click();
  const next = paused + 1;
  await expect
    .poll(() => networkSteps(section), { timeout: 60_000 })
    .toEqual([
      [next, next],
      [next, next],
    ]);
  await expect(section.getByTestId('progress')).toContainText(`Step ${next} of 5000`);

  await section.locator('button[data-action="reset"]').click();
  await expect(section.getByTestId('progress')).toContainText('Not started');
  await expectNothingDrawn(section);
  expect(await networkSteps(section)).toEqual([]);
  await expect(resume).toHaveText('Start');
  expect(errors).toEqual([]);
});

async function phoneOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

test('comparison on a phone: stacked, nothing wider than the screen, no axe violations', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(EMBED);
  const section = page.locator('grad-training');
  await pickNetworks(section, ['lab', 'relu', 'batchnorm']);
  // Fewer than two different networks is refused, naming the field.
  await section.locator('input[name="config"][value="relu"]').uncheck();
  await section.locator('input[name="config"][value="batchnorm"]').uncheck();
  await expect(section.getByRole('alert')).toContainText(
    'compare: pick at least two different networks to compare (1 picked)',
  );
  await expect(section.locator('button[data-action="start"]')).toBeDisabled();
  // The lab settings are sigmoid + Xavier: picking that preset too trains it once.
  await section.locator('input[name="config"][value="sigmoid"]').check();
  await expect(section.getByTestId('merged')).toContainText(
    'is the same network as the lab settings: trained once',
  );
  await section.locator('input[name="config"][value="sigmoid"]').uncheck();
  await section.locator('input[name="config"][value="relu"]').check();
  await section.locator('input[name="config"][value="batchnorm"]').check();
  await setSteps(section, 10);
  await section.locator('button[data-action="start"]').click();
  await expect(section.getByTestId('progress')).toContainText('Step 10 of 10 for 3 networks', {
    timeout: 60_000,
  });
  const boxes = await section
    .locator('section.network')
    .evaluateAll((nodes) => nodes.map((n) => n.getBoundingClientRect().toJSON() as DOMRect));
  expect(boxes).toHaveLength(3);
  // Stacked: one above the other, each within the screen.
  for (let i = 1; i < boxes.length; i++)
    expect(boxes[i]!.top).toBeGreaterThanOrEqual(boxes[i - 1]!.bottom - 1);
  for (const box of boxes) expect(box.right).toBeLessThanOrEqual(375);
  expect(await phoneOverflow(page)).toBeLessThanOrEqual(375);
  const axe = await new AxeBuilder({ page }).include('grad-training').analyze();
  expect(
    axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  ).toEqual([]);
  expect(errors).toEqual([]);
});

test('comparison on webgpu: every network says it trained on the GPU, and agrees with f32 on the CPU', async ({
  page,
}) => {
  // SwiftShader compiles the training kernels on the CPU: the first chunk took over a minute on a
  // busy two-core machine.
  test.setTimeout(300_000);
  const errors = collectConsoleErrors(page);
  const query = { ...QUERY, backend: 'webgpu' };
  await page.goto(`/embed.html?${new URLSearchParams({ widget: 'grad-training', ...query })}`);
  const section = page.locator('grad-training');
  const ids = ['sigmoid', 'relu'];
  await pickNetworks(section, ids);
  await setSteps(section, 8);
  await section.locator('button[data-action="start"]').click();
  await expect(section.getByTestId('progress')).toContainText('Step 8 of 8 for 2 networks', {
    timeout: 240_000,
  });
  await expect(section.getByTestId('training-fallback')).toHaveCount(0);
  const spec = parseSpec(query);
  const options = parseTrainingOptions({ task: 'teacher', optimizer: 'sgd', lr: '0.1' });
  const { configs } = comparisonPlan(ids, spec);
  const records = comparisonStates(configs, spec, options).map((s) => trainSteps(s, 8).records);
  const loss = await drawn(section, 'loss');
  for (const [k, id] of ids.entries()) {
    await expect(
      section
        .getByTestId('compare-table')
        .locator(`tr[data-config="${id}"]`)
        .getByTestId('trained-on'),
    ).toHaveText('webgpu (f32)');
    // f32 on another device: rounding differs in the last bits and grows a little over steps.
    records[k]!.forEach((r, i) => {
      expect(Math.abs(loss[k + 1]![i]! - r.loss)).toBeLessThanOrEqual(1e-3 * Math.abs(r.loss));
    });
    const data = await chartData(section, heatmapOf('update-ratio', id));
    data.heatmap!.columns.forEach((column, i) => {
      const expected = records[k]![i]!.updateRatio;
      Array.from(column.values).forEach((value, l) =>
        expect(Math.abs(value - expected[l]!)).toBeLessThanOrEqual(1e-3 * Math.abs(expected[l]!)),
      );
    });
  }
  expect(errors).toEqual([]);
});

/** The two figures on their own (e2e/pages/training-figures.html), with attributes from `query`. */
function figuresPage(query: Record<string, string>): string {
  return `/e2e/pages/training-figures.html?${new URLSearchParams(query)}`;
}

/** The training a figure shows. */
async function sessionOf(figure: Locator): Promise<SessionView & { running: boolean }> {
  return figure.evaluate((element) => {
    const session = (element as unknown as { session?: SessionView & { running: boolean } })
      .session;
    // Not defined yet (its module still loading): nothing trained.
    if (!session) return { step: 0, target: 0, running: false, networks: [] };
    return {
      step: session.step,
      target: session.target,
      running: session.running,
      networks: session.networks.map((n) => ({
        state: n.state && { step: n.state.step },
        records: new Array<number>(n.records.length),
      })),
    };
  });
}

test('a heat-map and a loss curve alone on a page show one training, equal to the engine', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto(figuresPage({ ...QUERY, steps: '30' }));
  const heatmap = page.locator('grad-training-heatmap');
  const loss = page.locator('grad-training-loss');
  // No controls anywhere: the training starts by itself and stops at `steps`.
  await expect(heatmap).toHaveAttribute('data-complete', '', { timeout: 60_000 });
  await expect(loss).toHaveAttribute('data-complete', '');
  // One session: the same object behind both figures, at the same step.
  expect(
    await page.evaluate(() => {
      type Shown = Element & { session: unknown };
      const [a, b] = ['grad-training-heatmap', 'grad-training-loss'].map(
        (tag) => document.querySelector(tag) as Shown,
      );
      return a!.session !== null && a!.session === b!.session;
    }),
  ).toBe(true);
  for (const figure of [heatmap, loss]) {
    const session = await sessionOf(figure);
    expect([session.step, session.target, session.running]).toEqual([30, 30, false]);
    expect(session.networks.map((n) => n.records.length)).toEqual([30]);
  }
  // Nothing but the figures: no buttons, no progress line.
  await expect(page.locator('button[data-action]')).toHaveCount(0);
  await expect(page.getByTestId('progress')).toHaveCount(0);

  const spec = parseSpec(QUERY);
  const options = parseTrainingOptions({ task: 'teacher', optimizer: 'sgd', lr: '0.1' });
  const { records } = trainSteps(createTrainingState(spec, options), 30);
  const lossColumns = await drawn(loss, 'loss');
  expect(lossColumns[0]).toEqual(records.map((r) => r.step));
  records.forEach((r, i) => expectClose(lossColumns[1]![i], r.loss));
  const data = await chartData(heatmap, 'update-ratio');
  expect(Array.from(data.x)).toEqual(records.map((r) => r.step));
  data.heatmap!.columns.forEach((column, i) =>
    expectRecords(column.values, Array.from(records[i]!.updateRatio)),
  );
  // Its caption is the element's text.
  await expect(heatmap.locator('grad-chart')).toHaveAttribute(
    'chart-title',
    'Update ratio per layer and step',
  );
  expect(errors).toEqual([]);
});

test('figures scrolled far away pause their training; scrolled back, it resumes; removed, it stops', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  // A bigger network, so that 5000 steps take long enough to scroll away in the middle.
  const query = { ...QUERY, depth: '12', width: '48', batch: '64', steps: '5000' };
  await page.goto(figuresPage(query));
  const heatmap = page.locator('grad-training-heatmap');
  const loss = page.locator('grad-training-loss');
  await expect
    .poll(async () => (await sessionOf(loss)).step, { timeout: 60_000 })
    .toBeGreaterThan(0);
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  // Both figures are more than two viewport heights away: the chunk in progress ends, no more.
  await expect(heatmap.locator('[part="run-status"]')).toContainText('paused while off screen');
  await expect(loss.locator('[part="run-status"]')).toContainText('paused while off screen');
  // The chunk in progress when they left finishes; then nothing more.
  await page.waitForTimeout(1000);
  const paused = (await sessionOf(loss)).step;
  expect(paused).toBeLessThan(5000);
  await page.waitForTimeout(1500);
  const still = await sessionOf(loss);
  expect(still.step).toBe(paused);
  expect(still.running).toBe(true);
  expect((await sessionOf(heatmap)).step).toBe(paused);

  await page.evaluate(() => window.scrollTo(0, 0));
  await expect
    .poll(async () => (await sessionOf(heatmap)).step, { timeout: 60_000 })
    .toBeGreaterThan(paused);
  await expect(heatmap.locator('[part="run-status"]')).not.toContainText('paused');

  // The last figure removed: the training stops (the page keeps the session to look at).
  const stopped = await page.evaluate(async () => {
    type Session = { step: number; running: boolean };
    const session = (document.querySelector('grad-training-loss') as Element & { session: Session })
      .session;
    for (const figure of document.querySelectorAll('grad-training-heatmap, grad-training-loss'))
      figure.remove();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const step = session.step;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return { before: step, after: session.step, running: session.running };
  });
  expect(stopped.after).toBe(stopped.before);
  expect(stopped.running).toBe(false);
  expect(stopped.after).toBeLessThan(5000);
  expect(errors).toEqual([]);
});
