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
import type { JacobianRequest, RunRequest, TrainJob } from './worker-protocol.ts';

export function executeRequest(request: RunRequest, options: ComputeOptions): Promise<RunResult> {
  if (request.type === 'problem') {
    const backend = createCpuBackend(request.backend === 'cpu64' ? 'f64' : 'f32');
    return runProblemOn(request.problem, backend, options);
  }
  const backend = createCpuBackend(request.spec.backend === 'cpu64' ? 'f64' : 'f32');
  return runExperiment(request.spec, backend, options);
}

/** The Jacobian spectrum of a spec: synchronous, f64 whatever the spec's backend. */
export function executeJacobian(request: JacobianRequest): JacobianSpectrum {
  return jacobianSpectrum(request.spec);
}

/** Trains a chunk of steps on the CPU (f64 for cpu64, else f32; webgpu specs train in f32). */
export function executeTrain(job: TrainJob, options: ComputeOptions = {}): TrainingChunk {
  const state = job.state ?? createTrainingState(job.spec, job.options);
  return trainSteps(state, job.steps, { signal: options.signal });
}
