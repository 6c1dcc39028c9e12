/**
 * The build makes uPlot's module-level Intl objects lazy (scripts/uplot-lazy-intl.mjs): the
 * patched module makes no Intl object when it is evaluated, makes each on first use, and still
 * formats as uPlot does. A uPlot whose source no longer matches fails loudly.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lazyUPlotIntl } from '../../scripts/uplot-lazy-intl.mjs';

const source = readFileSync('node_modules/uplot/dist/uPlot.esm.js', 'utf8');

interface PatchedUPlot {
  fmtNum(value: number): string;
  tzDate(date: Date, tz: string): Date;
}

afterEach(() => vi.restoreAllMocks());

describe('lazyUPlotIntl', () => {
  it('leaves no Intl object made at the top level of the module', () => {
    const patched = lazyUPlotIntl(source);
    expect(source).toMatch(/^const numFormatter = new Intl\.NumberFormat/m);
    expect(patched).not.toMatch(/^(const|let) \w+ = new Intl\./m);
  });

  it('makes them on first use, and formats as uPlot did', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'uplot-')), 'uPlot.mjs');
    writeFileSync(file, lazyUPlotIntl(source));
    const made = { number: 0, date: 0 };
    const { NumberFormat, DateTimeFormat } = Intl;
    vi.spyOn(Intl, 'NumberFormat').mockImplementation(function (...args: []) {
      made.number++;
      return new NumberFormat(...args);
    } as never);
    vi.spyOn(Intl, 'DateTimeFormat').mockImplementation(function (...args: []) {
      made.date++;
      return new DateTimeFormat(...args);
    } as never);
    const uPlot = (await import(pathToFileURL(file).href)).default as PatchedUPlot;
    expect(made).toEqual({ number: 0, date: 0 });
    expect(uPlot.fmtNum(1234.5)).toBe(new NumberFormat('en-US').format(1234.5));
    expect(uPlot.fmtNum(0.25)).toBe('0.25');
    expect(made.number).toBe(1);
    // Another zone than the machine's: uPlot compares it with the local one, made then.
    const now = new Date(Date.UTC(2026, 11, 7, 12));
    const local = new DateTimeFormat().resolvedOptions().timeZone;
    const zone = local === 'Asia/Tokyo' ? 'Europe/Paris' : 'Asia/Tokyo';
    const expected = new Date(now.toLocaleString('en-US', { timeZone: zone }));
    expect(uPlot.tzDate(now, zone).getTime()).toBe(expected.getTime());
    expect(uPlot.tzDate(now, 'UTC').getTime()).toBe(now.getTime() + now.getTimezoneOffset() * 6e4);
    expect(made.date).toBe(1);
  });

  it('fails the build, naming the pattern, when uPlot changes', () => {
    expect(() =>
      lazyUPlotIntl(source.replace('const numFormatter', 'const numberFormatter')),
    ).toThrow(
      /expected once in uPlot's module: "const numFormatter = new Intl.NumberFormat.*update scripts\/uplot-lazy-intl.mjs/,
    );
  });
});
