/**
 * Bring your own network (issue 14 §3): a run recorded from PyTorch (tests/fixtures/
 * digits-mlp.run.jsonl, a 20-hidden-layer ReLU MLP on sklearn's digits) imported into the
 * section by drag and drop and by the file picker; every figure's data equal to run-figures.ts
 * computed here in Node from the same file; the flags, the summary and the mean-field line as
 * run-summary.ts gives them; the step chooser; each kind of bad file named by its line and field,
 * with the section importing a good file afterwards; a 20 MB file streamed with progress while
 * the page stays responsive; grad-run-file-chart alone from its `src`; and the PyTorch export
 * downloading exactly exportPyTorch's text.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { parseSpec, type RunSpec } from '../src/engine/spec.ts';
import { exportPyTorch, type ExportDtype } from '../src/export/pytorch.ts';
import { describeProblem } from '../src/import/run-format.ts';
import {
  fractionsFigure,
  gradNormDepthFigure,
  histogramFigure,
  layerStepHeatmap,
  lossFigure,
  spreadRecords,
  type FigureData,
} from '../src/import/run-figures.ts';
import { runFlags } from '../src/import/run-flags.ts';
import { parseRunFile } from '../src/import/run-parser.ts';
import { summarizeRun } from '../src/import/run-summary.ts';
import { meanFieldComparison } from '../src/import/run-theory.ts';
import { exportFileName } from '../src/ui/grad-export-pytorch/grad-export-pytorch.ts';
import { meanFieldText, summaryText } from '../src/ui/grad-import/import-text.ts';
import { watchPage } from './watch.ts';

const FIXTURE = 'tests/fixtures/digits-mlp.run.jsonl';
const TEXT = readFileSync(FIXTURE, 'utf8');
const PARSED = parseRunFile(TEXT);
const RUN = PARSED.run!;
const MEAN_FIELD = meanFieldComparison(RUN);
const SUMMARY = summarizeRun(RUN, PARSED, MEAN_FIELD);

/** Figure data as plain arrays (typed arrays and NaN survive the trip from the page as numbers). */
interface PlainData {
  x: number[];
  series: { label: string; values: (number | null)[]; dashed?: boolean }[];
  heatmap?: { label: string; columns: { lo: number; hi: number; values: number[] }[] };
}

function plain(data: FigureData): PlainData {
  return {
    x: Array.from(data.x),
    series: data.series.map((s) => ({ label: s.label, values: Array.from(s.values) })),
    ...(data.heatmap
      ? {
          heatmap: {
            label: data.heatmap.label,
            columns: data.heatmap.columns.map((c) => ({
              lo: c.lo,
              hi: c.hi,
              values: Array.from(c.values),
            })),
          },
        }
      : {}),
  };
}

/** A figure's chart data as drawn (grad-chart's `data`), as plain arrays. */
function drawnData(figure: Locator): Promise<PlainData> {
  return figure.locator('grad-chart').evaluate((chart) => {
    type Data = {
      x: ArrayLike<number>;
      series: { label: string; values: ArrayLike<number | null>; dashed?: boolean }[];
      heatmap?: {
        label: string;
        columns: { lo: number; hi: number; values: ArrayLike<number> }[];
      };
    };
    const data = (chart as unknown as { data: Data }).data;
    return {
      x: Array.from(data.x),
      series: data.series.map((s) => ({
        label: s.label,
        values: Array.from(s.values),
        ...(s.dashed ? { dashed: true } : {}),
      })),
      ...(data.heatmap
        ? {
            heatmap: {
              label: data.heatmap.label,
              columns: data.heatmap.columns.map((c) => ({
                lo: c.lo,
                hi: c.hi,
                values: Array.from(c.values),
              })),
            },
          }
        : {}),
    };
  });
}

/** The columns grad-chart drew ([x, ...series], gaps as null). */
function drawnColumns(figure: Locator): Promise<(number | null)[][]> {
  return figure
    .locator('grad-chart')
    .evaluate((chart) => (chart as unknown as { drawnColumns: (number | null)[][] }).drawnColumns);
}

