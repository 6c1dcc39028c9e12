/** The import section's sentences: the run's summary, the mean-field line, the progress. */
import { describe, expect, it } from 'vitest';
import { parseRunFile } from '../../src/import/run-parser.ts';
import { summarizeRun } from '../../src/import/run-summary.ts';
import {
  bytesText,
  headerText,
  meanFieldText,
  progressText,
  summaryText,
} from '../../src/ui/grad-import/import-text.ts';
import { fixtureText } from '../import/run-files.ts';

function summaryOf(text: string) {
  const parsed = parseRunFile(text);
  return summarizeRun(parsed.run!, parsed);
}

describe('the import section’s text', () => {
  it('says what was read, and whether the recording was closed', () => {
    const mlp = summaryOf(fixtureText('digits-mlp'));
    expect(summaryText(mlp)).toBe(
      'Sequential, 21 layers (21 Linear), recorded with PyTorch 1.13.0a0: 15 records, steps 0–280 every 20 of 300 planned; loss 2.317 → 2.31; the recording was closed.',
    );
    expect(summaryText(summaryOf(fixtureText('digits-cnn')))).toBe(
      'Sequential, 3 layers (2 Conv2d, 1 Linear), recorded with PyTorch 1.13.0a0: 6 records, steps 0–50 every 10 of 60 planned; loss 2.265 → 0.1422; the recording was closed.',
    );
    const lines = fixtureText('digits-mlp').split('\n');
    const cut = summaryOf(lines.slice(0, 3).join('\n'));
    expect(summaryText(cut)).toBe(
      'Sequential, 21 layers (21 Linear), recorded with PyTorch 1.13.0a0: 2 records, steps 0–20 every 20 of 300 planned; loss 2.317 → 2.315; the recording was not closed (interrupted, or still running).',
    );
    expect(summaryText(summaryOf(lines[0]!))).toContain(': no step records; no loss recorded;');
    expect(headerText(parseRunFile(lines[0]!).run!.header)).toBe(
      'Sequential, 21 layers (21 Linear)',
    );
  });

  it('the mean-field line names the phase, or why there is no prediction', () => {
    expect(meanFieldText(summaryOf(fixtureText('digits-mlp')).meanField)).toBe(
      'Mean-field prediction at step 0 (relu; σ_w = 0.5772, σ_b = 0.09963 from the recorded norms of the hidden layers): ordered phase, χ₁ = 0.1666, q* = 0.01191; gradients vanishing by a factor e every 0.558 layers. It is drawn dashed over the measured ‖δ⁽ˡ⁾‖ below.',
    );
    expect(meanFieldText(summaryOf(fixtureText('digits-cnn')).meanField)).toBe(
      'No mean-field prediction: layer 1 (0) is Conv2d, not Linear.',
    );
  });

  it('progress: bytes of the total, and records', () => {
    expect(
      progressText({ bytes: 4_200_000, totalBytes: 20_000_000, lines: 421, records: 420 }),
    ).toBe('4.2 MB of 20 MB (21%), 420 records');
    expect(progressText({ bytes: 820_000, totalBytes: null, lines: 2, records: 1 })).toBe(
      '820 kB, 1 record',
    );
    expect(bytesText(123_456_789)).toBe('123 MB');
  });
});
