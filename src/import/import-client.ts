/**
 * The page's side of the import worker: importFile(file) resolves with the imported run, its
 * summary (flags, problems, the mean-field phase) and the mean-field prediction, or with the
 * problem that stopped it; onHeader and onProgress report while it reads. The worker comes from a factory (run-import.ts gives the
 * bundled one), so this logic also runs in tests; where no worker can be started (a
 * Content-Security-Policy without worker-src blob:), the import runs on the page, still chunk by
 * chunk, and `inPageReason` says why.
 */
import type { ImportProgress, ImportRequest, ImportResponse } from './import-protocol.ts';
import type { ImportedRun } from './run-data.ts';
import type { RunFileHeader, RunProblem } from './run-format.ts';
import { summarizeRun, type RunSummary } from './run-summary.ts';
import { meanFieldComparison, type MeanFieldResult } from './run-theory.ts';

/** The parts of a Worker the client uses. */
export interface ImportWorkerLike {
  postMessage(message: ImportRequest, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ImportResponse>) => void) | null;
  terminate(): void;
}

export interface ImportCallbacks {
  /** The header, as soon as line 1 has been read: the layers, their activations, the schedule. */
  readonly onHeader?: (header: RunFileHeader) => void;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Cancels the import: the promise rejects with an AbortError. */
  readonly signal?: AbortSignal;
}

/** What a finished import gives the page. */
export interface ImportedRunResult {
  readonly run: ImportedRun;
  /** The header's facts, the flags, the problems and the mean-field phase. */
  readonly summary: RunSummary;
  /** The prediction over the measured ‖δ⁽ˡ⁾‖, or why there is none. */
  readonly meanField: MeanFieldResult;
}

export type ImportOutcome =
  | ({ readonly ok: true } & ImportedRunResult)
  | {
      readonly ok: false;
      /** The problem that stopped the import: it names the line and the field. */
      readonly problem: RunProblem;
      readonly problems: readonly RunProblem[];
    };

interface Pending {
  readonly callbacks: ImportCallbacks;
  readonly resolve: (outcome: ImportOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Runs the sessions on this thread, behind the worker interface. The parser (import-session.ts,
 * with run-parser.ts) is imported here, where no worker could start, so that a page whose imports
 * run in the worker never downloads it; messages wait for it in order.
 */
function inPageWorker(): ImportWorkerLike {
  const answer = (message: ImportResponse) =>
    worker.onmessage?.({ data: message } as MessageEvent<ImportResponse>);
  const sessions = import('./import-session.ts').then(
    ({ ImportSessions }) => new ImportSessions(answer),
  );
  const worker: ImportWorkerLike = {
    onmessage: null,
    postMessage: (message) => {
      sessions.then(
        (loaded) => void loaded.handle(message),
        (error: unknown) => {
          if (message.type !== 'import-file' && message.type !== 'import-end') return;
          const problem = {
            line: 0,
            field: null,
            message: `the importer could not be loaded (${error instanceof Error ? error.message : String(error)})`,
            severity: 'error',
          } as const;
          answer({ type: 'import-failed', id: message.id, problem, problems: [problem] });
        },
      );
    },
    terminate: () => {},
  };
  return worker;
}

export class RunImporter {
  private worker: ImportWorkerLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Set when no worker could be started: imports then run on the page. */
  inPageReason: string | null = null;

  constructor(private readonly createWorker: () => ImportWorkerLike) {}

  private ensureWorker(): ImportWorkerLike {
    if (this.worker) return this.worker;
    let worker: ImportWorkerLike;
    try {
      worker = this.createWorker();
    } catch (error) {
      this.inPageReason = `no worker could be started (${error instanceof Error ? error.message : String(error)}): the file is read on the page`;
      worker = inPageWorker();
    }
    worker.onmessage = (event) => this.receive(event.data);
    this.worker = worker;
    return worker;
  }

  private receive(message: ImportResponse): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    switch (message.type) {
      case 'import-header':
        pending.callbacks.onHeader?.(message.header);
        return;
      case 'import-progress':
        pending.callbacks.onProgress?.(message.progress);
        return;
      case 'import-done': {
        this.pending.delete(message.id);
        const meanField = meanFieldComparison(message.run);
        const summary = summarizeRun(message.run, message, meanField);
        pending.resolve({ ok: true, run: message.run, summary, meanField });
        return;
      }
      case 'import-failed':
        this.pending.delete(message.id);
        pending.resolve({ ok: false, problem: message.problem, problems: message.problems });
        return;
      case 'import-cancelled':
        this.pending.delete(message.id);
        pending.reject(new DOMException('The import was cancelled', 'AbortError'));
        return;
    }
  }

  /** Imports a run file (a File from a drop or a picker, or any Blob). */
  importFile(file: Blob, callbacks: ImportCallbacks = {}): Promise<ImportOutcome> {
    const { signal } = callbacks;
    if (signal?.aborted)
      return Promise.reject(new DOMException('The import was cancelled', 'AbortError'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<ImportOutcome>((resolve, reject) => {
      this.pending.set(id, { callbacks, resolve, reject });
      signal?.addEventListener('abort', () => worker.postMessage({ type: 'import-cancel', id }), {
        once: true,
      });
      worker.postMessage({ type: 'import-file', id, file });
    });
  }

  /** Stops the worker; pending imports reject. */
  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    for (const pending of this.pending.values())
      pending.reject(new DOMException('The importer was disposed', 'AbortError'));
    this.pending.clear();
  }
}
