/**
 * Sessions shared between figures (figures/shared-session.ts): one element computes a
 * configuration's session through its own task and every element watching the key sees it grow;
 * a second element asking for a running or finished session only shows it; the reader's Cancel
 * leaves it cancelled, an error failed, and a driver removed mid-run frees the key for others.
 */
import type { ReactiveController } from 'lit';
import { describe, expect, it } from 'vitest';
import type { RunOutcome } from '../../src/backends/experiment-runner.ts';
import { DEFAULT_SPEC, type RunSpec } from '../../src/engine/spec.ts';
import type { TaskContext } from '../../src/ui/lab/run-controller.ts';
import type { RunExecutor } from '../../src/ui/lab/run-queue.ts';
import {
  CANCELLED_MESSAGE,
  SessionDriver,
  SessionStore,
  SessionView,
  type SessionHandle,
} from '../../src/ui/figures/shared-session.ts';

/** Runs that finish when the test says so (or reject when their signal aborts). */
function manualExecutor() {
  const pending: { spec: RunSpec; finish(): void; fail(error: Error): void }[] = [];
  const executor: RunExecutor = {
    run(spec, options) {
      return new Promise<RunOutcome>((resolve, reject) => {
        pending.push({
          spec,
          finish: () => resolve({ result: { spec } as RunOutcome['result'] }),
          fail: reject,
        });
        options?.signal?.addEventListener('abort', () => reject(options.signal!.reason));
      });
    },
    runProblem: () => Promise.reject(new Error('unused')),
    jacobian: () => Promise.reject(new Error('unused')),
    train: () => Promise.reject(new Error('unused')),
    roofline: () => Promise.reject(new Error('unused')),
  };
  return { executor, pending };
}

