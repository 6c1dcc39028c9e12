/**
 * Entry of a Node worker thread that serves as a lane of the CPU backend (lanes.ts), with its own
 * wasm matmul instance.
 */
import { parentPort } from 'node:worker_threads';
import { kernelsOfVariant } from '../cpu-backend.ts';
import { createLaneServer, type LaneMessage } from '../lanes.ts';

const server = createLaneServer(
  kernelsOfVariant,
  (ready) => parentPort!.postMessage(ready),
  // In a worker thread, process.exit ends the thread alone.
  () => process.exit(1),
);
parentPort!.on('message', (message: LaneMessage) => server.handle(message));
