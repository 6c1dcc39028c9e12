/**
 * The import worker's work, apart from the worker itself so that it runs (and is tested) anywhere:
 * requests in, responses out through `post`. Each import has its own parser; reading a file
 * awaits each chunk, so a cancel request is seen between chunks.
 */
import type { ImportProgress, ImportRequest, ImportResponse } from './import-protocol.ts';
import { transferables } from './run-data.ts';
import { RunFileParser } from './run-parser.ts';
import { nextTask } from '../ui/figure/ready-queue.ts';

export type PostResponse = (message: ImportResponse, transfer?: Transferable[]) => void;

export interface ImportSessionOptions {
  /** Post progress at most every this many bytes (default 1 MiB), and once at the end. */
  readonly progressBytes?: number;
  /**
   * Let other messages (a cancel) in every this many bytes (default 4 MiB): a Blob already in
   * memory is read in microtasks alone, which no message can interrupt.
   */
  readonly yieldBytes?: number;
}

interface Session {
  readonly parser: RunFileParser;
  readonly totalBytes: number | null;
  headerSent: boolean;
  lastProgressBytes: number;
  cancelled: boolean;
}

export class ImportSessions {
  private readonly sessions = new Map<number, Session>();
  private readonly progressBytes: number;
  private readonly yieldBytes: number;

  constructor(
    private readonly post: PostResponse,
    options: ImportSessionOptions = {},
  ) {
    this.progressBytes = options.progressBytes ?? 1024 * 1024;
    this.yieldBytes = options.yieldBytes ?? 4 * 1024 * 1024;
  }

  /** Handles one request; resolves when a file request has been read to its end. */
  async handle(request: ImportRequest): Promise<void> {
    switch (request.type) {
      case 'import-file':
        return this.readFile(request.id, request.file);
      case 'import-chunk': {
        const session = this.open(request.id, null);
        this.push(request.id, session, request.chunk);
        return;
      }
      case 'import-end': {
        const session = this.sessions.get(request.id) ?? this.open(request.id, null);
        this.finish(request.id, session);
        return;
      }
      case 'import-cancel': {
        const session = this.sessions.get(request.id);
        if (session) session.cancelled = true;
        this.sessions.delete(request.id);
        this.post({ type: 'import-cancelled', id: request.id });
        return;
      }
    }
  }

  private open(id: number, totalBytes: number | null): Session {
    let session = this.sessions.get(id);
    if (!session) {
      session = {
        parser: new RunFileParser(),
        totalBytes,
        headerSent: false,
        lastProgressBytes: 0,
        cancelled: false,
      };
      this.sessions.set(id, session);
    }
    return session;
  }

  private async readFile(id: number, file: Blob): Promise<void> {
    const session = this.open(id, file.size);
    const reader = file.stream().getReader();
    let sinceYield = 0;
    try {
      for (;;) {
        if (sinceYield >= this.yieldBytes) {
          sinceYield = 0;
          await nextTask();
        }
        const { done, value } = await reader.read();
        if (session.cancelled) {
          await reader.cancel();
          return;
        }
        if (done) break;
        sinceYield += value.byteLength;
        this.push(id, session, value);
        // A refused file need not be read further.
        if (session.parser.fatal) {
          await reader.cancel();
          break;
        }
      }
    } catch (error) {
      if (session.cancelled) return;
      this.sessions.delete(id);
      this.post({
        type: 'import-failed',
        id,
        problem: {
          line: 0,
          field: null,
          severity: 'error',
          message: `the file could not be read: ${error instanceof Error ? error.message : String(error)}`,
        },
        problems: [],
      });
      return;
    }
    this.finish(id, session);
  }

  private progress(session: Session): ImportProgress {
    return { ...session.parser.progress, totalBytes: session.totalBytes };
  }

  private push(id: number, session: Session, chunk: Uint8Array): void {
    if (session.cancelled) return;
    session.parser.push(chunk);
    const header = session.parser.header;
    if (header && !session.headerSent) {
      session.headerSent = true;
      this.post({ type: 'import-header', id, header });
    }
    const { bytes } = session.parser.progress;
    if (bytes - session.lastProgressBytes >= this.progressBytes) {
      session.lastProgressBytes = bytes;
      this.post({ type: 'import-progress', id, progress: this.progress(session) });
    }
  }

  private finish(id: number, session: Session): void {
    this.sessions.delete(id);
    if (session.cancelled) return;
    const result = session.parser.finish();
    this.post({ type: 'import-progress', id, progress: this.progress(session) });
    if (!result.run) {
      this.post({
        type: 'import-failed',
        id,
        problem: result.fatal!,
        problems: result.problems,
      });
      return;
    }
    this.post(
      {
        type: 'import-done',
        id,
        run: result.run,
        problems: result.problems,
        problemCount: result.problemCount,
      },
      transferables(result.run),
    );
  }
}
