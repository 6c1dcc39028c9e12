/**
 * The lab measured as the web measures pages: Lighthouse (npm) on the built lab with the tests'
 * Chromium, at its default mobile settings. Accessibility and best practices do not depend on the
 * machine's speed, so they are asserted here; performance is recorded by `npm run audit`
 * (docs/audit.md), not asserted.
 */
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { audit, summarize } from '../scripts/audit.mjs';
import { startStaticServer } from '../scripts/serve-static.mjs';

test('Lighthouse: accessibility 100 and best practices 100 on the built lab', async () => {
  test.setTimeout(300_000);
  execFileSync(join('node_modules', '.bin', 'vite'), ['build'], { stdio: 'pipe' });
  const port = 5186;
  const server = await startStaticServer(port, join(process.cwd(), 'dist', 'app'));
  try {
    const { scores, failing } = summarize(await audit(`http://127.0.0.1:${port}/`));
    const named = failing
      .filter((f) => f.category !== 'performance')
      .map((f) => `${f.category}: ${f.title}`);
    expect(scores.accessibility, named.join('; ')).toBe(100);
    expect(scores['best-practices'], named.join('; ')).toBe(100);
    expect(scores.seo).toBeGreaterThanOrEqual(90);
  } finally {
    server.close();
  }
});