/** Enough of a Lit element for controllers: it connects, updates and disconnects on demand. */
function fakeHost() {
  const controllers: ReactiveController[] = [];
  let updates = 0;
  const host = {
    addController: (controller: ReactiveController) => controllers.push(controller),
    removeController: () => undefined,
    requestUpdate: () => {
      updates++;
    },
    updateComplete: Promise.resolve(true),
    getRootNode: () => ({}),
    dispatchEvent: () => true,
  };
  return {
    host: host as unknown as HTMLElement & typeof host,
    connect: () => controllers.forEach((c) => c.hostConnected?.()),
    disconnect: () => controllers.forEach((c) => c.hostDisconnected?.()),
    update: () => controllers.forEach((c) => c.hostUpdated?.()),
    updates: () => updates,
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
/** A driven task's first steps run a task after its executor is ready (RunController.start). */
const started = () => tick().then(tick);
const spec = (seed: number): RunSpec => ({ ...DEFAULT_SPEC, seed });

/** A session of the seeds run so far: one run per seed, each written as it finishes. */
async function computeSeeds(
  context: TaskContext,
  handle: SessionHandle<number[]>,
  seeds: readonly number[],
): Promise<number[]> {
  context.setTotal(seeds.length);
  const done: number[] = [];
  for (const seed of seeds) {
    const result = await context.run(spec(seed));
    done.push(result.spec.seed);
    handle.update([...done]);
  }
  return done;
}

function setup() {
  const store = new SessionStore<number[]>();
  const { executor, pending } = manualExecutor();
  const element = () => {
    const fake = fakeHost();
    const driver = new SessionDriver(fake.host, store, {
      // Lazy, as figures are: without an IntersectionObserver (Node) an element counts as near.
      lazy: true,
      executor: () => executor,
    });
    const view = new SessionView(fake.host, store);
    fake.connect();
    return { ...fake, driver, view };
  };
  return { store, pending, element };
}

describe('SessionStore', () => {
  it('tells watchers of each change, and only a running session can be dropped', () => {
    const store = new SessionStore<number>();
    const seen: string[] = [];
    const stop = store.watch('k', () => seen.push(store.get('k')?.status ?? 'none'));
    const handle = store.begin('k', 0);
    handle.update(1);
    handle.progress({ fraction: 0.5, label: 'half' });
    handle.progress({ fraction: 0.5, label: 'half' });
    handle.end('done');
    handle.update(2);
    handle.drop();
    expect(seen).toEqual(['running', 'running', 'running', 'done']);
    expect(store.get('k')).toMatchObject({ status: 'done', value: 1, progress: null });
    const next = store.begin('k', 5);
    next.drop();
    expect(store.get('k')).toBeUndefined();
    expect(seen.at(-1)).toBe('none');
    stop();
  });

  it('forgets the oldest ended sessions nobody watches', () => {
    const store = new SessionStore<number>(2);
    const stop = store.watch('a', () => undefined);
    for (const key of ['a', 'b', 'c', 'd']) store.begin(key, 0).end('done');
    const running = store.begin('e', 0);
    expect(['a', 'b', 'c', 'd', 'e'].filter((key) => store.get(key))).toEqual(['a', 'd', 'e']);
    expect(running.current).toBe(true);
    stop();
  });
});

describe('SessionDriver', () => {
  it('computes a session once; a second element joins it and sees the same values', async () => {
    const { store, pending, element } = setup();
    const a = element();
    const b = element();
    a.view.show('seeds');
    b.view.show('seeds');
    let computed = 0;
    const compute = (context: TaskContext, handle: SessionHandle<number[]>) => {
      computed++;
      return computeSeeds(context, handle, [1, 2]);
    };
    const first = a.driver.drive('seeds', [], compute);
    await started();
    expect(await b.driver.drive('seeds', [], compute)).toBe('joined');
    expect(pending).toHaveLength(1);
    pending[0]!.finish();
    await tick();
    expect(b.view.session).toMatchObject({ status: 'running', value: [1] });
    // The driver's progress reaches the watchers.
    a.update();
    await tick();
    expect(b.view.session?.progress?.fraction).toBe(0.5);
    pending[1]!.finish();
    expect(await first).toBe('done');
    expect(b.view.session).toMatchObject({ status: 'done', value: [1, 2], error: null });
    expect(b.view.session).toBe(store.get('seeds'));
    expect(await b.driver.drive('seeds', [], compute)).toBe('joined');
    expect(computed).toBe(1);
    // Asked again, it computes anew.
    const again = b.driver.drive('seeds', [], compute, { force: true });
    await started();
    expect(store.get('seeds')).toMatchObject({ status: 'running', value: [] });
    pending[2]!.finish();
    await tick();
    pending[3]!.finish();
    expect(await again).toBe('done');
    expect(computed).toBe(2);
  });

  it('the reader’s Cancel leaves the session cancelled; an error leaves it failed', async () => {
    const { store, pending, element } = setup();
    const a = element();
    const cancelled = a.driver.drive('x', [], (context, handle) =>
      computeSeeds(context, handle, [1, 2]),
    );
    await started();
    pending[0]!.finish();
    await tick();
    a.driver.runs.cancel();
    expect(await cancelled).toBe('ended');
    expect(store.get('x')).toMatchObject({
      status: 'cancelled',
      error: CANCELLED_MESSAGE,
      value: [1],
    });
    const failed = a.driver.drive('y', [], (context, handle) => computeSeeds(context, handle, [3]));
    await started();
    pending[2]!.fail(new Error('the worker died'));
    expect(await failed).toBe('ended');
    expect(store.get('y')).toMatchObject({ status: 'failed', error: 'the worker died' });
  });

  it('a driver removed mid-run, or moved to another key, frees its session for others', async () => {
    const { store, pending, element } = setup();
    const a = element();
    const watcher = element();
    watcher.view.show('x');
    const removed = a.driver.drive('x', [], (context, handle) =>
      computeSeeds(context, handle, [1]),
    );
    await started();
    expect(store.get('x')?.status).toBe('running');
    a.disconnect();
    expect(await removed).toBe('ended');
    expect(store.get('x')).toBeUndefined();
    expect(watcher.updates()).toBeGreaterThan(0);
    // Moved on: the old key is dropped at once, so the new one (or another element) may run it.
    const b = element();
    void b.driver.drive('x', [], (context, handle) => computeSeeds(context, handle, [1]));
    await started();
    const moved = b.driver.drive('y', [], (context, handle) => computeSeeds(context, handle, [2]));
    expect(store.get('x')).toBeUndefined();
    await started();
    pending.at(-1)!.finish();
    expect(await moved).toBe('done');
    expect(store.get('y')).toMatchObject({ status: 'done', value: [2] });
  });
});
