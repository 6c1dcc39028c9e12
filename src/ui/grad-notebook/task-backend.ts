/**
 * The engine's notebook code (runNotebook) computes through a Backend. On the page, its runs go to
 * the lab's CPU worker through the section's RunController task, so this adapter is that Backend:
 * the chapter's experiments run unchanged, off the main thread, with progress and cancel, and
 * always in f64 (cpu64), the precision that reproduces the chapter's numbers. A problem that is
 * its spec's own is sent as the spec and drawn in the worker; one built by hand (the depth sweep's
 * shared stream) is drawn on the page and sent whole.
 */
import type { Backend, PreparedRun } from '../../engine/backend.ts';
import type { ProblemSource } from '../../engine/problem.ts';
import type { TaskContext } from '../lab/run-controller.ts';

export function taskBackend(context: Pick<TaskContext, 'run' | 'runProblem'>): Backend {
  return {
    info: { name: 'cpu64', precision: 'f64' },
    prepare: (source: ProblemSource): Promise<PreparedRun> =>
      Promise.resolve({
        compute: async () =>
          (source.fromSpec
            ? await context.run({ ...source.spec, backend: 'cpu64' })
            : await context.runProblem(source.problem(), 'cpu64')
          ).stats,
        // The worker frees what it prepared when its run ends; nothing is held here.
        dispose: () => undefined,
      }),
  };
}
