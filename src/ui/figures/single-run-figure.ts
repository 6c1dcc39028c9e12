/**
 * A figure of one run: the spec's (or, for the init explorer, the spec with one init swapped in),
 * through the shared queue. A parent that has made the run itself (grad-run, which announces it
 * and shows one status for its figures) hands the result down as `.result` instead: the figure
 * then draws that and runs nothing.
 */
import type { RunResult } from '../../engine/results.ts';
import { SpecError, type RunSpec } from '../../engine/spec.ts';
import { html, nothing } from 'lit';
import type { PlannedSpec } from '../figure/run-figure.ts';
import { GroupRunFigure } from './figure-group.ts';

export abstract class SingleRunFigure extends GroupRunFigure {
  private supplied: RunResult | null = null;
  /** Counts handed-down results, so that a new one is planned (drawn) again. */
  private suppliedCount = 0;
  private planned: PlannedSpec | null = null;
  /** Why the run cannot be made (the validator's message, naming the field), if it cannot. */
  protected refused: string | null = null;

  /** The spec the figure runs; throws SpecError when it cannot run. */
  protected runSpec(): RunSpec {
    return this.state.spec;
  }

  /** The run drawn: the one handed down, or the figure's own once it has arrived. */
  get result(): RunResult | null {
    if (this.supplied) return this.supplied;
    return (this.planned && this.results.get(this.planned.key)) ?? null;
  }

  /** Hands down a run made elsewhere (null: the figure runs its spec itself). */
  set result(value: RunResult | null) {
    this.supplied = value;
    this.suppliedCount++;
    this.requestUpdate();
  }

  /** The spec of the run drawn (for captions), or the one the figure would run. */
  protected get shownSpec(): RunSpec {
    return this.result?.spec ?? this.planned?.spec ?? this.state.spec;
  }

  protected override planKey(): string {
    return JSON.stringify([this.state.spec, this.supplied ? this.suppliedCount : 0]);
  }

  protected override plan(): void {
    this.refused = null;
    if (this.supplied) {
      this.planned = null;
      this.runs.cancel(false);
      this.results.clear();
      this.toggleAttribute('data-complete', true);
      return;
    }
    try {
      const spec = this.runSpec();
      this.planned = { key: JSON.stringify(spec), spec };
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      this.planned = null;
      this.refused = error.message;
    }
    void this.ensureRuns(this.planned ? [this.planned] : []);
  }

  /** The reason the run was not made, where it was not. */
  protected refusedNote(): unknown {
    return this.refused
      ? html`<p class="error" role="alert">Not run: ${this.refused}</p>`
      : nothing;
  }
}
