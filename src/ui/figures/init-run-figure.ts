/**
 * What the figures of one init's run share (grad-init-histograms, grad-init-layer-table): the
 * init is the spec's own `init` attribute, the run is the init explorer's (initRunSpec: the same
 * spec, so the explorer's figures share it), and the compact controls are Exercise 17.5's
 * depths (10, 20, 50) and the init.
 */
import { html } from 'lit';
import { INIT_NAMES, INITS, type InitName } from '../../engine/inits.ts';
import type { RunSpec } from '../../engine/spec.ts';
import type { FigureControls } from '../figure/figure-controls.ts';
import { GradFigure } from '../figure/grad-figure.ts';
import {
  EXERCISE_DEPTHS,
  initRunSpec,
  initSpec,
  type InitRun,
} from '../grad-init-explorer/explorer-data.ts';
import { SingleRunFigure } from './single-run-figure.ts';

export abstract class InitRunFigure extends SingleRunFigure {
  static override styles = [GradFigure.styles];

  /** The init drawn: the spec's. */
  get init(): InitName {
    return this.state.spec.init;
  }

  protected override runSpec(): RunSpec {
    return initRunSpec(this.state.spec, this.init);
  }

  /** The run as the explorer's data functions take it, once it has arrived. */
  protected get initRun(): InitRun | null {
    const result = this.result;
    return result ? { init: result.spec.init, spec: result.spec, stats: result.stats } : null;
  }

  /** Another init: σ_w and the gain go back to their defaults where the new init has none. */
  private chooseInit(init: InitName): void {
    const { spec } = this.state;
    const next = initSpec(spec, init);
    const entries: Record<string, string> = { init };
    if (next.sigmaW !== spec.sigmaW) entries['sigma-w'] = String(next.sigmaW);
    if (next.gain !== spec.gain) entries['gain'] = String(next.gain);
    this.changeState(entries);
  }

  protected override renderControls(ui: FigureControls): unknown {
    const { depth } = this.state.spec;
    const depths = EXERCISE_DEPTHS.includes(depth)
      ? EXERCISE_DEPTHS
      : [...EXERCISE_DEPTHS, depth].sort((a, b) => a - b);
    return html`${ui.segmented(
      'hidden layers',
      'depth',
      depths.map((value) => ({ value: String(value), label: String(value) })),
      String(depth),
      (value) => this.changeState({ depth: value }),
    )}${ui.segmented(
      'initialization',
      'init',
      INIT_NAMES.map((value) => ({ value, label: INITS[value].label })),
      this.init,
      (value) => this.chooseInit(value),
    )}`;
  }
}
