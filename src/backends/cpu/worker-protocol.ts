/** Messages between the page and the CPU worker. */
import type { RunProgress } from '../../engine/backend.ts';
import type { RunResult } from '../../engine/results.ts';
import type { RunSpec } from '../../engine/spec.ts';

export type WorkerRequest = { readonly type: 'run'; readonly id: number; readonly spec: RunSpec };

export type WorkerResponse =
  | { readonly type: 'progress'; readonly id: number; readonly progress: RunProgress }
  | { readonly type: 'result'; readonly id: number; readonly result: RunResult }
  | { readonly type: 'error'; readonly id: number; readonly message: string };
