/**
 * Computations that several figures show at once: the notebook's reproduction, a verification, a
 * benchmark, a size sweep. Single runs are already shared between figures by the page's queue
 * (shared-runs.ts), but these are sessions: several runs in a row, some of them problems built
 * by hand (never shared), measurements that must not be taken twice, a value that grows as runs
 * finish, and a reader who may cancel or ask again. A SessionStore keeps one session per
 * configuration key. One element drives it through its own RunController task (progress,
 * Cancel, pauses while far from the viewport); every element showing that configuration watches
 * it, so a table and a chart on one page show the same verification, computed once.
 *
 * - A driver begins the key's session once its task may start (near the viewport), unless one is
 *   already running or done for the key: then it only shows that one. `force` begins anew (the
 *   reader's "Run again"). The driver's progress is copied into the session for the watchers.
 * - The task's end ends the session: done with its value, cancelled by the reader's Cancel (kept,
 *   so no other figure restarts what the reader stopped), failed with the error (kept). A driver
 *   removed from the page, or moved on to another configuration, drops its unfinished session,
 *   so that another figure wanting it may drive it.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { RunController, type TaskContext } from '../lab/run-controller.ts';

export type SessionStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface SessionProgress {
  /** Completed fraction, 0–1. */
  readonly fraction: number;
  readonly label: string;
}

export interface Session<T> {
  readonly key: string;
  readonly status: SessionStatus;
  /** What has been computed so far: partial while running, or after a cancel or failure. */
  readonly value: T;
  /** Why it failed or stopped. */
  readonly error: string | null;
  /** The driver's progress while it runs. */
  readonly progress: SessionProgress | null;
}

/** What a driver writes its session through; every call is ignored once it is not current. */
export interface SessionHandle<T> {
  /** Whether this is still its key's running session (a newer one, or its end, replaces it). */
  readonly current: boolean;
  readonly value: T;
  update(value: T): void;
  progress(progress: SessionProgress): void;
  end(status: Exclude<SessionStatus, 'running'>, error?: string | null, value?: T): void;
  /** Forgets the unfinished session, so that another element may drive its key. */
  drop(): void;
}

/** The message RunController leaves when the reader presses Cancel. */
export const CANCELLED_MESSAGE = 'Run cancelled.';

export class SessionStore<T> {
  private readonly sessions = new Map<string, Session<T>>();
  private readonly listeners = new Map<string, Set<() => void>>();

  /** @param keep How many ended sessions are kept for figures that ask later. */
  constructor(private readonly keep = 16) {}

  get(key: string): Session<T> | undefined {
    return this.sessions.get(key);
  }

  /** Calls `listener` whenever the key's session changes; returns the function that stops. */
  watch(key: string, listener: () => void): () => void {
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(key);
      current?.delete(listener);
      if (current?.size === 0) this.listeners.delete(key);
    };
  }

  /** Begins a new session for `key`, replacing any, and returns its handle. */
  begin(key: string, initial: T): SessionHandle<T> {
    let session: Session<T> = {
      key,
      status: 'running',
      value: initial,
      error: null,
      progress: null,
    };
    this.set(session);
    const live = () => this.sessions.get(key) === session && session.status === 'running';
    const write = (next: Session<T>): void => {
      session = next;
      this.set(next);
    };
    const drop = (): void => {
      if (!live()) return;
      this.sessions.delete(key);
      this.notify(key);
    };
    return {
      get current() {
        return live();
      },
      get value() {
        return session.value;
      },
      update(value) {
        if (live()) write({ ...session, value });
      },
      progress(progress) {
        if (!live()) return;
        const old = session.progress;
        if (old && old.fraction === progress.fraction && old.label === progress.label) return;
        write({ ...session, progress });
      },
      end(status, error = null, value = session.value) {
        if (live()) write({ ...session, status, error, value, progress: null });
      },
      drop,
    };
  }

  /** Forgets every session (tests; a page that wants fresh numbers). */
  clear(): void {
    const keys = [...this.sessions.keys()];
    this.sessions.clear();
    for (const key of keys) this.notify(key);
  }

  private set(session: Session<T>): void {
    // Most recently written last, so the oldest ended sessions go first.
    this.sessions.delete(session.key);
    this.sessions.set(session.key, session);
    this.prune();
    this.notify(session.key);
  }

  private prune(): void {
    let ended = [...this.sessions.values()].filter((s) => s.status !== 'running').length;
    for (const [key, session] of this.sessions) {
      if (ended <= this.keep) break;
      if (session.status === 'running' || this.listeners.has(key)) continue;
      this.sessions.delete(key);
      ended--;
    }
  }

  private notify(key: string): void {
    for (const listener of [...(this.listeners.get(key) ?? [])]) listener();
  }
}

