/**
 * The notebook's computation as one shared session (figures/shared-session.ts): the chapter's two
 * experiments (engine/notebook.ts, run in the CPU worker through taskBackend) and the ten-layer
 * ReLU run with its flaws fixed one at a time. The section and every notebook figure on a page
 * show this one session, computed once. The chapter's settings are fixed, so there is one key.
 */
import { NOTEBOOK_ACTIVATIONS, NOTEBOOK_DEPTHS, runNotebook } from '../../engine/notebook.ts';
import type { NotebookReport } from '../../engine/notebook.ts';
import type { TaskContext } from '../lab/run-controller.ts';
import { SessionStore, type Session, type SessionHandle } from '../figures/shared-session.ts';
import { NOTEBOOK_VARIANTS, type VariantResult } from './notebook-figures.ts';
import { taskBackend } from './task-backend.ts';

/** What the notebook computed so far: the chapter's report, then the variants as they finish. */
export interface NotebookSession {
  readonly report: NotebookReport | null;
  readonly variants: readonly VariantResult[];
}

/** The finished computation. */
export interface NotebookResults {
  readonly report: NotebookReport;
  readonly variants: readonly VariantResult[];
}

export const EMPTY_NOTEBOOK: NotebookSession = { report: null, variants: [] };

/** The one configuration: the chapter's code as written. */
export const NOTEBOOK_KEY = 'chapter';

/** The page's notebook sessions. */
export const NOTEBOOK_SESSIONS = new SessionStore<NotebookSession>(1);

/** runNotebook's runs: the depth sweep for each activation, then one ten-layer run each. */
const NOTEBOOK_RUNS = NOTEBOOK_ACTIVATIONS.length * (NOTEBOOK_DEPTHS.length + 1);

/** Runs the chapter's code, then each variant; every step is written to the session. */
export async function computeNotebook(
  context: TaskContext,
  handle: SessionHandle<NotebookSession>,
): Promise<NotebookSession> {
  context.setTotal(NOTEBOOK_RUNS + NOTEBOOK_VARIANTS.length);
  const report = await runNotebook(taskBackend(context));
  handle.update({ report, variants: [] });
  const variants: VariantResult[] = [];
  for (const variant of NOTEBOOK_VARIANTS) {
    variants.push({ variant, result: await context.run(variant.spec) });
    handle.update({ report, variants: [...variants] });
  }
  return { report, variants };
}

/** The results of a finished session; null while it runs, or if it stopped. */
export function notebookResults(
  session: Session<NotebookSession> | undefined,
): NotebookResults | null {
  const report = session?.status === 'done' ? session.value.report : null;
  return report ? { report, variants: session!.value.variants } : null;
}
