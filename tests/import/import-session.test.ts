/**
 * The import worker's protocol, run in-process: a file in, the header, progress and the run out
 * (its arrays transferred); refused files, chunked input, cancellation, and the page-side client.
 */
import { describe, expect, it } from 'vitest';
import { RunImporter, type ImportWorkerLike } from '../../src/import/import-client.ts';
import type { ImportRequest, ImportResponse } from '../../src/import/import-protocol.ts';
import { ImportSessions } from '../../src/import/import-session.ts';
import { parseRunFile } from '../../src/import/run-parser.ts';
import { summarizeRun } from '../../src/import/run-summary.ts';
import { meanFieldComparison } from '../../src/import/run-theory.ts';
import { fixtureText } from './run-files.ts';

const text = fixtureText('digits-mlp');

/**
 * A Blob in 16 kB parts: Node's Blob streams one chunk per part (a browser's File streams chunks
 * of about 64 kB), so the worker reads it chunk by chunk as it reads a real file.
 */
function blobOf(content: string, copies = 1): Blob {
  const parts: string[] = [];
  for (let copy = 0; copy < copies; copy++)
    for (let at = 0; at < content.length; at += 16_384) parts.push(content.slice(at, at + 16_384));
  return new Blob(parts);
}

function collect(options = { progressBytes: 16 * 1024 }) {
  const messages: { message: ImportResponse; transfer: Transferable[] }[] = [];
  const sessions = new ImportSessions(
    (message, transfer = []) => messages.push({ message, transfer }),
    options,
  );
  return { sessions, messages, types: () => messages.map((m) => m.message.type) };
}

describe('the import worker’s sessions', () => {
  it('a file: the header first, progress as it reads, then the run', async () => {
    const { sessions, messages, types } = collect();
    await sessions.handle({ type: 'import-file', id: 7, file: blobOf(text) });
    expect(types()[0]).toBe('import-header');
    expect(types().at(-1)).toBe('import-done');
    const progress = messages
      .map((m) => m.message)
      .filter((m) => m.type === 'import-progress')
      .map((m) => m.progress);
    expect(progress.length).toBeGreaterThan(5);
    expect(progress[0]!.bytes).toBeLessThan(progress.at(-1)!.bytes);
    progress.slice(1).forEach((p, i) => expect(p.bytes).toBeGreaterThanOrEqual(progress[i]!.bytes));
    const total = new TextEncoder().encode(text).length;
    expect(progress.at(-1)).toEqual({ bytes: total, totalBytes: total, lines: 17, records: 15 });
    const { message, transfer } = messages.at(-1)!;
    if (message.type !== 'import-done') throw new Error(message.type);
    expect(message.id).toBe(7);
    const expected = parseRunFile(text);
    expect(message.run).toEqual(expected.run);
    expect(message.problems).toEqual([]);
    expect(message.problemCount).toBe(0);
    // Every typed array of the run goes across without a copy.
    expect(transfer).toContain(message.run.metrics.gradNorm.buffer);
    expect(transfer).toContain(message.run.histogramCounts.buffer);
    expect(new Set(transfer).size).toBe(transfer.length);
  });

  it('chunks streamed by the page give the same run', async () => {
    const { sessions, messages } = collect();
    const bytes = new TextEncoder().encode(text);
    for (let at = 0; at < bytes.length; at += 10_000)
      await sessions.handle({ type: 'import-chunk', id: 1, chunk: bytes.slice(at, at + 10_000) });
    await sessions.handle({ type: 'import-end', id: 1 });
    const done = messages.at(-1)!.message;
    expect(done.type).toBe('import-done');
    if (done.type === 'import-done') expect(done.run).toEqual(parseRunFile(text).run);
  });

  it('a file it refuses: import-failed with the problem, and it stops reading', async () => {
    const { sessions, messages, types } = collect();
    const junk = 'id,value\n' + 'x,1\n'.repeat(100_000);
    await sessions.handle({ type: 'import-file', id: 2, file: blobOf(junk) });
    expect(types()).not.toContain('import-header');
    const failed = messages.at(-1)!.message;
    if (failed.type !== 'import-failed') throw new Error(failed.type);
    expect(failed.problem).toMatchObject({ line: 1, severity: 'error' });
    expect(failed.problem.message).toMatch(/not a gradlab run file/);
    const last = messages.filter((m) => m.message.type === 'import-progress').at(-1)!.message;
    // It read one 16 kB chunk, not the whole 400 kB.
    if (last.type === 'import-progress') expect(last.progress.bytes).toBe(16_384);
  });

  it('cancel: the file stops being read, and no run comes back', async () => {
    const { sessions, types } = collect();
    const reading = sessions.handle({
      type: 'import-file',
      id: 3,
      file: blobOf(text, 50),
    });
    await sessions.handle({ type: 'import-cancel', id: 3 });
    await reading;
    expect(types()).toContain('import-cancelled');
    expect(types()).not.toContain('import-done');
  });
});

/** A worker that runs the sessions in-process, asynchronously like a real one. */
function fakeWorker(): ImportWorkerLike & { requests: ImportRequest[] } {
  const requests: ImportRequest[] = [];
  const worker = {
    requests,
    onmessage: null as ImportWorkerLike['onmessage'],
    postMessage(message: ImportRequest) {
      requests.push(message);
      setTimeout(() => void sessions.handle(message), 0);
    },
    terminate() {},
  };
  const sessions = new ImportSessions((message) =>
    worker.onmessage?.({ data: message } as MessageEvent<ImportResponse>),
  );
  return worker;
}

describe('RunImporter (the page’s side)', () => {
  it('resolves with the run, reporting the header and progress on the way', async () => {
    const worker = fakeWorker();
    const importer = new RunImporter(() => worker);
    const headers: string[] = [];
    let progressCalls = 0;
    const outcome = await importer.importFile(blobOf(text), {
      onHeader: (header) => headers.push(header.model ?? ''),
      onProgress: () => progressCalls++,
    });
    expect(headers).toEqual(['Sequential']);
    expect(progressCalls).toBeGreaterThan(0);
    if (!outcome.ok) throw new Error(outcome.problem.message);
    expect(outcome.run.recordCount).toBe(15);
    const expected = parseRunFile(text);
    expect(outcome.summary).toEqual(summarizeRun(expected.run!, expected));
    expect(outcome.meanField).toEqual(meanFieldComparison(expected.run!));
    expect(outcome.summary.flags.map((f) => f.kind)).toEqual([
      'vanishing',
      'dead',
      'update-ratio-low',
    ]);
  });

  it('a refused file resolves with the problem; an abort rejects', async () => {
    const importer = new RunImporter(fakeWorker);
    const outcome = await importer.importFile(new Blob(['{"format": "other"}\n']));
    expect(outcome).toMatchObject({ ok: false, problem: { line: 1, field: 'format' } });
    const controller = new AbortController();
    const pending = importer.importFile(blobOf(text, 50), {
      signal: controller.signal,
    });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('reads on the page, and says why, where no worker can start', async () => {
    const importer = new RunImporter(() => {
      throw new Error('blocked by worker-src');
    });
    const outcome = await importer.importFile(new Blob([text]));
    expect(outcome.ok).toBe(true);
    expect(importer.inPageReason).toMatch(/blocked by worker-src/);
  });
});
