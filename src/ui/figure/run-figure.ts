/**
 * A figure that computes: its runs go through the page's shared queue (RunController and
 * shared-runs.ts), start when the figure comes within about two viewport heights of being seen,
 * pause between runs while it is far, and stop when it is removed. Results arrive one by one and
 * are drawn as they come; a figure keeps those its current plan needs.
 */
import { html, nothing } from 'lit';
import type { RunResult } from '../../engine/results.ts';
import { SPEC_FIELD_NAMES, type RunSpec } from '../../engine/spec.ts';
import { LAB_STATE_READER, labStateToEntries, type LabState } from '../lab/lab-state.ts';
import { RunController } from '../lab/run-controller.ts';
import { GradFigure } from './grad-figure.ts';
import { loadSpecForm } from '../grad-spec-form/load.ts';

/**
 * Set on a figure whose section cancelled its runs before the figure had planned any (its code
 * still loading, or its first drawing waiting its turn, ready-queue.ts): its first plan rests,
 * with Run, as the section's other figures do, instead of starting the runs the reader has just
 * stopped (figure-group.ts). Run, or a new plan after that one, clears it.
 */
export const HELD_ATTRIBUTE = 'data-held';

/** A run a figure needs: equal keys are one run. */
export interface PlannedSpec {
  readonly key: string;
  readonly spec: RunSpec;
}

export abstract class RunFigure extends GradFigure<LabState> {
  static override stateReader = LAB_STATE_READER;

  /** Runs through the shared queue; starts near the viewport, pauses far from it. */
  protected readonly runs = new RunController(this, { lazy: true });
  /** Results of the runs planned so far, by key (see ensureRuns). */
  protected readonly results = new Map<string, RunResult>();

  /**
   * Runs what `planned` needs and the figure lacks, drawing each result as it arrives. Results no
   * longer planned are dropped; runs other figures made are shared (shared-runs.ts).
   */
  protected async ensureRuns(planned: readonly PlannedSpec[]): Promise<void> {
    if (this.hasAttribute(HELD_ATTRIBUTE)) {
      this.removeAttribute(HELD_ATTRIBUTE);
      this.toggleAttribute('data-complete', this.hasAll(planned));
      this.requestUpdate();
      return;
    }
    const needed = new Set(planned.map((run) => run.key));
    for (const key of this.results.keys()) if (!needed.has(key)) this.results.delete(key);
    const missing = [...new Map(planned.map((run) => [run.key, run])).values()].filter(
      (run) => !this.results.has(run.key),
    );
    this.toggleAttribute('data-complete', missing.length === 0);
    if (missing.length === 0) {
      this.runs.cancel(false);
      this.requestUpdate();
      return;
    }
    await this.runs.start(async (context) => {
      context.setTotal(missing.length);
      for (const run of missing) {
        const result = await context.run(run.spec);
        if (context.signal.aborted) return;
        this.results.set(run.key, result);
        this.requestUpdate();
      }
      this.toggleAttribute('data-complete', true);
      return planned.map((run) => this.results.get(run.key));
    });
  }

  /**
   * Stops the figure's runs without a message (its section's reader cancelled another figure's);
   * one that has not planned yet is held (HELD_ATTRIBUTE).
   */
  cancelRuns(): void {
    if (!this.hasUpdated) this.toggleAttribute(HELD_ATTRIBUTE, true);
    this.runs.cancel(false);
  }

  /** Runs what the figure lacks (its section's reader pressed Run on another figure). */
  rerun(): void {
    this.removeAttribute(HELD_ATTRIBUTE);
    this.plan();
  }

  /** Whether every planned run has its result. */
  protected hasAll(planned: readonly PlannedSpec[]): boolean {
    return planned.every((run) => this.results.has(run.key));
  }

  protected override renderChips(): unknown {
    const changed = labStateToEntries(this.state).filter(([name]) =>
      SPEC_FIELD_NAMES.includes(name),
    );
    if (changed.length === 0) return nothing;
    const open = (field: string) =>
      this.dispatchEvent(
        new CustomEvent('grad-open-settings', {
          detail: { field },
          bubbles: true,
          composed: true,
        }),
      );
    return html`<div class="chips" role="group" aria-label="settings that differ from the defaults">
      ${changed.map(
        ([name, value]) =>
          html`<button type="button" data-chip=${name} @click=${() => open(name)}>
            ${name} ${value}
          </button>`,
      )}
    </div>`;
  }

  protected override renderSettings(): unknown {
    void loadSpecForm();
    return html`<grad-spec-form .spec=${this.state.spec}></grad-spec-form>`;
  }

  /** Progress (with Cancel unless the figure is fixed), errors, and the CPU-fallback notice. */
  protected override runStatus(): unknown {
    return this.runs.render({ cancel: this.controls !== 'none' });
  }
}