const caption = (figure: Locator): Promise<string | null> =>
  figure.locator('grad-chart').getAttribute('chart-title');

/** Waits until a figure has its run and has drawn it. */
async function whenDrawn(figure: Locator): Promise<void> {
  await expect(figure).toHaveAttribute('data-complete', '', { timeout: 30_000 });
  await expect.poll(async () => (await drawnColumns(figure)).length).toBeGreaterThan(0);
}

/** The data the depth view draws: run-figures' own, with the prediction dashed. */
function expectedDepth(records: number[]): PlainData {
  const data = plain(gradNormDepthFigure(RUN, records, MEAN_FIELD));
  data.series = data.series.map((s, i) => (i === records.length ? { ...s, dashed: true } : s));
  return data;
}

/** Drops a file on the section's drop zone, as a browser does: dragenter, dragover, drop. */
async function dropFile(page: Page, name: string, content: Buffer): Promise<void> {
  const zone = page.locator('grad-import [data-testid="drop-zone"]');
  await zone.evaluate(
    (element, { name, base64 }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], name, { type: 'application/x-ndjson' }));
      for (const type of ['dragenter', 'dragover'])
        element.dispatchEvent(
          new DragEvent(type, {
            bubbles: true,
            cancelable: true,
            composed: true,
            dataTransfer: transfer,
          }),
        );
      (globalThis as unknown as { dropTransfer: DataTransfer }).dropTransfer = transfer;
    },
    { name, base64: content.toString('base64') },
  );
  // While a file is dragged over it, the zone says it will take it.
  await expect(zone).toHaveClass(/\bover\b/);
  await zone.evaluate((element) => {
    const transfer = (globalThis as unknown as { dropTransfer: DataTransfer }).dropTransfer;
    element.dispatchEvent(
      new DragEvent('drop', {
        bubbles: true,
        cancelable: true,
        composed: true,
        dataTransfer: transfer,
      }),
    );
  });
  await expect(zone).not.toHaveClass(/\bover\b/);
}

const section = (page: Page) => page.locator('grad-import');
const figureOf = (page: Page, view: string, metric?: string) =>
  section(page).locator(
    `grad-run-file-chart[view="${view}"]${metric ? `[metric="${metric}"]` : ''}`,
  );

/** The section shows the fixture's run: summary, flags, mean-field line, every figure's data. */
async function expectFixtureImported(page: Page, name: string): Promise<void> {
  const root = section(page);
  await expect(root.locator('.result h3')).toHaveText(name, { timeout: 30_000 });
  await expect(root.getByTestId('summary')).toHaveText(summaryText(SUMMARY));
  await expect(root.getByTestId('summary')).toContainText(
    'Sequential, 21 layers (21 Linear), recorded with PyTorch 1.13.0a0: 15 records, steps 0–280 every 20 of 300 planned',
  );
  await expect(root.getByTestId('import-error')).toHaveCount(0);
  // Each flag names its layers and its step, as run-flags.ts words it.
  expect(SUMMARY.flags.length).toBeGreaterThan(0);
  await expect(root.locator('[data-testid="flags"] li')).toHaveText(
    runFlags(RUN).map((flag) => flag.message),
  );
  await expect(root.locator('[data-testid="flags"] li').nth(1)).toHaveText(
    'layers 2–20: 22–66% dead units from step 0',
  );
  await expect(root.getByTestId('mean-field')).toHaveText(meanFieldText(SUMMARY.meanField));
  await expect(root.getByTestId('mean-field')).toContainText('ordered phase');

  const depth = figureOf(page, 'depth');
  await whenDrawn(depth);
  const records = spreadRecords(RUN, 4);
  expect(records).toEqual([0, 5, 9, 14]);
  const expectedDepthData = expectedDepth(records);
  expect(await drawnData(depth)).toEqual(expectedDepthData);
  // Drawn as they are (all positive on the log axis): the measured decay and the prediction.
  expect((await drawnColumns(depth)).slice(1)).toEqual(
    expectedDepthData.series.map((s) => s.values),
  );
  expect(expectedDepthData.series.at(-1)!.label).toContain('mean-field prediction (ordered');
  expect(await caption(depth)).toContain(
    'Ordered phase (χ₁ = 0.167): ‖δ⁽ˡ⁾‖ through depth at steps 0, 100, 180 and 280, the mean-field prediction at step 0 dashed',
  );

  for (const [metric, key] of [
    ['grad-norm', 'gradNorm'],
    ['update-ratio', 'updateRatio'],
  ] as const) {
    const heatmap = figureOf(page, 'heatmap', metric);
    await whenDrawn(heatmap);
    expect(await drawnData(heatmap)).toEqual(plain(layerStepHeatmap(RUN, key)));
  }
  const loss = figureOf(page, 'loss');
  await whenDrawn(loss);
  expect(await drawnData(loss)).toEqual(plain(lossFigure(RUN)));
  // The per-step figures start at the first recorded step.
  const histograms = figureOf(page, 'histograms');
  const fractions = figureOf(page, 'fractions');
  await whenDrawn(histograms);
  await whenDrawn(fractions);
  expect(await drawnData(histograms)).toEqual(plain(histogramFigure(RUN, 0)));
  expect(await drawnData(fractions)).toEqual(plain(fractionsFigure(RUN, 0)));
  expect(await caption(histograms)).toContain('at step 0');
}

