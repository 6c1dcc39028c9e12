/**
 * The run-file reader against the recorded fixtures (a real PyTorch model, recorded by
 * python/gradlab_record.py) and corrupted variants of them: every problem names its line and field.
 */
import { describe, expect, it } from 'vitest';
import { LAYER_METRICS, describeProblem } from '../../src/import/run-format.ts';
import { metricAt, type ImportedRun } from '../../src/import/run-data.ts';
import { parseRunFile, RunFileParser } from '../../src/import/run-parser.ts';
import {
  fixtureLines,
  fixtureText,
  syntheticEntry,
  syntheticFile,
  syntheticHeader,
} from './run-files.ts';

const encoder = new TextEncoder();

/** Parses text pushed in chunks of the given sizes (cycled). */
function parseInChunks(text: string, sizes: readonly number[]) {
  const bytes = encoder.encode(text);
  const parser = new RunFileParser();
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    parser.push(bytes.subarray(at, at + size));
    at += size;
  }
  return parser.finish();
}

function statistic(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return value as number;
}

/** Every cell of the run against the file's lines, read independently. */
function expectRunMatchesLines(run: ImportedRun, lines: Record<string, unknown>[]): void {
  const steps = lines.filter((l) => l.type === 'step');
  expect(run.recordCount).toBe(steps.length);
  steps.forEach((line, r) => {
    expect(run.steps[r]).toBe(line.step);
    expect(run.loss[r]).toBe(statistic(line.loss) ?? NaN);
    (line.layers as Record<string, unknown>[]).forEach((entry, i) => {
      for (const metric of LAYER_METRICS)
        expect(metricAt(run, metric, r, i + 1), `record ${r} layer ${i + 1} ${metric}`).toBe(
          statistic(entry[metric]),
        );
      const histogram = entry.histogram as {
        min: number;
        max: number;
        counts: number[];
        nonFinite: number;
      };
      const cell = r * run.layerCount + i;
      expect(run.histogramMin[cell]).toBe(histogram.min);
      expect(run.histogramMax[cell]).toBe(histogram.max);
      expect(
        Array.from(run.histogramCounts.subarray(cell * run.bins, (cell + 1) * run.bins)),
      ).toEqual(histogram.counts);
      expect(run.histogramNonFinite[cell]).toBe(histogram.nonFinite);
    });
  });
}

describe('the recorded fixtures', () => {
  it('digits-mlp: a 20-hidden-layer ReLU MLP, every value as written', () => {
    const result = parseRunFile(fixtureText('digits-mlp'));
    expect(result.fatal).toBeNull();
    expect(result.problems).toEqual([]);
    const run = result.run!;
    const { header } = run;
    expect(header.layers).toHaveLength(21);
    expect(header.layers.every((l) => l.type === 'Linear')).toBe(true);
    expect(header.layers.slice(0, 20).every((l) => l.activation?.gradlab === 'relu')).toBe(true);
    expect(header.layers[20]!.activation).toBeNull();
    expect(header.layers.map((l) => l.units)).toEqual([...Array(20).fill(32), 10]);
    expect(header.layers[0]!.fanIn).toBe(64);
    expect(header.steps).toEqual({ first: 0, every: 20, total: 300 });
    expect(header.bins).toBe(16);
    expect(Array.from(run.steps)).toEqual(Array.from({ length: 15 }, (_, i) => 20 * i));
    expect(run.complete).toBe(true);
    expectRunMatchesLines(run, fixtureLines('digits-mlp'));
  });

  it('digits-cnn: Conv2d layers, units are channels', () => {
    const result = parseRunFile(fixtureText('digits-cnn'));
    expect(result.problems).toEqual([]);
    const { header } = result.run!;
    expect(header.layers.map((l) => [l.type, l.units, l.fanIn])).toEqual([
      ['Conv2d', 8, 1],
      ['Conv2d', 8, 8],
      ['Linear', 10, 288],
    ]);
    expect(header.layers[0]!.activation?.via).toEqual(['1']);
    expect(header.layers[1]!.activation?.gradlab).toBe('tanh');
    expectRunMatchesLines(result.run!, fixtureLines('digits-cnn'));
  });

  it('gives the same run whatever the chunk boundaries (multi-byte characters split too)', () => {
    const text = fixtureText('digits-mlp');
    const whole = parseRunFile(text).run!;
    for (const sizes of [[1], [7, 13, 4096], [65536], [3, 1, 2]]) {
      const chunked = parseInChunks(text, sizes);
      expect(chunked.problems).toEqual([]);
      expect(chunked.run).toEqual(whole);
    }
    // The MLP's header holds "‖"-free ASCII; the CNN fixture is small enough for 1-byte chunks.
    const withUnicode = syntheticFile(
      syntheticHeader([{ activation: 'tanh' }, { activation: null }], { model: 'Réseau δ‖' }),
      [{ step: 0, layers: [syntheticEntry(), syntheticEntry()] }],
    );
    expect(parseInChunks(withUnicode, [1]).run!.header.model).toBe('Réseau δ‖');
  });

  it('reads CRLF line endings and a last line without a newline', () => {
    const text = fixtureText('digits-cnn');
    const crlf = text.replaceAll('\n', '\r\n').trimEnd();
    const result = parseRunFile(crlf);
    expect(result.problems).toEqual([]);
    expect(result.run).toEqual(parseRunFile(text).run);
  });
});

