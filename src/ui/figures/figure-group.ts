/**
 * Figures of one section that share runs, cancelled and restarted together. Each figure runs
 * what it needs through the shared queue, so a run two figures need executes once; but a
 * reader's Cancel on one figure would leave the shared run to the others, and the work would go
 * on. So the figure that shows Cancel (the section's `compact` one) says so with a
 * `grad-figure-cancel` event, and the section stops the runs of its other figures
 * (groupListener): with no figure waiting for it, a shared run stops in the worker. A figure that
 * had not planned its runs yet (its code still loading, or its first drawing waiting its turn) is
 * held, and rests rather than starting them (run-figure.ts, HELD_ATTRIBUTE). The same figure then
 * offers Run; a `grad-figure-rerun` event has the section's others run again too.
 *
 * A figure on its own does the same for itself: Cancel stops its runs, Run starts what is
 * missing.
 */
import { html, nothing } from 'lit';
import type { RunController } from '../lab/run-controller.ts';
import { HELD_ATTRIBUTE, RunFigure } from '../figure/run-figure.ts';

/** Sent (bubbling, composed) by a figure whose reader pressed Cancel. */
export const FIGURE_CANCEL = 'grad-figure-cancel';
/** Sent (bubbling, composed) by a figure whose reader pressed Run after a cancel or an error. */
export const FIGURE_RERUN = 'grad-figure-rerun';

/** What a section may ask of each of its figures. */
export interface GroupMember extends Element {
  /** Stops the figure's runs without a message (another figure's reader cancelled). */
  cancelRuns(): void;
  /** Runs what the figure lacks (another figure's reader pressed Run). */
  rerun(): void;
}

function isMember(element: Element): element is GroupMember {
  const member = element as Partial<GroupMember>;
  return typeof member.cancelRuns === 'function' && typeof member.rerun === 'function';
}

/**
 * A section's listener for its figures' events: stops or restarts the runs of every other figure
 * in `root`. Bind it on an element that holds the figures, e.g.
 * `@grad-figure-cancel=${groupListener(root)}`.
 */
export function groupListener(root: () => ParentNode): (event: Event) => void {
  return (event: Event) => {
    event.stopPropagation();
    const cancel = event.type === FIGURE_CANCEL;
    for (const element of root().querySelectorAll('*')) {
      if (element === event.target) continue;
      if (isMember(element)) {
        if (cancel) element.cancelRuns();
        else element.rerun();
      } else if (element.localName.startsWith('grad-') && !customElements.get(element.localName)) {
        // A figure whose code has not arrived yet: held until Run (run-figure.ts reads it).
        element.toggleAttribute(HELD_ATTRIBUTE, cancel);
      }
    }
  };
}

/**
 * A figure's run status with its actions: progress, errors and the fallback notice (the
 * RunController's), plus Cancel while it runs and Run when it rests without all its results
 * (cancelled, or failed), where the reader has controls.
 */
export function groupRunStatus(figure: RunFigure, runs: RunController): unknown {
  const interactive = figure.controls !== 'none';
  const resting = !runs.running && !runs.waiting && !figure.hasAttribute('data-complete');
  const send = (type: string): void => {
    figure.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true }));
  };
  return html`${runs.render({ cancel: false })}${
    interactive && runs.running && !runs.waiting
      ? html`<button
          type="button"
          class="run-action"
          @click=${() => {
            runs.cancel();
            send(FIGURE_CANCEL);
          }}
        >
          Cancel
        </button>`
      : nothing
  }${
    interactive && resting
      ? html`<button
          type="button"
          class="run-action"
          @click=${() => {
            figure.rerun();
            send(FIGURE_RERUN);
          }}
        >
          Run
        </button>`
      : nothing
  }`;
}

/** A run figure that takes part in a section's group (see the module comment). */
export abstract class GroupRunFigure extends RunFigure {
  protected override runStatus(): unknown {
    return groupRunStatus(this, this.runs);
  }
}