test('drag and drop: the recorded run drawn as run-figures.ts computes it, with its flags and the mean-field line', async ({
  page,
}) => {
  const { errors, foreign } = watchPage(page);
  await page.goto('/e2e/pages/import.html');
  await dropFile(page, 'digits-mlp.run.jsonl', readFileSync(FIXTURE));
  await expectFixtureImported(page, 'digits-mlp.run.jsonl');

  // The step chooser (the histograms' slider) moves both per-step figures, by keyboard too.
  const slider = figureOf(page, 'histograms').locator('input[type="range"][name="step"]');
  await expect(slider).toHaveCount(1);
  await expect(section(page).locator('input[type="range"]')).toHaveCount(1);
  await slider.fill('7');
  const histograms = figureOf(page, 'histograms');
  const fractions = figureOf(page, 'fractions');
  await expect.poll(() => caption(histograms)).toContain('at step 140');
  expect(await drawnData(histograms)).toEqual(plain(histogramFigure(RUN, 7)));
  await expect
    .poll(async () => (await drawnData(fractions)).series[0]!.values)
    .toEqual(Array.from(fractionsFigure(RUN, 7).series[0]!.values));
  expect(await drawnData(fractions)).toEqual(plain(fractionsFigure(RUN, 7)));
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => caption(fractions)).toContain('at step 160');
  expect(await drawnData(fractions)).toEqual(plain(fractionsFigure(RUN, 8)));
  expect(await drawnData(histograms)).toEqual(plain(histogramFigure(RUN, 8)));
  await expect(slider).toHaveAttribute('aria-valuetext', 'step 160');

  // The section and the export element, as a reader with assistive technology meets them.
  const axe = await new AxeBuilder({ page })
    .include('grad-import')
    .include('grad-export-pytorch')
    .analyze();
  expect(
    axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  ).toEqual([]);
  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
});

/** The fixture's lines, for the corrupted variants. */
const LINES = TEXT.split('\n').filter((line) => line !== '');

interface Variant {
  readonly name: string;
  readonly content: string;
  /** Whether the file is refused (nothing imported) or imported with problems. */
  readonly refused: boolean;
}

