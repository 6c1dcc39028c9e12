#!/usr/bin/env node
// `npm test`: sets up what the tests need (a Chromium with SwiftShader, the WebGPU environment for
// Dawn's Node binding), then runs the unit tests (vitest) and the browser tests (Playwright). Both
// suites always run; the exit status is non-zero when either failed.
//
// GPU tests never pass silently: before the suites run, scripts/gpu-probe.mjs asks for a WebGPU
// adapter as the tests will. Without one, every GPU test fails, and the summary line says why and
// how to get one; GRADLAB_SKIP_GPU=1 is the only way to skip them, and the summary says so too.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyGpuEnv, skipGpuRequested } from './gpu-env.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const isRoot = process.getuid?.() === 0;
const isDebian = existsSync('/etc/debian_version');

/** Playwright's own browser, where one was installed (gradlab never downloads it). */
async function playwrightChromium() {
  for (const pkg of ['playwright-core', '@playwright/test']) {
    try {
      const { chromium } = await import(pkg);
      const path = chromium.executablePath();
      if (path && existsSync(path)) return path;
    } catch {
      // Not installed, or no browser registry: try the next one.
    }
  }
  return undefined;
}

async function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    fail(`gradlab tests: CHROMIUM_PATH=${fromEnv} does not exist`);
  }
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  return playwrightChromium();
}

function fail(line) {
  console.error(line);
  process.exit(1);
}

function run(command, args, options = {}) {
  const started = performance.now();
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: process.env,
    shell: process.platform === 'win32',
    ...options,
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.error)
    console.error(`gradlab tests: could not run ${command}: ${result.error.message}`);
  const status = result.status ?? 1;
  return { status, seconds };
}

let chromium = await findChromium();
if (!chromium) {
  if (isRoot && isDebian) {
    console.log('gradlab tests: installing Debian chromium (for Playwright and SwiftShader)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (run('apt-get', ['update'], { env }).status !== 0)
      fail('gradlab tests: apt-get update failed');
    if (run('apt-get', ['install', '-y', 'chromium'], { env }).status !== 0) {
      fail('gradlab tests: apt-get install -y chromium failed');
    }
    chromium = await findChromium();
  }
  if (!chromium) {
    fail(
      isDebian
        ? 'gradlab tests need Chromium: run `sudo apt-get install chromium` or set CHROMIUM_PATH'
        : 'gradlab tests need Chromium: install it (its SwiftShader provides WebGPU) or set CHROMIUM_PATH',
    );
  }
}

process.env.CHROMIUM_PATH = chromium;
const changed = applyGpuEnv(process.env, { chromiumPath: chromium });
console.log(
  `gradlab tests: Chromium ${chromium}${changed.length ? `; ${changed.join('; ')}` : ''}`,
);

/** Whether Dawn's Node binding finds an adapter here, asked as the GPU tests will ask. */
function probeGpu() {
  const probe = spawnSync(process.execPath, [join(root, 'scripts', 'gpu-probe.mjs')], {
    cwd: root,
    env: process.env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  try {
    return JSON.parse(probe.stdout.trim().split('\n').at(-1) ?? '');
  } catch {
    const why = probe.error?.message ?? (probe.stderr.trim() || `exit ${probe.status}`);
    return { available: false, reason: `the probe failed: ${why}` };
  }
}

const skipGpu = skipGpuRequested(process.env);
const gpu = skipGpu ? null : probeGpu();
const gpuLine = skipGpu
  ? 'WebGPU tests SKIPPED (GRADLAB_SKIP_GPU is set)'
  : gpu.available
    ? `WebGPU adapter: ${[gpu.vendor, gpu.architecture].filter(Boolean).join(' ') || gpu.description}` +
      `${gpu.isFallbackAdapter ? ' (software)' : ''}, GPU tests included`
    : `no WebGPU adapter (${gpu.reason}): the GPU tests FAILED; install Debian's chromium ` +
      `(its SwiftShader) or set CHROMIUM_PATH, or set GRADLAB_SKIP_GPU=1 to skip them`;
console.log(`gradlab tests: ${gpuLine}`);

const bin = (name) => join(root, 'node_modules', '.bin', name);
const unit = run(bin('vitest'), ['run']);
const e2e = run(bin('playwright'), ['test']);

const verdict = (r) => (r.status === 0 ? 'passed' : `FAILED (exit ${r.status})`);
const gpuMissing = !skipGpu && !gpu.available;
console.log(
  `gradlab tests: vitest ${verdict(unit)} in ${unit.seconds.toFixed(1)} s; ` +
    `playwright ${verdict(e2e)} in ${e2e.seconds.toFixed(1)} s; ${gpuLine}`,
);
process.exit(unit.status !== 0 || e2e.status !== 0 || gpuMissing ? 1 : 0);
