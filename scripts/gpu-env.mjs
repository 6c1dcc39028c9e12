// Environment defaults that let Dawn's Node binding (the `webgpu` package) find a WebGPU adapter
// on a machine without a GPU: SwiftShader's Vulkan driver, which Chromium ships. One copy of this
// logic, used by scripts/test.mjs, vitest.config.ts and tests/setup.ts.
//
// - VK_ICD_FILENAMES: the SwiftShader ICD file next to Chromium, when the variable is unset.
// - LD_LIBRARY_PATH: Dawn dlopen()s libvulkan.so.1. Debian's chromium bundles that loader in
//   /usr/lib/chromium but does not depend on libvulkan1, so where no system loader exists, the
//   Chromium directory is appended. The dynamic linker reads LD_LIBRARY_PATH only at process start,
//   so this helps child processes (vitest's forks, `npm test`), not the process that sets it.
// - XDG_RUNTIME_DIR: a writable directory, when unset (the Vulkan loader and Dawn look for it).
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const CHROMIUM_DIRS = ['/usr/lib/chromium', '/usr/lib64/chromium', '/usr/lib/chromium-browser'];
const ICD_FILE = 'vk_swiftshader_icd.json';
const SYSTEM_LIB_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/usr/local/lib',
];

/** Directories that may hold Chromium's SwiftShader ICD and its bundled libvulkan.so.1. */
function chromiumDirs(chromiumPath) {
  const dirs = [...CHROMIUM_DIRS];
  if (chromiumPath && existsSync(chromiumPath)) {
    try {
      dirs.unshift(dirname(realpathSync(chromiumPath)));
    } catch {
      // An unreadable link: keep the defaults.
    }
  }
  return [...new Set(dirs)];
}

function hasSystemVulkanLoader(env) {
  const fromEnv = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  return [...fromEnv, ...SYSTEM_LIB_DIRS].some((dir) => existsSync(join(dir, 'libvulkan.so.1')));
}

/**
 * Applies the defaults to `env` (process.env unless given) and returns what it changed, as
 * `NAME=value` strings. Variables that are already set are left alone.
 * @param {Record<string, string | undefined>} [env]
 * @param {{ chromiumPath?: string }} [options]
 * @returns {string[]}
 */
export function applyGpuEnv(env = process.env, options = {}) {
  const changed = [];
  if (process.platform !== 'linux') return changed;
  const dirs = chromiumDirs(options.chromiumPath ?? env.CHROMIUM_PATH);
  if (!env.VK_ICD_FILENAMES && !env.VK_DRIVER_FILES) {
    const icd = dirs.map((dir) => join(dir, ICD_FILE)).find((file) => existsSync(file));
    if (icd) {
      env.VK_ICD_FILENAMES = icd;
      changed.push(`VK_ICD_FILENAMES=${icd}`);
    }
  }
  if (!hasSystemVulkanLoader(env)) {
    const loaderDir = dirs.find((dir) => existsSync(join(dir, 'libvulkan.so.1')));
    if (loaderDir) {
      env.LD_LIBRARY_PATH = env.LD_LIBRARY_PATH ? `${env.LD_LIBRARY_PATH}:${loaderDir}` : loaderDir;
      changed.push(`LD_LIBRARY_PATH=${env.LD_LIBRARY_PATH}`);
    }
  }
  if (!env.XDG_RUNTIME_DIR) {
    const uid = process.getuid?.() ?? 'user';
    const dir = join(tmpdir(), `gradlab-xdg-${uid}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    env.XDG_RUNTIME_DIR = dir;
    changed.push(`XDG_RUNTIME_DIR=${dir}`);
  }
  return changed;
}

/** True when process.env.CI is set to something other than '', '0' or 'false'. */
export function isCi(env = process.env) {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/**
 * True when the user asked to skip the GPU tests: GRADLAB_SKIP_GPU set to 1, true or yes. Only
 * then may a GPU test skip for want of an adapter; anywhere else (CI or not) it fails, and
 * `npm test` says so in its summary line.
 */
export function skipGpuRequested(env = process.env) {
  const value = (env.GRADLAB_SKIP_GPU ?? '').trim().toLowerCase();
  return value === '1' || value === 'true' || value === 'yes';
}