const header = JSON.parse(LINES[0]!) as { version: number; layers: unknown[] };
const VARIANTS: Variant[] = [
  { name: 'not-a-run.csv', content: 'step,loss\n0,2.31\n20,2.30\n', refused: true },
  {
    name: 'other-format.jsonl',
    content: `${JSON.stringify({ format: 'tensorboard-scalars', version: 1 })}\n`,
    refused: true,
  },
  {
    name: 'newer.run.jsonl',
    content: [JSON.stringify({ ...header, version: 2 }), ...LINES.slice(1)].join('\n'),
    refused: true,
  },
  {
    // Cut in the middle of line 10: the 8 records before it are kept.
    name: 'truncated.run.jsonl',
    content: `${LINES.slice(0, 9).join('\n')}\n${LINES[9]!.slice(0, 4000)}`,
    refused: false,
  },
  {
    // The header lists 20 layers; every record has 21.
    name: 'fewer-layers.run.jsonl',
    content: [
      JSON.stringify({ ...header, layers: header.layers.slice(0, -1) }),
      ...LINES.slice(1),
    ].join('\n'),
    refused: false,
  },
  {
    // What Python's json.dumps writes for a NaN unless allow_nan=False: not JSON.
    name: 'bare-nan.run.jsonl',
    content: LINES.map((line, i) =>
      i === 3 ? line.replace(/"gradNorm":[^,]+/, '"gradNorm":NaN') : line,
    ).join('\n'),
    refused: false,
  },
];

test('the file picker; each bad file is named by line and field, and a good file imports after it', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const { errors, foreign } = watchPage(page);
  await page.goto('/e2e/pages/import.html');
  const picker = section(page).locator('input[type="file"]');
  await expect(picker).toHaveCount(1);
  await picker.setInputFiles(FIXTURE);
  await expectFixtureImported(page, 'digits-mlp.run.jsonl');

  const messages: Record<string, string[]> = {};
  for (const variant of VARIANTS) {
    const parsed = parseRunFile(variant.content);
    expect(parsed.run === null, variant.name).toBe(variant.refused);
    await picker.setInputFiles({
      name: variant.name,
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(variant.content),
    });
    const root = section(page);
    if (variant.refused) {
      const error = root.getByTestId('import-error');
      await expect(error).toHaveText(
        `${variant.name} was not imported: ${describeProblem(parsed.fatal!)}`,
      );
      await expect(root.locator('grad-run-file-chart')).toHaveCount(0);
      messages[variant.name] = [(await error.textContent())!.trim()];
    } else {
      await expect(root.locator('.result h3')).toHaveText(variant.name);
      const listed = root.locator('[data-testid="problems"] li');
      await expect(listed).toHaveText(parsed.problems.map(describeProblem));
      messages[variant.name] = (await listed.allTextContents()).map((text) => text.trim());
    }
    // Then a good file imports as if nothing had happened.
    await picker.setInputFiles(FIXTURE);
    await expect(root.locator('.result h3')).toHaveText('digits-mlp.run.jsonl');
    await expect(root.getByTestId('summary')).toHaveText(summaryText(SUMMARY));
    await expect(root.getByTestId('import-error')).toHaveCount(0);
  }
  // Each message names the line, and the field where the line has one.
  expect(messages['not-a-run.csv']![0]).toContain('line 1: not JSON (it begins with "step,loss');
  expect(messages['other-format.jsonl']![0]).toContain(
    'line 1: format: got "tensorboard-scalars"; allowed: "gradlab-run"',
  );
  expect(messages['newer.run.jsonl']![0]).toContain(
    'line 1: version: the file is format version 2, newer than this gradlab reads (1)',
  );
  expect(messages['truncated.run.jsonl']).toEqual([
    'line 10: the file ends in the middle of this line (truncated?): the line is not imported; the 8 records before it are',
    'file: no end line: the recording was not closed (interrupted, or still running); the 8 records read are imported',
  ]);
  expect(messages['fewer-layers.run.jsonl']![0]).toBe(
    'line 2: layers: 21 entries, but the header (line 1) lists 20 layers: the layer list disagrees with the records; the line is skipped',
  );
  expect(messages['bare-nan.run.jsonl']![0]).toMatch(
    /^line 4: layers\[0\]\.gradNorm: got a bare NaN, which is not JSON/,
  );
  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
});

