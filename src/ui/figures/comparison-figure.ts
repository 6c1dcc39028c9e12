/**
 * What the figures over the activation comparison share (grad-activation-compare,
 * grad-attenuation, grad-attenuation-table, grad-layer-stats by activation): every listed
 * activation at the spec's depth, one run each, shared between them through the page's queue,
 * and the chips that choose the activations.
 */
import { html } from 'lit';
import { ACTIVATION_NAMES } from '../../engine/activations.ts';
import type { FigureControls } from '../figure/figure-controls.ts';
import { GradFigure } from '../figure/grad-figure.ts';
import { RunFigure } from '../figure/run-figure.ts';
import {
  comparisonResults,
  comparisonSlots,
  planComparison,
  type Slot,
  type ComparisonResult,
  type FigureRuns,
  type Pairing,
} from '../grad-norms/norms-data.ts';

export abstract class ComparisonFigure extends RunFigure {
  static override styles = [GradFigure.styles];
  static override properties = { ...GradFigure.properties, activationsError: { state: true } };

  declare activationsError: string | null;
  protected planned: FigureRuns = { runs: [], refused: [] };

  constructor() {
    super();
    this.activationsError = null;
  }

  /** The comparison's results so far, in the list's order. */
  get comparison(): ComparisonResult[] {
    return comparisonResults(this.planned.runs, (key) => this.results.get(key));
  }

  /** Every planned activation, with its result where it has arrived (for charts). */
  protected get slots(): Slot<ComparisonResult>[] {
    return comparisonSlots(this.planned.runs, (key) => this.results.get(key));
  }

  /** How activations are paired with inits (grad-activation-compare's `pairing`). */
  protected pairing(): Pairing {
    return 'shared';
  }

  protected override planKey(): string {
    return JSON.stringify([this.state.spec, this.state.activations, this.pairing()]);
  }

  protected override plan(): void {
    this.planned = planComparison(this.state, this.pairing());
    void this.ensureRuns(this.planned.runs);
  }

  protected activationControls(ui: FigureControls): unknown {
    return html`${ui.activationChips(
      'activations to compare',
      ACTIVATION_NAMES,
      this.state.activations,
      (next) => {
        if (next === null) {
          this.activationsError = 'activations: choose at least one activation to compare';
          return;
        }
        this.activationsError = null;
        this.changeState({ activations: next.join(',') });
      },
    )}${ui.fieldError('activations-error', this.activationsError)}`;
  }

  protected override renderControls(ui: FigureControls): unknown {
    return this.activationControls(ui);
  }

  /** Runs the spec could not make, named (e.g. over the memory budget). */
  protected refusedNotes(): unknown {
    return this.planned.refused.map(
      (message) => html`<p class="error" role="alert">${message}</p>`,
    );
  }
}
