/**
 * Entry of a Node worker thread that serves as a lane of the CPU backend (lanes.ts), with its own
 * wasm matmul instance.
 */
import { parentPort } from 'node:worker_threads';
import { F32_KERNELS } from '../cpu-backend.ts';
import { F64_KERNELS } from '../kernels-f64.ts';
import { createLaneServer, type LaneMessage } from '../lanes.ts';

const server = createLaneServer(
  (precision) => (precision === 'f64' ? F64_KERNELS : F32_KERNELS),
  (ready) => parentPort!.postMessage(ready),
  // In a worker thread, process.exit ends the thread alone.
  () => process.exit(1),
);
parentPort!.on('message', (message: LaneMessage) => server.handle(message));