test('imported with problems: what was kept is drawn, and non-finite values are shown as such', async ({
  page,
}) => {
  await page.goto('/e2e/pages/import.html');
  const picker = section(page).locator('input[type="file"]');
  const root = section(page);

  // Truncated: 8 records drawn, and the summary says the recording was not closed.
  const truncated = VARIANTS.find((v) => v.name === 'truncated.run.jsonl')!;
  const cut = parseRunFile(truncated.content).run!;
  await picker.setInputFiles({
    name: truncated.name,
    mimeType: 'text/plain',
    buffer: Buffer.from(truncated.content),
  });
  await expect(root.getByTestId('summary')).toContainText('8 records, steps 0–140');
  await expect(root.getByTestId('summary')).toContainText('the recording was not closed');
  const lossFigureLocator = figureOf(page, 'loss');
  await whenDrawn(lossFigureLocator);
  expect(await drawnData(lossFigureLocator)).toEqual(plain(lossFigure(cut)));

  // Every record disagreeing with the header: nothing to draw, and the section says so.
  const fewer = VARIANTS.find((v) => v.name === 'fewer-layers.run.jsonl')!;
  await picker.setInputFiles({
    name: fewer.name,
    mimeType: 'text/plain',
    buffer: Buffer.from(fewer.content),
  });
  await expect(root.getByTestId('import-error')).toContainText(
    'fewer-layers.run.jsonl has no step record that could be imported',
  );
  await expect(root.locator('grad-run-file-chart')).toHaveCount(0);

  // A bare NaN: read as NaN, flagged with its layer and step, drawn in the error colour.
  const bare = VARIANTS.find((v) => v.name === 'bare-nan.run.jsonl')!;
  const withNan = parseRunFile(bare.content).run!;
  await picker.setInputFiles({
    name: bare.name,
    mimeType: 'text/plain',
    buffer: Buffer.from(bare.content),
  });
  await expect(root.locator('[data-testid="flags"] li').first()).toHaveText(
    'non-finite gradients at step 40 (layer 1)',
  );
  await expect(root.locator('[data-testid="flags"] li')).toHaveText(
    runFlags(withNan).map((flag) => flag.message),
  );
  const heatmap = figureOf(page, 'heatmap', 'grad-norm');
  await whenDrawn(heatmap);
  const drawn = await drawnData(heatmap);
  expect(drawn).toEqual(plain(layerStepHeatmap(withNan, 'gradNorm')));
  expect(drawn.heatmap!.columns[2]!.values[0]).toBeNaN();
  await expect(heatmap.locator('grad-chart [part="note"]')).toContainText(
    '1 non-finite heat-map cells drawn in the error colour',
  );
});

