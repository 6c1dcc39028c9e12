/**
 * The element reference (docs/custom-elements.json and docs/elements.md) is generated from the
 * JSDoc of src/ui/ (`npm run docs`). These tests fail when it is out of date.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ELEMENT_TAGS } from '../../src/lib/registry.ts';

const bin = (name: string) => join(process.cwd(), 'node_modules', '.bin', name);

describe('the element reference', () => {
  it('docs/custom-elements.json is what the analyzer reads from the code now', () => {
    // The analyzer takes its output folder relative to the working directory.
    mkdirSync(join('node_modules', '.cache'), { recursive: true });
    const dir = relative(process.cwd(), mkdtempSync(join('node_modules', '.cache', 'cem-')));
    try {
      execFileSync(bin('custom-elements-manifest'), ['analyze'], {
        stdio: 'pipe',
        env: { ...process.env, CEM_OUTDIR: dir },
      });
      // Modules in path order (custom-elements-manifest.config.mjs), so that the file is the same
      // from any checkout: compared in order.
      const modules = (file: string) =>
        (JSON.parse(readFileSync(file, 'utf8')) as { modules: { path: string }[] }).modules;
      const fresh = modules(join(dir, 'custom-elements.json'));
      const paths = fresh.map((module) => module.path);
      expect(paths).toEqual([...paths].sort());
      expect(modules('docs/custom-elements.json'), 'run `npm run docs`').toEqual(fresh);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('docs/elements.md is generated from it, and documents every element with a snippet and a screenshot', () => {
    execFileSync(
      bin('tsx'),
      ['--import', './scripts/raw-loader.mjs', 'scripts/elements-docs.ts', '--check'],
      { stdio: 'pipe' },
    );
    const text = readFileSync('docs/elements.md', 'utf8');
    for (const tag of ELEMENT_TAGS) {
      expect(text).toContain(`### \`<${tag}>\``);
      expect(text).toMatch(new RegExp(`<${tag}[\\s>]`));
      if (tag !== 'grad-lab') expect(text).toContain(`](screenshots/elements/${tag}.png)`);
    }
    for (const attribute of ['activation', 'depths', 'controls', 'output-activation'])
      expect(text).toContain(`| \`${attribute}\``);
  }, 60_000);
});
