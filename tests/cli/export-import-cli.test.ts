// The CLI's export and import commands, run as a user runs them (a child process).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/engine/spec.ts';
import { exportPyTorch } from '../../src/export/pytorch.ts';
import { parseRunFile } from '../../src/import/run-parser.ts';
import { summarizeRun } from '../../src/import/run-summary.ts';
import { fixtureText } from '../import/run-files.ts';
import { cli } from './run-cli.ts';

const fixture = (name: string) => `tests/fixtures/${name}.run.jsonl`;

describe('gradlab export', () => {
  it('prints the program exportPyTorch writes for the run flags', async () => {
    const flags = ['--activation', 'gelu_tanh', '--depth', '4', '--residual', '--rng', 'numpy'];
    const result = await cli('export', '--format', 'pytorch', ...flags, '--dtype', 'float32');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const spec = parseSpec({ activation: 'gelu_tanh', depth: '4', residual: 'true', rng: 'numpy' });
    expect(result.stdout).toBe(exportPyTorch(spec, { dtype: 'float32' }));
  });

  it('bad flags: exit 2 and one line naming the flag', async () => {
    const cases: [string[], string][] = [
      [['--format', 'onnx'], 'gradlab: --format: got "onnx"; allowed: pytorch\n'],
      [[], 'gradlab: --format: missing; allowed: pytorch\n'],
      [
        ['--format', 'pytorch', '--dtype', 'float16'],
        'gradlab: --dtype: got "float16"; allowed: float64, float32\n',
      ],
      [
        ['--format', 'pytorch', '--depth', '0'],
        'gradlab: --depth: got "0"; allowed: an integer from 1 to 1000\n',
      ],
      [
        ['--format', 'pytorch', '--json'],
        'gradlab: --json is not a flag of export: it prints a Python program\n',
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => cli('export', ...args)));
    results.forEach((result, i) => {
      expect(result.stderr).toBe(cases[i]![1]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
    });
  }, 120_000);
});

describe('--help', () => {
  it('documents export and import', async () => {
    const result = await cli('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'cli -- export --format pytorch [run flags] [--dtype float64|float32]',
    );
    expect(result.stdout).toContain('cli -- import FILE [--json]');
  });
});

describe('gradlab import', () => {
  it('--json: the summary and flags the lab shows, headless', async () => {
    const result = await cli('import', fixture('digits-mlp'), '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    const parsed = parseRunFile(fixtureText('digits-mlp'));
    const summary = summarizeRun(parsed.run!, parsed);
    expect(output.file).toBe(fixture('digits-mlp'));
    expect(output.flags).toEqual(summary.flags);
    expect(output.layers).toEqual(summary.layers);
    expect(output.steps).toEqual({ first: 0, last: 280, every: 20, recorded: 15, total: 300 });
    expect(output.meanField).toMatchObject({
      applicable: true,
      activation: 'relu',
      phase: 'ordered',
      gradientTrend: 'vanishing',
    });
    expect(output.meanField.layers).toHaveLength(21);
    expect(output.problems).toEqual([]);
  });

  it('text: the flags, one per line', async () => {
    const result = await cli('import', fixture('digits-mlp'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('warning: layers 2–20: 22–66% dead units from step 0\n');
    expect(result.stdout).toContain('mean field (relu, σ_w 0.5772');
  });

  it('a file it cannot import: exit 1, one line naming the file, the line and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradlab-import-'));
    const newer = join(dir, 'newer.jsonl');
    writeFileSync(newer, fixtureText('digits-cnn').replace('"version":1', '"version":3'));
    const result = await cli('import', newer);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `gradlab: ${newer}: line 1: version: the file is format version 3, newer than this gradlab reads (1); update gradlab, or record with a matching gradlab_record.py\n`,
    );
  });

  it('a truncated file: imported, with its problems listed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradlab-import-'));
    const cut = join(dir, 'cut.jsonl');
    const text = fixtureText('digits-cnn');
    writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.7)));
    const result = await cli('import', cut, '--json');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.complete).toBe(false);
    expect(output.problems.map((p: { severity: string }) => p.severity)).toEqual([
      'warning',
      'warning',
    ]);
    expect(output.problems[0].message).toMatch(/ends in the middle of this line/);
  });

  it('usage errors: exit 2', async () => {
    const [missing, none, flag] = await Promise.all([
      cli('import', 'no-such-file.jsonl'),
      cli('import'),
      cli('import', fixture('digits-cnn'), '--depth', '3'),
    ]);
    expect(missing.stderr).toBe(
      'gradlab: import: cannot read "no-such-file.jsonl": no such file\n',
    );
    expect(missing.code).toBe(2);
    expect(none.stderr).toMatch(/^gradlab: import takes one FILE/);
    expect(none.code).toBe(2);
    expect(flag.stderr).toBe(
      'gradlab: --depth is not a flag of import; it takes a FILE and --json\n',
    );
    expect(flag.code).toBe(2);
  }, 120_000);
});