test('a 20 MB run streams in the worker with progress, and the page stays responsive', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const { errors } = watchPage(page);
  await page.goto('/e2e/pages/import.html');
  await expect(section(page).getByTestId('drop-zone')).toBeVisible();
  const records = 2000;
  const result = await section(page).evaluate(
    async (element, { text, records }) => {
      // The fixture's 15 step lines, repeated with increasing steps: about 20 MB.
      const lines = text.split('\n').filter((line) => line !== '');
      const stepLines = lines.slice(1, -1);
      const parts: string[] = [lines[0]!, '\n'];
      for (let r = 0; r < records; r++)
        parts.push(
          stepLines[r % stepLines.length]!.replace(
            /^\{"type":"step","step":\d+/,
            `{"type":"step","step":${r * 20}`,
          ),
          '\n',
        );
      parts.push(JSON.stringify({ type: 'end', steps: records * 20, records }), '\n');
      const file = new File(parts, 'large.run.jsonl');
      parts.length = 0;
      // Let the collector take the strings built above before measuring.
      await new Promise((resolve) => setTimeout(resolve, 1000));

      const longTasks: { start: number; duration: number }[] = [];
      const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries())
          longTasks.push({ start: entry.startTime, duration: entry.duration });
      });
      observer.observe({ type: 'longtask' });
      // Ticks of a 10 ms timer: the largest gap is how long the page could not react.
      const ticks: number[] = [performance.now()];
      const timer = setInterval(() => ticks.push(performance.now()), 10);
      const progress: string[] = [];
      const shadow = element.shadowRoot!;
      const watcher = new MutationObserver(() => {
        const text = shadow.querySelector('[data-testid="import-progress"]')?.textContent;
        if (text && progress.at(-1) !== text) progress.push(text.replace(/\s+/g, ' ').trim());
      });
      watcher.observe(shadow, { subtree: true, childList: true, characterData: true });

      const done = new Promise<number>((resolve) =>
        element.addEventListener('grad-import-complete', () => resolve(performance.now()), {
          once: true,
        }),
      );
      const zone = shadow.querySelector('[data-testid="drop-zone"]')!;
      const transfer = new DataTransfer();
      transfer.items.add(file);
      const start = performance.now();
      for (const type of ['dragenter', 'dragover', 'drop'])
        zone.dispatchEvent(
          new DragEvent(type, {
            bubbles: true,
            cancelable: true,
            composed: true,
            dataTransfer: transfer,
          }),
        );
      const end = await done;
      watcher.disconnect();
      // Then the figures draw, one per task: measured apart, and reported.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      clearInterval(timer);
      observer.disconnect();
      // The import: from the drop to the task that ends it (the summary and flags included).
      const streaming = longTasks.filter((task) => task.start < end).map((t) => t.duration);
      let worstGap = 0;
      for (let i = 1; i < ticks.length && ticks[i - 1]! < end; i++)
        worstGap = Math.max(worstGap, ticks[i]! - ticks[i - 1]!);
      return {
        size: file.size,
        seconds: (end - start) / 1000,
        streaming,
        drawing: longTasks.filter((task) => task.start >= end).map((t) => t.duration),
        worstGap,
        progress,
      };
    },
    { text: TEXT, records },
  );
  console.log(
    `20 MB import: ${(result.size / 1e6).toFixed(1)} MB in ${result.seconds.toFixed(2)} s; long tasks while streaming: [${result.streaming.map((t) => t.toFixed(0)).join(', ')}] ms; then drawing the figures: [${result.drawing.map((t) => t.toFixed(0)).join(', ')}] ms; worst timer gap ${result.worstGap.toFixed(0)} ms; ${result.progress.length} progress updates`,
  );
  expect(result.size).toBeGreaterThan(19e6);
  // The page kept reacting while the worker read the file.
  expect(Math.max(0, ...result.streaming)).toBeLessThan(200);
  // Progress was shown as it read: bytes of the total, and records.
  const partial = result.progress.filter((text) => /\(([1-9]|[1-9]\d)%\)/.test(text));
  expect(partial.length, result.progress.join(' | ')).toBeGreaterThan(0);
  expect(partial[0]).toMatch(
    /^Reading large\.run\.jsonl: Sequential, 21 layers \(21 Linear\), [\d.]+ MB of [\d.]+ MB/,
  );

  const root = section(page);
  await expect(root.locator('.result h3')).toHaveText('large.run.jsonl');
  await expect(root.getByTestId('summary')).toContainText('2,000 records, steps 0–39,980 every 20');
  const heatmap = figureOf(page, 'heatmap', 'grad-norm');
  await whenDrawn(heatmap);
  const drawn = await drawnData(heatmap);
  expect(drawn.heatmap!.columns).toHaveLength(records);
  expect(drawn.x.at(-1)).toBe((records - 1) * 20);
  expect(drawn.heatmap!.columns[records - 1]!.values).toEqual(
    Array.from(layerStepHeatmap(RUN, 'gradNorm').heatmap!.columns[(records - 1) % 15]!.values),
  );
  expect(errors).toEqual([]);
});