describe('bad input: each problem names the line and the field', () => {
  const lines = fixtureText('digits-mlp').split('\n');
  const join = (parts: string[]) => parts.join('\n');
  const edit = (index: number, change: (line: Record<string, unknown>) => void): string => {
    const copy = [...lines];
    const line = JSON.parse(copy[index]!) as Record<string, unknown>;
    change(line);
    copy[index] = JSON.stringify(line);
    return join(copy);
  };
  type Entry = Record<string, unknown>;
  const layersOf = (line: Record<string, unknown>) => line.layers as Entry[];

  it('a file that is not the format is refused at line 1', () => {
    const csv = parseRunFile('step,layer,gradNorm\n0,1,0.5\n');
    expect(csv.run).toBeNull();
    expect(describeProblem(csv.fatal!)).toMatch(
      /^line 1: not JSON \(it begins with "step,layer,g"\): this is not a gradlab run file/,
    );
    const other = parseRunFile('{"format": "tensorboard", "version": 1}\n{"type": "step"}\n');
    expect(other.fatal).toMatchObject({ line: 1, field: 'format', severity: 'error' });
    expect(other.fatal!.message).toContain('got "tensorboard"; allowed: "gradlab-run"');
    expect(parseRunFile('[1, 2]\n').fatal).toMatchObject({ line: 1, field: null });
    expect(parseRunFile('{"format": "gradlab-run", "ver').fatal).toMatchObject({ line: 1 });
    const binary = parseRunFile(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0xff, 0x00, 0x0a]));
    expect(binary.fatal!.message).toMatch(/not JSON/);
    expect(parseRunFile('').fatal!.message).toMatch(/the file is empty/);
    expect(parseRunFile('\n\n  \n').fatal!.message).toMatch(/the file is empty/);
  });

  it('a newer format version is refused, saying so', () => {
    const result = parseRunFile(edit(0, (h) => (h.version = 2)));
    expect(result.run).toBeNull();
    expect(describeProblem(result.fatal!)).toBe(
      'line 1: version: the file is format version 2, newer than this gradlab reads (1); update gradlab, or record with a matching gradlab_record.py',
    );
    expect(parseRunFile(edit(0, (h) => (h.version = 0))).fatal).toMatchObject({
      field: 'version',
      message: 'got 0; allowed: an integer from 1 to 1',
    });
  });

  it('a broken header names the field', () => {
    const noBins = parseRunFile(edit(0, (h) => delete h.bins));
    expect(noBins.fatal).toMatchObject({
      line: 1,
      field: 'bins',
      message: 'got nothing (the field is missing); allowed: an integer from 2 to 1024',
    });
    const badActivation = parseRunFile(
      edit(0, (h) => ((layersOf(h)[2]!.activation as Entry).gradlab = 'swish')),
    );
    expect(badActivation.fatal!.field).toBe('layers[2].activation.gradlab');
    const outOfOrder = parseRunFile(edit(0, (h) => (layersOf(h)[1]!.index = 5)));
    expect(outOfOrder.fatal).toMatchObject({
      field: 'layers[1].index',
      message: 'got 5; allowed: 2 (layers in order)',
    });
    const badType = parseRunFile(edit(0, (h) => (layersOf(h)[0]!.type = 'LSTM')));
    expect(badType.fatal!.message).toBe(
      'got "LSTM"; allowed: one of Linear, Conv1d, Conv2d, Conv3d',
    );
  });

  it('a truncated file keeps the records before the cut, with a warning', () => {
    const cut = join(lines.slice(0, 10)) + '\n' + lines[10]!.slice(0, 500);
    const result = parseRunFile(cut);
    expect(result.fatal).toBeNull();
    expect(result.run!.recordCount).toBe(9);
    expect(result.run!.complete).toBe(false);
    expect(result.problems.map(describeProblem)).toEqual([
      'line 11: the file ends in the middle of this line (truncated?): the line is not imported; the 9 records before it are',
      'file: no end line: the recording was not closed (interrupted, or still running); the 9 records read are imported',
    ]);
    expect(result.problems.every((p) => p.severity === 'warning')).toBe(true);
  });

  it('a layer list that disagrees with the records: the line is skipped, the rest imported', () => {
    const shorter = parseRunFile(edit(3, (line) => layersOf(line).pop()));
    expect(shorter.run!.recordCount).toBe(14);
    expect(shorter.run!.steps).not.toContain(40);
    expect(shorter.problems.map(describeProblem)).toEqual([
      'line 4: layers: 20 entries, but the header (line 1) lists 21 layers: the layer list disagrees with the records; the line is skipped',
      'line 17: records: the end line counts 15 records; 14 were imported',
    ]);
    const bins = parseRunFile(
      edit(5, (line) => ((layersOf(line)[3]!.histogram as Entry).counts as number[]).push(0)),
    );
    expect(bins.problems[0]).toMatchObject({
      line: 6,
      field: 'layers[3].histogram.counts',
      message: '17 counts, but the header (line 1) says bins 16; the line is skipped',
    });
  });

  it('non-finite values are read as such, not as problems', () => {
    const text = edit(8, (line) => {
      layersOf(line)[3]!.gradNorm = 'Infinity';
      layersOf(line)[3]!.activationMean = 'NaN';
      layersOf(line)[4]!.weightGradNorm = '-Infinity';
      line.loss = 'NaN';
    });
    const result = parseRunFile(text);
    expect(result.problems).toEqual([]);
    const run = result.run!;
    expect(metricAt(run, 'gradNorm', 7, 4)).toBe(Infinity);
    expect(metricAt(run, 'activationMean', 7, 4)).toBeNaN();
    expect(metricAt(run, 'weightGradNorm', 7, 5)).toBe(-Infinity);
    expect(run.loss[7]).toBeNaN();
    expect(run.lossMissing[7]).toBe(0);
  });

  it('a value of the wrong kind names its field and what is allowed', () => {
    const result = parseRunFile(edit(2, (line) => (layersOf(line)[3]!.gradNorm = 'large')));
    expect(describeProblem(result.problems[0]!)).toBe(
      'line 3: layers[3].gradNorm: got "large"; allowed: a number, null (not recorded), or "NaN", "Infinity", "-Infinity"; the line is skipped',
    );
    const fraction = parseRunFile(edit(2, (line) => (layersOf(line)[0]!.deadFraction = 1.5)));
    expect(fraction.problems[0]).toMatchObject({ line: 3, field: 'layers[0].deadFraction' });
    const negative = parseRunFile(edit(2, (line) => (layersOf(line)[0]!.weightNorm = -1)));
    expect(negative.problems[0]).toMatchObject({ line: 3, field: 'layers[0].weightNorm' });
  });

  it('steps must increase; lines after the end line and garbage lines are errors', () => {
    const backwards = parseRunFile(edit(4, (line) => (line.step = 20)));
    expect(backwards.problems[0]).toMatchObject({
      line: 5,
      field: 'step',
      message: "got 20; allowed: a step after the previous record's (40); the line is skipped",
    });
    const after = parseRunFile(join([...lines.slice(0, -1), lines[2]!, '']));
    expect(after.problems[0]).toMatchObject({ line: 18, field: 'type', severity: 'error' });
    const garbage = [...lines];
    garbage.splice(3, 0, 'oops');
    const result = parseRunFile(join(garbage));
    expect(result.problems[0]).toMatchObject({ line: 4, field: null, severity: 'error' });
    expect(result.problems[0]!.message).toMatch(/^not valid JSON \(.*\); the line is skipped$/);
    expect(result.run!.recordCount).toBe(15);
    const array = [...lines];
    array.splice(3, 0, '[1, 2]');
    expect(describeProblem(parseRunFile(join(array)).problems[0]!)).toBe(
      'line 4: got [1,2]; allowed: a JSON object (a "step" or "end" line); the line is skipped',
    );
    const unknown = [...lines];
    unknown.splice(3, 0, '{"type": "note", "text": "lr changed"}');
    expect(parseRunFile(join(unknown)).problems[0]).toMatchObject({
      line: 4,
      field: 'type',
      severity: 'warning',
    });
  });

  it('keeps the first problems in detail and counts the rest', () => {
    const many = [lines[0]!, ...Array<string>(500).fill('nonsense'), ''].join('\n');
    const result = parseRunFile(many, { maxProblems: 10 });
    expect(result.problems).toHaveLength(10);
    // 500 bad lines, the missing end line and the empty run.
    expect(result.problemCount).toBe(502);
  });

  it('refuses a line longer than the limit without reading on', () => {
    const parser = new RunFileParser({ maxLineLength: 6000 });
    parser.push(`${lines[0]}\n${'x'.repeat(7000)}`);
    expect(parser.fatal).toMatchObject({ line: 2 });
    parser.push('more');
    expect(parser.progress.lines).toBe(1);
    expect(parser.finish().run).toBeNull();
  });
});
