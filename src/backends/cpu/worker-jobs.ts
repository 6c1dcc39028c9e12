/**
 * What the CPU worker does with a request, as plain functions: the worker runs them off the main
 * thread, and the page runs the same functions itself where workers are not allowed (a strict
 * Content-Security-Policy without `worker-src blob:`). The experiment run is run-job.ts, which
 * the worker carries with it; the worker imports this module (Jacobian spectra, the roofline,
 * training) only when one of those jobs is asked for.
 */
import type { ComputeOptions } from '../../engine/backend.ts';
import { jacobianSpectrum, type JacobianSpectrum } from '../../engine/jacobian.ts';
import { createTrainingState, trainSteps, type TrainingChunk } from './training.ts';
import type { LaneTeam } from './lanes.ts';
import { measureRoofline, type Roofline } from './roofline.ts';
import type { JacobianRequest, RooflineRequest, TrainJob } from './worker-protocol.ts';

export { executeRequest } from './run-job.ts';

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
