/**
 * Bare NaN / Infinity / -Infinity (what Python's json.dumps writes unless allow_nan=False) are
 * not JSON: the parser reads them as the non-finite values they stand for, with a warning that
 * names the line and the field, instead of dropping the line as "not valid JSON".
 */
import { describe, expect, it } from 'vitest';
import { describeProblem } from '../../src/import/run-format.ts';
import { parseRunFile, readBareNonFinite } from '../../src/import/run-parser.ts';
import { runFlags } from '../../src/import/run-flags.ts';
import { syntheticEntry, syntheticFile, syntheticHeader } from './run-files.ts';

describe('bare non-finite numbers', () => {
  it('names the field of each token outside strings, and reads it as the format’s string', () => {
    const read = readBareNonFinite(
      '{"a": NaN, "s": "x\\"NaN Infinity", "b": [1, -Infinity, {"c": Infinity}]}',
    );
    expect(read).not.toBeNull();
    expect(read!.fields).toEqual(['a', 'b[1]', 'b[2].c']);
    expect(read!.tokens).toEqual(['NaN', '-Infinity', 'Infinity']);
    expect(read!.value).toEqual({
      a: 'NaN',
      s: 'x"NaN Infinity',
      b: [1, '-Infinity', { c: 'Infinity' }],
    });
  });

  it('leaves lines that are not JSON for another reason, or have no such token', () => {
    expect(readBareNonFinite('{"a": NaN, oops}')).toBeNull();
    expect(readBareNonFinite('{"a": 1')).toBeNull();
    expect(readBareNonFinite('{"a": "NaN"}')).toBeNull();
  });

  it('a step line with bare tokens is imported with a warning naming its line and field', () => {
    const text = syntheticFile(syntheticHeader([{}, {}, { activation: null }]), [
      { step: 0, layers: [syntheticEntry(), syntheticEntry(), syntheticEntry()] },
      { step: 10, layers: [syntheticEntry(), syntheticEntry(), syntheticEntry()] },
    ]).replace(
      /("step":10,"layers":\[\{"gradNorm":)1,"weightGradNorm":1/,
      '$1NaN,"weightGradNorm":Infinity',
    );
    const result = parseRunFile(text);
    expect(result.fatal).toBeNull();
    expect(result.run!.recordCount).toBe(2);
    expect(result.run!.metrics.gradNorm[3]).toBeNaN();
    expect(result.run!.metrics.weightGradNorm[3]).toBe(Infinity);
    expect(result.problems.map(describeProblem)).toEqual([
      'line 3: layers[0].gradNorm: got a bare NaN, which is not JSON (Python\'s json.dumps writes it unless allow_nan=False); allowed: a number, null, or the string "NaN", "Infinity", "-Infinity"; read as NaN (and 1 more bare value on this line: layers[0].weightGradNorm)',
    ]);
    expect(result.problems[0]!.severity).toBe('warning');
    // And the run's flags say where the gradients broke.
    expect(runFlags(result.run!).map((flag) => flag.message)).toContain(
      'non-finite gradients at step 10 (layer 1)',
    );
  });

  it('a bare token in the header names its field, and the header’s own check refuses it', () => {
    const header = JSON.stringify(syntheticHeader([{}, {}])).replace(
      '"maxSlope":1',
      '"maxSlope":NaN',
    );
    const result = parseRunFile(`${header}\n`);
    expect(result.run).toBeNull();
    expect(result.problems.map((p) => [p.line, p.field, p.severity])).toEqual([
      [1, 'layers[0].activation.maxSlope', 'warning'],
      [1, 'layers[0].activation.maxSlope', 'error'],
    ]);
  });
});
