/**
 * The job the CPU worker does most: an experiment run (from a spec, or a problem built by hand),
 * as a plain function. The worker imports it with itself; its other jobs (worker-jobs.ts) are
 * imported when one is asked for, so a page that only runs experiments never downloads them.
 */
import type { ComputeOptions } from '../../engine/backend.ts';
import { runExperiment, runProblemOn } from '../../engine/experiment.ts';
import type { RunResult } from '../../engine/results.ts';
import { createCpuBackend } from './cpu-backend.ts';
import type { LaneTeam } from './lanes.ts';
import type { RunRequest } from './worker-protocol.ts';

/**
 * Runs a request on cpu (f32, split between the team's threads when there is a team) or cpu64
 * (the reference: always one thread, the simplest path).
 */
export function executeRequest(
  request: RunRequest,
  options: ComputeOptions,
  team: LaneTeam | null = null,
): Promise<RunResult> {
  const name = request.type === 'problem' ? request.backend : request.spec.backend;
  const backend =
    name === 'cpu64'
      ? createCpuBackend('f64')
      : createCpuBackend('f32', { team, threads: request.threads });
  const run = { ...options, warmUpMs: request.warmUpMs };
  return request.type === 'problem'
    ? runProblemOn(request.problem, backend, run)
    : runExperiment(request.spec, backend, run);
}
