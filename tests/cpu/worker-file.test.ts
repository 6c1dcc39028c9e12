/**
 * Which CPU worker file a page starts (src/backends/cpu/worker-file.ts): the one that reads its
 * files beside it wherever gradlab's builds placed it, the one in one file where a consumer's
 * bundler moved it alone, and the sources under Vite's dev server.
 */
import { describe, expect, it } from 'vitest';
import { workerFile } from '../../src/backends/cpu/worker-file.ts';

const WHOLE = 'https://blog.example/assets/cpu-worker-whole-Da3sb2gM.js';

describe('workerFile', () => {
  it.each([
    ['the library, as a site copies it', 'https://blog.example/gradlab/workers/cpu-worker-Bx.js'],
    ['the lab', 'http://127.0.0.1:4173/assets/workers/cpu-worker-Bx.js'],
    ['the dev server', '/src/backends/cpu/cpu-worker.ts?worker_file&type=module'],
  ])('%s: the worker that reads its files beside it', (_where, split) => {
    expect(workerFile(split, WHOLE)).toBe(split);
  });

  it("a consumer's bundle, which moved the worker alone: the worker in one file", () => {
    expect(workerFile('https://blog.example/assets/cpu-worker-BxeKu-yQ.js', WHOLE)).toBe(WHOLE);
    expect(workerFile('/static/js/cpu-worker.3f2a.js', WHOLE)).toBe(WHOLE);
  });
});
