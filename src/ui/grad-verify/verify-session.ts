/**
 * A verification as one shared session (figures/shared-session.ts): the spec under test timed
 * TIMED_RUNS times on its backend, then recomputed with the cpu64 reference (the whole batch, or
 * a subset of samples when a full check would take too long) and compared layer by layer. The
 * section and the verify figures on a page (grad-verify-table, grad-verify-errors,
 * grad-verify-timings) show the session of their configuration, computed once. Everything is
 * compared through verify.ts (planCheck, compareRuns and its report types), which decides what
 * agrees.
 */
import { layerSizes } from '../../engine/problem.ts';
import type { RunResult } from '../../engine/results.ts';
import type { RunSpec } from '../../engine/spec.ts';
import {
  compareRuns,
  FULL_CHECK_MULTIPLY_ADDS,
  planCheck,
  subsetOfSpec,
  type CheckPlan,
  type VerifyReport,
} from '../../engine/verify.ts';
import type { TaskContext } from '../lab/run-controller.ts';
import { SessionStore, type SessionHandle } from '../figures/shared-session.ts';

/** The backends a reader may put under test; cpu64 is the reference. */
export const BACKENDS_UNDER_TEST = ['webgpu', 'cpu'] as const;
export type BackendUnderTest = (typeof BACKENDS_UNDER_TEST)[number];

export const BACKEND_LABELS: Record<BackendUnderTest, string> = {
  webgpu: 'webgpu (GPU, f32)',
  cpu: 'cpu (f32)',
};

/** Timed runs per measurement: the first pays for warm-up, the rest give the steady state. */
export const TIMED_RUNS = 5;

/** What a verification depends on. */
export interface VerifyConfig {
  /** The spec under test: the lab's, on the backend under test, timed TIMED_RUNS times. */
  readonly spec: RunSpec;
  /** The most multiply-adds a full cpu64 check may take (above it, a subset of samples). */
  readonly limit: number;
}

export function verifyConfig(
  spec: RunSpec,
  underTest: BackendUnderTest,
  limit: number = FULL_CHECK_MULTIPLY_ADDS,
): VerifyConfig {
  return { spec: { ...spec, backend: underTest, repeat: TIMED_RUNS }, limit };
}

export const verifyKey = (config: VerifyConfig): string =>
  JSON.stringify([config.spec, config.limit]);

/** A finished check: what it covered and how each layer compared. */
export interface Verification {
  readonly plan: CheckPlan;
  /** The spec under test (the run's, with the batch it had). */
  readonly spec: RunSpec;
  readonly report: VerifyReport;
  /** The statistics compared: the run under test (or its subset run) and cpu64's. */
  readonly test: RunResult;
  readonly reference: RunResult;
}

export interface VerifySession {
  /** The timed run under test, once it is done. */
  readonly result: RunResult | null;
  /** Why the run under test used the CPU instead of WebGPU, when it did. */
  readonly fallback: string | null;
  /** Whether the check against cpu64 has begun. */
  readonly checking: boolean;
  readonly verification: Verification | null;
}

export const EMPTY_VERIFICATION: VerifySession = {
  result: null,
  fallback: null,
  checking: false,
  verification: null,
};

/** The page's verifications, by verifyKey. */
export const VERIFY_SESSIONS = new SessionStore<VerifySession>();

/**
 * Times the spec under test. `fallbackReason` reads the task's fallback notice (RunController),
 * which says why a webgpu run used the CPU.
 */
export async function measure(
  context: TaskContext,
  config: VerifyConfig,
  fallbackReason: () => string | null,
): Promise<VerifySession> {
  context.setTotal(1);
  // The run under test, timed now (not one kept from earlier).
  const result = await context.run(config.spec, { fresh: true });
  const fellBack = result.backend.name !== config.spec.backend;
  return {
    ...EMPTY_VERIFICATION,
    result,
    fallback: fellBack ? (fallbackReason() ?? 'WebGPU was unavailable') : null,
  };
}

/** Recomputes the measured run (or a subset of its samples) with cpu64 and compares. */
export async function check(
  context: TaskContext,
  measured: VerifySession,
  limit: number,
): Promise<VerifySession> {
  const result = measured.result;
  if (!result) throw new Error('Cannot verify: nothing has been timed yet.');
  const spec = result.spec;
  const plan = planCheck(spec, limit);
  if (plan.kind === 'impossible') throw new Error(`Cannot verify: ${plan.reason}.`);
  let verification: Verification;
  if (plan.kind === 'full') {
    context.setTotal(1);
    const reference = await context.run({ ...spec, backend: 'cpu64', repeat: 1 });
    const report = compareRuns(
      result.stats,
      reference.stats,
      layerSizes(spec),
      spec.batch,
      result.backend.precision,
    );
    verification = { plan, spec, report, test: result, reference };
  } else {
    context.setTotal(2);
    const problem = subsetOfSpec(spec, plan.indices);
    // The backend that actually ran (cpu after a WebGPU fallback) runs the subset too.
    const test = await context.runProblem(problem, result.backend.name);
    const reference = await context.runProblem(problem, 'cpu64');
    const report = compareRuns(
      test.stats,
      reference.stats,
      problem.sizes,
      problem.spec.batch,
      test.backend.precision,
    );
    verification = { plan, spec, report, test, reference };
  }
  return { ...measured, checking: true, verification };
}

/** Times the spec under test, then checks it: a figure on its own does both in one task. */
export async function measureAndCheck(
  context: TaskContext,
  handle: SessionHandle<VerifySession>,
  config: VerifyConfig,
  fallbackReason: () => string | null,
): Promise<VerifySession> {
  const measured = await measure(context, config, fallbackReason);
  handle.update({ ...measured, checking: true });
  return check(context, measured, config.limit);
}