/** Shows one key's session in an element: it updates whenever the session changes. */
export class SessionView<T> implements ReactiveController {
  private key: string | null = null;
  private stop: (() => void) | null = null;
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly store: SessionStore<T>,
    /** Called after every change of the watched session (before the host updates). */
    private readonly onChange?: () => void,
  ) {
    host.addController(this);
  }

  /** The key watched, or null. */
  get watched(): string | null {
    return this.key;
  }

  /** The watched key's session, if there is one. */
  get session(): Session<T> | undefined {
    return this.key === null ? undefined : this.store.get(this.key);
  }

  /** Watches `key` (null: nothing). */
  show(key: string | null): void {
    if (key === this.key) return;
    this.key = key;
    this.subscribe();
    this.host.requestUpdate();
  }

  hostConnected(): void {
    this.connected = true;
    this.subscribe();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.stop?.();
    this.stop = null;
  }

  private subscribe(): void {
    this.stop?.();
    this.stop = null;
    if (!this.connected || this.key === null) return;
    this.stop = this.store.watch(this.key, () => {
      this.onChange?.();
      this.host.requestUpdate();
    });
  }
}

/** How a drive ended: with the session done, shown from another driver, or otherwise. */
export type DriveOutcome = 'done' | 'joined' | 'ended';

/**
 * Drives sessions through the host's own RunController task; the controller's progress, Cancel
 * and errors are the host's to render (`runs.render`).
 */
export class SessionDriver<T> implements ReactiveController {
  readonly runs: RunController;
  private handle: SessionHandle<T> | null = null;
  private generation = 0;

  constructor(
    host: ReactiveControllerHost & Element,
    private readonly store: SessionStore<T>,
    options: ConstructorParameters<typeof RunController>[1] = {},
  ) {
    this.runs = new RunController(host, options);
    host.addController(this);
  }

  /** Whether this element is computing a session now (rather than showing another's). */
  get driving(): boolean {
    return this.runs.running && this.handle?.current === true;
  }

  /**
   * Computes `key`'s session with `compute`, unless (without `force`) one is running or done when
   * the task may start. `compute` writes partial values through the handle and returns the
   * session's final value.
   */
  async drive(
    key: string,
    initial: T,
    compute: (context: TaskContext, handle: SessionHandle<T>) => Promise<T>,
    { force = false }: { readonly force?: boolean } = {},
  ): Promise<DriveOutcome> {
    const generation = ++this.generation;
    // The task this one replaces stops: its session is free for this one or another element.
    if (this.runs.running) this.handle?.drop();
    let begun: SessionHandle<T> | null = null;
    let joined = false;
    const value = await this.runs.start(async (context) => {
      const existing = this.store.get(key);
      if (!force && (existing?.status === 'running' || existing?.status === 'done')) {
        joined = true;
        return undefined;
      }
      begun = this.store.begin(key, initial);
      this.handle = begun;
      return compute(context, begun);
    });
    if (joined) return 'joined';
    const handle = begun as SessionHandle<T> | null;
    if (!handle) return 'ended';
    if (value !== undefined) {
      handle.end('done', null, value);
      return 'done';
    }
    if (generation !== this.generation || !this.runs.error) handle.drop();
    else
      handle.end(this.runs.error === CANCELLED_MESSAGE ? 'cancelled' : 'failed', this.runs.error);
    return 'ended';
  }

  /** Copies the task's progress into the session, for the elements that only watch it. */
  hostUpdated(): void {
    const handle = this.handle;
    if (!handle?.current || !this.runs.running) return;
    const progress = {
      fraction: this.runs.fraction,
      label: this.runs.paused ? 'paused while off screen' : this.runs.label,
    };
    // After the host's update, not within it: its own view of the session updates it again.
    queueMicrotask(() => handle.progress(progress));
  }
}