test('grad-run-file-chart alone: fetches its src (same origin only), figures of one file share one import', async ({
  page,
}) => {
  const { errors, foreign } = watchPage(page);
  const fetched: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('digits-mlp.run.jsonl')) fetched.push(request.url());
  });
  await page.goto('/e2e/pages/run-file-chart.html');

  const depth = page.locator('#depth');
  await whenDrawn(depth);
  expect(await drawnData(depth)).toEqual(expectedDepth([0, 5, 9, 14]));
  expect(await caption(depth)).toBe(
    'Ordered phase (χ₁ = 0.167): ‖δ⁽ˡ⁾‖ through depth at steps 0, 100, 180 and 280, the mean-field prediction at step 0 dashed',
  );
  // controls="none": the chart alone.
  await expect(depth.locator('input, select, button')).toHaveCount(0);

  const heatmap = page.locator('#heatmap');
  await whenDrawn(heatmap);
  expect(await drawnData(heatmap)).toEqual(plain(layerStepHeatmap(RUN, 'updateRatio')));

  // step="150": steps 140 and 160 are as near; the first is drawn, and the caption says so.
  const histograms = page.locator('#histograms');
  await whenDrawn(histograms);
  expect(await drawnData(histograms)).toEqual(plain(histogramFigure(RUN, 7)));
  expect(await caption(histograms)).toContain('at step 140 (the recorded step nearest 150)');
  // Its own control (compact): the step slider, which writes its attribute.
  await histograms.locator('input[name="step"]').fill('14');
  await expect(histograms).toHaveAttribute('step', '280');
  await expect.poll(() => caption(histograms)).toContain('at step 280');
  expect(await drawnData(histograms)).toEqual(plain(histogramFigure(RUN, 14)));

  // Three src spellings of one file: one fetch.
  expect(fetched).toHaveLength(1);

  // Another origin is not fetched, and the figure says why, naming the attribute.
  await expect(page.locator('#foreign [data-testid="attribute-problems"]')).toContainText(
    'attribute src: got "https://example.com/run.jsonl"; allowed: the URL of a gradlab run file on this page’s own origin',
  );
  await expect(page.locator('#missing [part="run-status"]')).toContainText(
    '/e2e/pages/no-such-run.jsonl',
  );
  expect(foreign).toEqual([]);
  expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
});

test('Export as PyTorch: the downloaded .py is exportPyTorch’s text, in float64 or float32', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const { errors } = watchPage(page);
  await page.goto('/e2e/pages/import.html');
  const element = page.locator('grad-export-pytorch');

  async function download(spec: RunSpec, dtype: ExportDtype): Promise<void> {
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      element.locator('button[data-action="download"]').click(),
    ]);
    expect(file.suggestedFilename()).toBe(exportFileName(spec, dtype));
    const text = readFileSync((await file.path())!, 'utf8');
    expect(text).toBe(exportPyTorch(spec, { dtype }));
  }

  // On its own: the spec from its attributes.
  const fromAttributes = parseSpec({ activation: 'tanh', depth: '5', rng: 'numpy' });
  await expect(element.locator('button[data-action="download"]')).toContainText('gradlab_tanh_');
  await download(fromAttributes, 'float64');
  await element.locator('label', { hasText: 'float32' }).click();
  await download(fromAttributes, 'float32');

  // Handed a spec (as the lab's settings panel does).
  const handed = parseSpec({ activation: 'relu', init: 'he', depth: '8', batchnorm: 'true' });
  await element.evaluate((el, spec) => ((el as unknown as { spec: unknown }).spec = spec), handed);
  await download(handed, 'float32');
  await element.locator('label', { hasText: 'float64' }).click();
  await download(handed, 'float64');

  // Copy puts the same text on the clipboard.
  await element.locator('button[data-action="copy"]').click();
  await expect(element.locator('[role="status"]')).toContainText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
    exportPyTorch(handed, { dtype: 'float64' }),
  );
  expect(errors).toEqual([]);
});
