/**
 * What the notebook's figures share (grad-notebook-sweep, grad-notebook-ten-layer,
 * grad-notebook-variants and their tables): the chapter's code, reproduced once per page as one
 * shared session (grad-notebook/notebook-session.ts), whichever of them asks first. The chapter's
 * settings are fixed, so they read no run settings from their attributes, only their own options.
 */
import type { FigureControls } from '../figure/figure-controls.ts';
import { html, nothing } from 'lit';
import type { StateReader } from '../figure/state-reader.ts';
import { GradFigure } from '../figure/grad-figure.ts';
import type { TaskContext } from '../lab/run-controller.ts';
import {
  computeNotebook,
  EMPTY_NOTEBOOK,
  NOTEBOOK_KEY,
  NOTEBOOK_SESSIONS,
  type NotebookSession,
} from '../grad-notebook/notebook-session.ts';
import { SessionFigure } from './session-figure.ts';
import type { SessionHandle, SessionStore } from './shared-session.ts';

/** The notebook's figures have no run settings: the chapter fixes them. */
export type NotebookState = Readonly<Record<string, never>>;

export const NOTEBOOK_STATE: NotebookState = {};

export const NOTEBOOK_STATE_READER: StateReader<NotebookState> = {
  attributes: [],
  defaults: NOTEBOOK_STATE,
  read: () => ({ state: NOTEBOOK_STATE, problems: [] }),
  entries: () => [],
};

export abstract class NotebookFigure extends SessionFigure<NotebookState, NotebookSession> {
  static override styles = [GradFigure.styles];
  static override stateReader = NOTEBOOK_STATE_READER;

  protected override sessionStore(): SessionStore<NotebookSession> {
    return NOTEBOOK_SESSIONS;
  }

  protected override sessionKey(): string {
    return NOTEBOOK_KEY;
  }

  protected override initialValue(): NotebookSession {
    return EMPTY_NOTEBOOK;
  }

  protected override compute(
    context: TaskContext,
    handle: SessionHandle<NotebookSession>,
  ): Promise<NotebookSession> {
    return computeNotebook(context, handle);
  }

  /** What has been computed so far (nothing before the session starts). */
  protected get notebook(): NotebookSession {
    return this.session?.value ?? EMPTY_NOTEBOOK;
  }

  /** After a cancel or failure, the reader may run the chapter's code again. */
  protected override renderControls(_ui?: FigureControls): unknown {
    const session = this.session;
    if (
      this.driver.runs.running ||
      (session && session.status !== 'cancelled' && session.status !== 'failed')
    )
      return nothing;
    return html`<button type="button" @click=${() => void this.runSession(NOTEBOOK_KEY, true)}>
      Run the chapter’s code
    </button>`;
  }
}
