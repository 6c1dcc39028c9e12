/**
 * What the CPU worker does with each message, apart from the worker itself: cpu-worker.ts wires
 * it to `self`, and tests run it in-process behind a Worker-shaped object, so the page's CPU
 * runner (worker-runner.ts) is tested against the very code the worker runs — fault injection
 * included.
 */
import type { RunPhase } from '../../engine/backend.ts';
import { layerSizes } from '../../engine/problem.ts';
import type { LaneTeam } from './lanes.ts';
import { hasSplittableLayer, MIN_WAIT_WORK } from './parallel-work.ts';
import { executeRequest } from './run-job.ts';
import type {
  CpuFault,
  LaneSetup,
  RunRequest,
  WorkerRequest,
  WorkerResponse,
} from './worker-protocol.ts';

/** What the handler needs from the environment it runs in. */
export interface WorkerEnvironment {
  /** Posts a message to the page. */
  post(message: WorkerResponse): void;
  /** Ends the worker with an uncaught error, as a crash does (the page sees an error event). */
  crash(error: Error): void;
  /**
   * Waits for the page to terminate the worker (a 'terminate' fault): a real worker blocks here;
   * one that is not terminated within a few seconds carries on with the run.
   */
  awaitTermination(): void;
}

/** An error thrown by an injected fault, so the handler can tell it from a real one. */
export class InjectedFault extends Error {
  override name = 'InjectedFault';
  constructor(
    readonly fault: CpuFault,
    where: string,
  ) {
    super(`injected ${fault.kind} at ${where}`);
  }
}

/** A phase hook that fires `fault` where it is due (once). */
function faultHook(
  fault: CpuFault | undefined,
  id: number,
  environment: WorkerEnvironment,
): ((phase: RunPhase, layer?: number) => void) | undefined {
  if (!fault) return undefined;
  let fired = false;
  return (phase, layer) => {
    if (fired || phase !== fault.phase) return;
    if ((phase === 'forward' || phase === 'backward') && layer !== (fault.layer ?? 1)) return;
    fired = true;
    const where = layer === undefined ? phase : `${phase} of layer ${layer}`;
    if (fault.kind === 'terminate') {
      environment.post({ type: 'fault-reached', id });
      environment.awaitTermination();
      return;
    }
    throw new InjectedFault(fault, where);
  };
}

/** The handler of every message the page sends to the worker. */
export function createWorkerHandler(
  environment: WorkerEnvironment,
): (data: WorkerRequest | LaneSetup) => Promise<void> {
  const { post } = environment;
  /** The helper lanes this worker coordinates, once the page has set them up. */
  let team: Promise<LaneTeam | null> = Promise.resolve(null);
  /** The team once its threads have answered (null: none); undefined while they start. */
  let assembled: LaneTeam | null | undefined = null;
  /**
   * The team a run uses: a small run (MIN_WAIT_WORK) takes it if it is ready and does not wait
   * for threads still starting; it runs on this thread, and its result says so.
   */
  const teamFor = (request: RunRequest): Promise<LaneTeam | null> | LaneTeam | null => {
    if (assembled !== undefined) return assembled;
    const small =
      request.type === 'run' &&
      !hasSplittableLayer(layerSizes(request.spec), request.spec.batch, MIN_WAIT_WORK);
    return small ? null : team;
  };
  return async (data) => {
    // Threads (browser-lanes.ts, with the team's protocol) are code of their own, imported only
    // where the page set some up: on a cross-origin-isolated page with more than one core. Where
    // that file is missing (a bundler that copied this worker without the files beside it), the
    // coordinator runs on one thread and says so in the console; a helper lane stays idle.
    const lanes = () =>
      import('./browser-lanes.ts').catch((error: unknown) => {
        console.warn(`gradlab: CPU threads could not be loaded (${error}); using one`);
        return null;
      });
    if (data.type === 'lanes') {
      assembled = undefined;
      team = lanes().then((module) => module?.browserLaneTeam(data.ports) ?? null);
      void team.then((ready) => (assembled = ready));
      return;
    }
    if (data.type === 'lane') {
      // The port holds the coordinator's messages until serveLane listens to it.
      (await lanes())?.serveLane(data.port);
      return;
    }
    const { id } = data;
    try {
      // The worker's other jobs are code of their own, imported the first time one is asked.
      if (data.type === 'jacobian') {
        const { executeJacobian } = await import('./worker-jobs.ts');
        post({ type: 'spectrum', id, spectrum: executeJacobian(data) });
        return;
      }
      if (data.type === 'roofline') {
        const { executeRoofline } = await import('./worker-jobs.ts');
        post({ type: 'roofline', id, roofline: executeRoofline(data) });
        return;
      }
      if (data.type === 'train') {
        const { executeTrain } = await import('./worker-jobs.ts');
        post({ type: 'trained', id, chunk: executeTrain(data, {}, await team) });
        return;
      }
      const result = await executeRequest(
        data,
        {
          onProgress: (progress) => post({ type: 'progress', id, progress }),
          onPhase: faultHook(data.fault, id, environment),
        },
        await teamFor(data),
      );
      post({ type: 'result', id, result });
    } catch (error) {
      if (error instanceof InjectedFault && error.fault.kind === 'crash') {
        environment.crash(error);
        return;
      }
      post({ type: 'error', id, message: error instanceof Error ? error.message : String(error) });
    }
  };
}
