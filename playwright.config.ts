import { defineConfig } from '@playwright/test';
import { isCi } from './scripts/gpu-env.mjs';

// GRADLAB_E2E_PORT lets several test runs share a machine, each with its own dev server.
const PORT = Number(process.env.GRADLAB_E2E_PORT ?? 5179);
const baseURL = `http://127.0.0.1:${PORT}`;
// Built pages (dist/, dist/lib/) come from a plain static server with gzip, as a site serves them:
// the tests measure what a page transfers there (e2e/static-server.ts).
const STATIC_PORT = PORT + 1000;
process.env.GRADLAB_STATIC_URL = `http://127.0.0.1:${STATIC_PORT}`;

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // SwiftShader runs WebGPU on the CPU.
  timeout: 120_000,
  expect: { timeout: 10_000 },
  workers: 1,
  forbidOnly: isCi(),
  retries: 0,
  reporter: 'list',
  use: {
    baseURL,
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      // Debian's chromium (scripts/test.mjs finds or installs one and exports CHROMIUM_PATH).
      // Playwright's own download is never used: `npx playwright install` needs the network.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        // The only flag WebGPU needs: headless Chromium then offers SwiftShader's adapter
        // (architecture 'swiftshader', isFallbackAdapter true) to pages on http://127.0.0.1.
        '--enable-unsafe-webgpu',
        '--no-sandbox',
        // No network here: keep Chromium from trying.
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-quic',
      ],
    },
  },
  webServer: [
    {
      // Its own port, so that a developer's `npm start` (port 5173) can run beside the tests.
      command: `npx vite --port ${PORT} --strictPort --host 127.0.0.1`,
      url: `${baseURL}/e2e/pages/gpu-smoke.html`,
      reuseExistingServer: !isCi(),
      timeout: 60_000,
    },
    {
      command: `node scripts/serve-static.mjs ${STATIC_PORT}`,
      url: `http://127.0.0.1:${STATIC_PORT}/package.json`,
      reuseExistingServer: !isCi(),
      timeout: 30_000,
    },
  ],
});
