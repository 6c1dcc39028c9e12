/**
 * A figure that shows one session of a shared computation (shared-session.ts): the notebook's
 * reproduction, a verification, a benchmark. It watches the session of its configuration's key
 * and draws whatever that session holds. On its own in a page it also computes the session, when
 * it comes near the viewport and nothing else on the page has (autoDrive); inside a section the
 * section (or the one figure whose controls start it) drives the session, and the figure only
 * shows it. Its own runs' progress, Cancel and errors appear over its plot or table; on its own,
 * it also shows the progress of a session another figure computes.
 */
import { html, nothing, type PropertyValues } from 'lit';
import type { TaskContext } from '../lab/run-controller.ts';
import type { RunExecutor } from '../lab/run-queue.ts';
import { GradFigure } from '../figure/grad-figure.ts';
import {
  SessionDriver,
  SessionView,
  type Session,
  type SessionHandle,
  type SessionStore,
} from './shared-session.ts';

export abstract class SessionFigure<S, T> extends GradFigure<S> {
  protected readonly driver: SessionDriver<T>;
  protected readonly view: SessionView<T>;
  /** The key of the session this figure's own task is computing or waiting to compute. */
  private ownKey: string | null = null;

  constructor() {
    super();
    this.driver = new SessionDriver(this, this.sessionStore(), {
      lazy: true,
      ...this.runOptions(),
    });
    this.view = new SessionView(this, this.sessionStore(), () => this.driveIfWanted());
  }

  /** How the figure's task runs (RunController's options beside `lazy`). */
  protected runOptions(): { readonly executor?: () => RunExecutor } {
    return {};
  }

  /** The store of this figure's kind of session (one per page, shared by the figures). */
  protected abstract sessionStore(): SessionStore<T>;

  /** The key of the configuration the figure shows; null when its settings are bad. */
  protected abstract sessionKey(): string | null;

  /** The session's value before anything is computed. */
  protected abstract initialValue(): T;

  /** Computes the session (through the figure's task), writing partial values to the handle. */
  protected abstract compute(context: TaskContext, handle: SessionHandle<T>): Promise<T>;

  /**
   * Whether the figure computes its session by itself when nothing on the page does: on its own
   * in a page, yes; inside a section, which drives its figures' sessions, no.
   */
  protected autoDrive(): boolean {
    return !this.managed;
  }

  /** The session on show, if any. */
  get session(): Session<T> | undefined {
    return this.view.session;
  }

  protected override planKey(): string {
    return this.sessionKey() ?? '';
  }

  protected override plan(): void {
    this.view.show(this.sessionKey());
    this.driveIfWanted();
  }

  /** Starts computing the watched key when the figure drives itself and no one has it. */
  private driveIfWanted(): void {
    const key = this.view.watched;
    if (key === null || !this.isConnected || !this.autoDrive()) return;
    if (this.sessionStore().get(key)) return;
    if (this.driver.runs.running && this.ownKey === key) return;
    void this.runSession(key);
  }

  /** Computes `key`'s session in this figure's task (`force`: even if one exists: Run again). */
  protected async runSession(key: string, force = false): Promise<void> {
    this.ownKey = key;
    await this.driver.drive(
      key,
      this.initialValue(),
      (context, handle) => this.compute(context, handle),
      { force },
    );
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    this.toggleAttribute('data-complete', this.session?.status === 'done');
  }

  /**
   * The figure's own task (progress; Cancel unless fixed; errors and the fallback notice); on its
   * own in a page, the progress or end of a session another figure computes.
   */
  protected override runStatus(): unknown {
    const runs = this.driver.runs;
    const own = runs.render({ cancel: this.controls !== 'none' });
    const session = this.session;
    if (runs.running || this.managed || !session) return own;
    let watched: unknown = nothing;
    if (session.status === 'running') {
      watched = html`<div class="run-status">
        <progress
          max="1"
          .value=${session.progress?.fraction ?? 0}
          aria-label="progress of the computation this figure shows"
        ></progress>
        <span class="status" role="status">${session.progress?.label ?? 'starting…'}</span>
      </div>`;
    } else if (session.status !== 'done' && !runs.error) {
      watched = html`<p class="status" role="status">
        Not computed: ${session.error ?? 'the run stopped'}
      </p>`;
    }
    return html`${own}${watched}`;
  }
}
