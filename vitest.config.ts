import { defineConfig } from 'vitest/config';
import { applyGpuEnv } from './scripts/gpu-env.mjs';
import { wgslPlugin } from './scripts/wgsl-source.mjs';

// Set here, in the main process, so that the forked workers start with it: LD_LIBRARY_PATH (for
// Chromium's bundled libvulkan.so.1) only takes effect in a process started after it is set.
// tests/setup.ts applies the same defaults inside each worker.
applyGpuEnv(process.env);

export default defineConfig({
  // Shaders load as the page loads them (comments and layout dropped).
  plugins: [wgslPlugin()],
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
    // SwiftShader runs WebGPU on the CPU: shader compilation alone takes seconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Forks, not threads: Dawn's native binding is safest in its own process, and the workers
    // inherit the environment set above.
    pool: 'forks',
    maxWorkers: 2,
  },
});
