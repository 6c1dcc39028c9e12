/**
 * The jobs of a pass that a team of lanes (lanes.ts) splits between its threads, and what one lane
 * runs of each: its rows of the job (laneRows), with the kernels of pass-rows.ts or, for f32 with
 * a WebAssembly instance, pass-rows-wasm.ts. A pass on one thread runs every job as lane 0 of 1
 * and needs nothing else of the threads' code, so the team and its protocol over shared memory
 * stay out of a CPU worker that never has threads (worker-handler.ts imports them on demand).
 */
import {
  deltaRows,
  forwardRows,
  gradRows,
  laneRows,
  partialWords,
  statisticsRows,
  updateRows,
  type KernelStopwatch,
  type LaneScratch,
  type PassBuffers,
} from './pass-rows.ts';
import {
  deltaRowsWasm,
  forwardRowsWasm,
  gradRowsWasm,
  statisticsRowsWasm,
} from './pass-rows-wasm.ts';

export const JOB = {
  leave: 0,
  forward: 1,
  statistics: 2,
  delta: 3,
  grad: 4,
  update: 5,
  backward: 6,
} as const;
export type JobKind = (typeof JOB)[keyof typeof JOB];

/**
 * Job flags: which of the two gradient buffers holds g⁽ˡ⁾, whether ∂L/∂b is wanted, and whether
 * ∂L/∂W must be left in the network's dW buffer (training; a run needs only its norm).
 */
export const FLAG = { gradParity: 1, withBias: 2, weightGradient: 4 } as const;

/** Runs lane `lane` of `lanes`'s share of a job. */
export function runLaneJob(
  net: PassBuffers,
  scratch: LaneScratch,
  kind: JobKind,
  layer: number,
  flags: number,
  lane: number,
  lanes: number,
  clock: KernelStopwatch,
): void {
  const words = partialWords(net.sizes.length - 1, net.spec.bins);
  const partial = net.partials.subarray(lane * words, (lane + 1) * words);
  const { sizes } = net;
  const grad = net.grads[flags & FLAG.gradParity]!;
  // The f32 kernels with a WebAssembly instance run the jobs of pass-rows-wasm.ts.
  const wasm = scratch.kernels.wasm !== null;
  switch (kind) {
    case JOB.forward: {
      const [r0, r1] = laneRows(sizes[layer]!, lane, lanes);
      if (wasm) forwardRowsWasm(net, scratch, layer, r0, r1, clock, partial);
      else forwardRows(net, scratch, layer, r0, r1, clock, partial);
      return;
    }
    case JOB.statistics:
      for (let l = 1; l < sizes.length; l++) {
        const [r0, r1] = laneRows(sizes[l]!, lane, lanes);
        if (wasm) statisticsRowsWasm(net, scratch, l, r0, r1, partial);
        else statisticsRows(net, l, r0, r1, partial);
      }
      return;
    case JOB.delta: {
      const [r0, r1] = laneRows(sizes[layer]!, lane, lanes);
      const withBias = (flags & FLAG.withBias) !== 0;
      if (wasm) {
        const keep = (flags & FLAG.weightGradient) !== 0;
        deltaRowsWasm(net, scratch, layer, grad, withBias, keep, r0, r1, clock, partial);
      } else deltaRows(net, scratch, layer, grad, withBias, r0, r1, clock, partial);
      return;
    }
    case JOB.update:
      // Training: every layer's optimizer step, rows split per layer like the statistics.
      for (let l = 1; l < sizes.length; l++) {
        const [r0, r1] = laneRows(sizes[l]!, lane, lanes);
        const [weightSquares, deltaSquares] = updateRows(net, l, r0, r1);
        partial[2 * (l - 1)] = weightSquares;
        partial[2 * (l - 1) + 1] = deltaSquares;
      }
      return;
    case JOB.grad: {
      const [r0, r1] = laneRows(sizes[layer - 1]!, lane, lanes);
      const gradPrev = net.grads[1 - (flags & FLAG.gradParity)]!;
      if (wasm) gradRowsWasm(net, scratch, layer, grad, gradPrev, r0, r1, clock);
      else gradRows(net, scratch, layer, grad, gradPrev, r0, r1, clock);
      return;
    }
    case JOB.backward:
      // g⁽ˡ⁻¹⁾ = Wᵀδ⁽ˡ⁾ for this lane's rows of layer l − 1, then layer l − 1's delta job on the
      // same rows: the rows of g⁽ˡ⁻¹⁾ it reads are the ones this lane has just written, and it
      // writes δ⁽ˡ⁻¹⁾ into the other delta buffer (deltaOf), so no lane waits for another in
      // between: one barrier per layer instead of two. Only where nothing reads ∂L/∂W⁽ˡ⁾ or
      // ∂L/∂b⁽ˡ⁾ between the two (network-pass.ts): both have one buffer for every layer.
      runLaneJob(net, scratch, JOB.grad, layer, flags, lane, lanes, clock);
      runLaneJob(net, scratch, JOB.delta, layer - 1, flags ^ FLAG.gradParity, lane, lanes, clock);
      return;
  }
}
