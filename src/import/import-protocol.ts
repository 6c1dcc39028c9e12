/**
 * Messages between the page and the run-file import worker (import-worker.ts). The page sends a
 * file (or its bytes in chunks); the worker answers with the header as soon as line 1 is read,
 * progress as it reads, and at the end the columnar run (its typed arrays transferred, not
 * copied) with the problems found; or, for a file it refuses, the problem that stopped it. The
 * worker only reads and checks: the summary, flags and mean-field prediction, which take
 * milliseconds, are computed on the page (import-client.ts), so the worker's bundle stays small.
 */
import type { ImportedRun } from './run-data.ts';
import type { RunFileHeader, RunProblem } from './run-format.ts';

export type ImportRequest =
  /** Read a whole file (a File from a drop or a picker): the worker streams it itself. */
  | { readonly type: 'import-file'; readonly id: number; readonly file: Blob }
  /** Or stream bytes from elsewhere: chunks in order, then import-end. */
  | { readonly type: 'import-chunk'; readonly id: number; readonly chunk: Uint8Array }
  | { readonly type: 'import-end'; readonly id: number }
  /** Stop reading; answered with import-cancelled. */
  | { readonly type: 'import-cancel'; readonly id: number };

export interface ImportProgress {
  /** Bytes read so far. */
  readonly bytes: number;
  /** The file's size, where known (import-file); null for chunks. */
  readonly totalBytes: number | null;
  readonly lines: number;
  readonly records: number;
}

export type ImportResponse =
  | { readonly type: 'import-header'; readonly id: number; readonly header: RunFileHeader }
  | { readonly type: 'import-progress'; readonly id: number; readonly progress: ImportProgress }
  | {
      readonly type: 'import-done';
      readonly id: number;
      readonly run: ImportedRun;
      /** Problems kept in detail (warnings, skipped lines), in line order. */
      readonly problems: readonly RunProblem[];
      /** Problems found in all. */
      readonly problemCount: number;
    }
  | {
      readonly type: 'import-failed';
      readonly id: number;
      /** The problem that stopped the import (names the line and field). */
      readonly problem: RunProblem;
      readonly problems: readonly RunProblem[];
    }
  | { readonly type: 'import-cancelled'; readonly id: number };
