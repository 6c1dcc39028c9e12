/**
 * The lab's build splits its code by part of the page (scripts/lab-parts.mjs): each <section> of
 * index.html is a part (the first, the opening, with the shell), every gradlab element the page
 * shows belongs to exactly one part, and the parts follow the page's order.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { elementModules } from '../../scripts/element-modules.mjs';
import { labParts, onDemandElements } from '../../scripts/lab-parts.mjs';

const html = readFileSync('index.html', 'utf8');
const parts = labParts(html);
const modules = elementModules();
const moduleTag = new Map(Object.entries(modules).map(([tag, module]) => [module, tag]));

describe('labParts', () => {
  it("has one part per <section> of the page, in the page's order, the shell first", () => {
    const ids = [...html.matchAll(/<section\b[^>]*\bid="([^"]+)"/g)].map(([, id]) => id);
    expect(parts.map((part) => part.name)).toEqual([
      'lab',
      ...ids.slice(1).map((id) => `part-${id}`),
    ]);
    expect(parts[0]!.roots).toEqual(
      expect.arrayContaining(['src/main.ts', 'src/ui/lab/run-queue.ts']),
    );
  });

  it('places every element the page and its sections show in exactly one part', () => {
    const placed = parts.flatMap((part) => part.roots.filter((root) => moduleTag.has(root)));
    expect(new Set(placed).size).toBe(placed.length);
    for (const [, tag] of html.matchAll(/<(grad-(?!lab\b)[a-z-]+)/g)) {
      expect(placed, tag).toContain(modules[tag!]);
    }
    // The sections' figures: the speed part holds the verify and benchmark figures.
    const speed = parts.find((part) => part.name === 'part-speed')!;
    expect(speed.roots).toContain(modules['grad-verify-table']);
    expect(speed.roots).toContain(modules['grad-kernel-times']);
  });

  it('leaves out of every part an element a section imports on demand, which has a chunk of its own', () => {
    // The import section draws its run-file charts once a reader drops a file.
    expect(onDemandElements()).toEqual([
      { name: 'grad-run-file-chart', roots: [modules['grad-run-file-chart']] },
    ]);
    const roots = parts.flatMap((part) => part.roots);
    expect(roots).not.toContain(modules['grad-run-file-chart']);
    expect(parts.find((part) => part.name === 'part-import')!.roots).toContain(
      modules['grad-import'],
    );
  });

  it('names what the page uses but does not have', () => {
    expect(() => labParts('<section id="top"><grad-nonesuch></grad-nonesuch></section>')).toThrow(
      /index.html uses <grad-nonesuch>, which has no module/,
    );
    expect(() => labParts('<main></main>')).toThrow(/no <section> parts/);
  });
});
