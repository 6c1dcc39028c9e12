/**
 * A Web Worker stand-in for Node: runs the CPU worker's own message handler (worker-handler.ts) in
 * this process, delivering messages both ways asynchronously as a worker does, so the page's
 * CpuWorkerRunner is tested against the code the real worker runs. `terminate()` drops every
 * message still to be delivered; a crash is delivered as an 'error' event.
 */
import { createWorkerHandler } from '../../src/backends/cpu/worker-handler.ts';
import type { WorkerLike } from '../../src/backends/cpu/worker-runner.ts';
import type { LaneSetup, WorkerRequest } from '../../src/backends/cpu/worker-protocol.ts';

type Listener = (event: Event) => void;

export class InProcessWorker implements WorkerLike {
  private readonly listeners = { message: new Set<Listener>(), error: new Set<Listener>() };
  terminated = false;
  /** Requests this worker was sent (tests look at what the page asked). */
  readonly received: unknown[] = [];
  private readonly handle: (data: WorkerRequest | LaneSetup) => Promise<void>;

  constructor(
    readonly name: string,
    /** Set to refuse to start, as a worker under a strict Content-Security-Policy does. */
    blocked = false,
  ) {
    this.handle = createWorkerHandler({
      post: (message) => this.deliver('message', message),
      crash: (error) => this.deliver('error', null, `Uncaught ${error.name}: ${error.message}`),
      // The page terminates the worker when the 'fault-reached' message arrives; in-process the
      // run cannot block, so it goes on, and terminate() drops whatever it posts after.
      awaitTermination: () => {},
    });
    if (blocked) this.deliver('error', null, 'worker-src blocked by Content-Security-Policy');
    else this.deliver('message', { type: 'ready' });
  }

  private deliver(type: 'message' | 'error', data: unknown, message = ''): void {
    setTimeout(() => {
      if (this.terminated) return;
      const event =
        type === 'message'
          ? new MessageEvent('message', { data })
          : Object.assign(new Event('error'), { message });
      for (const listener of [...this.listeners[type]]) listener(event);
    }, 0);
  }

  postMessage(message: unknown): void {
    if (this.terminated) return;
    this.received.push(message);
    // A structured clone, as postMessage makes: the page's objects are not shared.
    const copy = structuredClone(message) as WorkerRequest | LaneSetup;
    setTimeout(() => {
      if (!this.terminated) void this.handle(copy);
    }, 0);
  }

  addEventListener(type: 'message' | 'error', listener: Listener): void {
    this.listeners[type].add(listener);
  }

  removeEventListener(type: 'message' | 'error', listener: Listener): void {
    this.listeners[type].delete(listener);
  }

  terminate(): void {
    this.terminated = true;
  }
}
