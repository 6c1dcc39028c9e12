/**
 * gradlab as a package, the way web-component libraries ship: `npm pack` makes the tarball (the
 * loader, every element's module, chunks, the worker, types, the Custom Elements Manifest), a
 * fresh Vite project installs it and imports one element by its package path, Vite builds that
 * project, and the built page draws the element in Chromium, with the engine's values, its worker
 * carried along as a file of its own. Vite copies that worker file alone, without the files gradlab
 * puts beside it, so the page starts the worker in one file (worker-file.ts): WebAssembly kernels,
 * threads and the rarer jobs (a Jacobian spectrum) all work there.
 */
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../src/engine/experiment.ts';
import { parseSpec } from '../src/engine/spec.ts';
import { runSpecFor } from '../src/ui/grad-norms/norms-data.ts';
import { watchPage } from './watch.ts';

const STATIC = process.env.GRADLAB_STATIC_URL!;
const root = process.cwd();
// Under test-results/ (ignored), so the static server serves the built consumer.
const consumer = join(root, 'test-results', 'package-consumer');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

test.beforeAll(() => {
  test.setTimeout(600_000);
  execFileSync(bin('vite'), ['build', '--config', 'vite.lib.config.ts'], { stdio: 'pipe' });
  execFileSync('npm', ['run', '-s', 'build:types'], { stdio: 'pipe' });
  rmSync(consumer, { recursive: true, force: true });
  mkdirSync(join(consumer, 'src'), { recursive: true });
  const packed = execFileSync(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', consumer],
    { encoding: 'utf8' },
  );
  const tarball = (JSON.parse(packed) as { filename: string }[])[0]!.filename;
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'a-blog', private: true, type: 'module' }, null, 2),
  );
  writeFileSync(
    join(consumer, 'index.html'),
    `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>A bundled blog</title><link rel="icon" href="data:," />
    <script type="module" src="./src/main.js"></script></head>
  <body>
    <grad-depth-sweep activation="sigmoid" depths="2,4" width="16" inputs="16" outputs="2"
      batch="8" backend="cpu64" controls="none"></grad-depth-sweep>
    <grad-jacobian-spectrum activation="tanh" depth="4" jacobian-width="16"
      controls="none"></grad-jacobian-spectrum>
  </body>
</html>
`,
  );
  writeFileSync(
    join(consumer, 'src', 'main.js'),
    `import 'gradlab/elements/grad-depth-sweep.js';\nimport 'gradlab/elements/grad-jacobian-spectrum.js';\n`,
  );
  // Offline: the tarball carries its code (Lit and uPlot bundled), so it needs nothing else.
  execFileSync(
    'npm',
    ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', `./${tarball}`],
    { cwd: consumer, stdio: 'pipe' },
  );
  execFileSync(bin('vite'), ['build', '--base', './'], { cwd: consumer, stdio: 'pipe' });
});

test('the packed tarball holds the loader, every element, types and the manifest', () => {
  const installed = join(consumer, 'node_modules', 'gradlab');
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
    customElements: string;
    sideEffects: string[];
  };
  expect(Object.keys(manifest.exports)).toEqual(
    expect.arrayContaining(['.', './elements/*.js', './custom-elements.json']),
  );
  for (const file of [
    'dist/lib/gradlab.js',
    'dist/lib/elements/grad-depth-sweep.js',
    'dist/lib/elements/grad-activation-plot.js',
    'dist/types/lib/gradlab.d.ts',
    'dist/types/elements/grad-depth-sweep.d.ts',
    manifest.customElements,
  ]) {
    expect(existsSync(join(installed, file)), file).toBe(true);
  }
  expect(readdirSync(join(installed, 'dist', 'lib', 'workers')).length).toBeGreaterThan(0);
  // Nothing from the repository beyond the package: no sources, no tests.
  expect(existsSync(join(installed, 'src'))).toBe(false);
  expect(existsSync(join(installed, 'e2e'))).toBe(false);
});

test('a Vite project that imports one element builds, and its page draws the engine’s values', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const { errors, foreign } = watchPage(page);
  const warnings: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'warning') warnings.push(message.text());
  });
  const workers: string[] = [];
  page.on('worker', (worker) => workers.push(new URL(worker.url()).pathname));
  await page.goto(`${STATIC}/test-results/package-consumer/dist/index.html`);
  const chart = page.locator('grad-depth-sweep grad-chart');
  const drawn = () =>
    chart.evaluate((c) => (c as unknown as { drawnColumns: (number | null)[][] }).drawnColumns);
  const base = parseSpec({ width: 16, inputs: 16, outputs: 2, batch: 8, backend: 'cpu64' });
  const norms = (await runExperiment(runSpecFor(base, 'sigmoid', 4), createCpuBackend('f64'))).stats
    .gradNorm;
  // The chart draws a line per depth as its run arrives (the deeper one's empty until then), so
  // wait for the depth-4 line to hold every layer, not just for its column to exist.
  const complete = (columns: (number | null)[][]) =>
    columns.length === 3 && columns[2]!.filter((value) => value !== null).length === norms.length;
  await expect.poll(async () => complete(await drawn()), { timeout: 60_000 }).toBe(true);
  const columns = await drawn();
  norms.forEach((norm, layer) =>
    expect(Math.abs(columns[2]![layer]! - norm)).toBeLessThanOrEqual(1e-12 * norm),
  );
  // The Jacobian spectrum: a job the worker in one file carries with it.
  const spectrum = page.locator('grad-jacobian-spectrum grad-chart');
  await expect
    .poll(
      async () =>
        (
          await spectrum.evaluate(
            (c) => (c as unknown as { drawnColumns: (number | null)[][] }).drawnColumns,
          )
        ).length,
      { timeout: 60_000 },
    )
    .toBeGreaterThan(1);
  // Vite moved the worker alone: the page started the one that needs nothing beside it, and
  // nothing fell back to the TypeScript kernels or failed to load.
  expect(workers.length).toBeGreaterThan(0);
  for (const worker of workers) expect(worker).toMatch(/cpu-worker-whole-[\w-]+\.js$/);
  expect(warnings.filter((text) => text.startsWith('gradlab'))).toEqual([]);
  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
});
