/**
 * What the CPU worker does with a request, as a plain function: the worker runs it off the main
 * thread, and the page runs the same function itself where workers are not allowed (a strict
 * Content-Security-Policy without `worker-src blob:`).
 */
import type { ComputeOptions } from '../../engine/backend.ts';
import { runExperiment, runProblemOn } from '../../engine/experiment.ts';
import { jacobianSpectrum, type JacobianSpectrum } from '../../engine/jacobian.ts';
import type { RunResult } from '../../engine/results.ts';
import { createTrainingState, trainSteps, type TrainingChunk } from './training.ts';
import { createCpuBackend } from './cpu-backend.ts';
import type { LaneTeam } from './lanes.ts';
import { measureRoofline, type Roofline } from './roofline.ts';
import type { JacobianRequest, RooflineRequest, RunRequest, TrainJob } from './worker-protocol.ts';

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
  return request.type === 'problem'
    ? runProblemOn(request.problem, backend, options)
    : runExperiment(request.spec, backend, options);
}

/** The Jacobian spectrum of a spec: synchronous, f64 whatever the spec's backend. */
export function executeJacobian(request: JacobianRequest): JacobianSpectrum {
  return jacobianSpectrum(request.spec);
}

/** The CPU backend's roofline: this engine's SIMD peaks, measured on the calling thread. */
export function executeRoofline(request: RooflineRequest): Roofline {
  return measureRoofline({ sampleMs: request.sampleMs });
}

/**
 * Trains a chunk of steps on the CPU (f64 for cpu64, else f32; webgpu specs train in f32), split
 * between the team's threads where the network is large enough (f32 only).
 */
export function executeTrain(
  job: TrainJob,
  options: ComputeOptions = {},
  team: LaneTeam | null = null,
): TrainingChunk {
  const state = job.state ?? createTrainingState(job.spec, job.options);
  return trainSteps(state, job.steps, { signal: options.signal, team, threads: job.threads });
}
