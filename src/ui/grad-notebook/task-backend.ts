/**
 * The engine's notebook code (runNotebook) computes through a Backend. On the page, a hand-built
 * problem runs in the lab's CPU worker through the section's RunController task, so this adapter is
 * that Backend: the chapter's experiments run unchanged, off the main thread, with progress and
 * cancel, and always in f64 (cpu64), the precision that reproduces the chapter's numbers.
 */
import type { Backend, PreparedRun } from '../../engine/backend.ts';
import type { ProblemSource } from '../../engine/problem.ts';
import type { TaskContext } from '../lab/run-controller.ts';

export function taskBackend(context: Pick<TaskContext, 'runProblem'>): Backend {
  return {
    info: { name: 'cpu64', precision: 'f64' },
    prepare: (source: ProblemSource): Promise<PreparedRun> =>
      Promise.resolve({
        compute: async () => (await context.runProblem(source.problem(), 'cpu64')).stats,
        // The worker frees what it prepared when its run ends; nothing is held here.
        dispose: () => undefined,
      }),
  };
}
