import { html, LitElement, nothing } from 'lit';
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit/directive.js';
import { TASK_DESCRIPTIONS, type TaskName } from '../../engine/tasks.ts';
import '../figures/grad-training-heatmap/define.ts';
import '../figures/grad-training-loss/define.ts';
import '../figures/grad-training-summary/define.ts';
import { TRAINING_KEYS } from '../figures/training-figure.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../lab/lab-state.ts';
import { gradTrainingStyles } from './grad-training.styles.ts';
import { comparisonPlan, describeNetwork, LAB_CONFIG_ID } from './training-compare.ts';
import {
  DEFAULT_DRAFT,
  presetMatches,
  TRAINING_PRESETS,
  type TrainingPreset,
} from './training-data.ts';

/** The training every figure of the section shows: their attributes (training-figure.ts). */
type TrainingEntries = Readonly<Record<string, string>>;

const DEFAULT_TRAINING: TrainingEntries = {
  task: DEFAULT_DRAFT.task,
  optimizer: DEFAULT_DRAFT.optimizer,
  lr: DEFAULT_DRAFT.lr,
  steps: DEFAULT_DRAFT.steps,
  networks: LAB_CONFIG_ID,
};

/** Sets an element's attributes from a record (the training's, on every figure alike). */
class AttributesDirective extends Directive {
  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('attributes() goes on an element');
  }

  override render(_entries: TrainingEntries): unknown {
    return nothing;
  }

  override update(part: ElementPart, [entries]: [TrainingEntries]): unknown {
    for (const [name, value] of Object.entries(entries)) {
      if (part.element.getAttribute(name) !== value) part.element.setAttribute(name, value);
    }
    return nothing;
  }
}

const attributes = directive(AttributesDirective);

/**
 * Training dynamics of the lab's network (§17.5–17.6): prose and a composition of figures that
 * show one training (figures/training-session.ts). A few hundred steps of SGD or Adam on a
 * synthetic task (a random teacher network, or two spirals), run in chunks through the page's
 * queue: the loss curve (grad-training-loss, which carries the controls), the summary
 * (grad-training-summary) and layers × steps heat-maps of the update ratio ‖ΔW⁽ˡ⁾‖/‖W⁽ˡ⁾‖ and of
 * the gradient norm ‖∂L/∂W⁽ˡ⁾‖ (grad-training-heatmap). With sigmoid and Xavier init the first
 * layers update orders of magnitude more slowly than the last; the presets switch the lab to the
 * cures. Comparison mode trains several networks (the lab settings and the presets) in lockstep
 * on one training set with one optimizer, their heat-maps on one colour scale per quantity.
 * Training starts on Start only; Pause, Step and Reset act on every network at once.
 *
 * @summary Train the deep network and watch which layers learn, and how fast.
 * @cssproperty --grad-error - Colour of errors and of a diverged run.
 * @cssproperty --grad-accent - Outline of the focused control and the current preset.
 * @event grad-state-change - `detail` holds URL-style entries (activation, init, alpha, sigma-w,
 *   gain, residual, batchnorm) when the reader picks a preset.
 * @event grad-run-complete - Training stopped (its steps done, or paused); `detail` is the
 *   training session.
 */
export class GradTraining extends LitElement {
  static override styles = gradTrainingStyles;
  static override properties = {
    state: { attribute: false },
    training: { state: true },
  };

  declare state: LabState;
  /** The training's settings (local to the section, not in the URL). */
  declare training: TrainingEntries;

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.training = DEFAULT_TRAINING;
  }

  /** The figures' settings form changed the training: every figure follows. */
  private readonly onFigureChange = (event: CustomEvent<Record<string, string>>): void => {
    const keys = Object.keys(event.detail);
    if (!keys.length || !keys.every((key) => TRAINING_KEYS.includes(key))) return;
    event.stopPropagation();
    this.training = { ...this.training, ...event.detail };
  };

  private applyPreset(preset: TrainingPreset): void {
    this.training = { ...this.training, lr: preset.lr };
    this.dispatchEvent(
      new CustomEvent('grad-state-change', {
        detail: { ...preset.entries },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private renderPresets(): unknown {
    return html`<fieldset>
      <legend>Presets (set the lab's network)</legend>
      ${TRAINING_PRESETS.map(
        (preset) =>
          html`<button
            type="button"
            data-preset=${preset.id}
            aria-pressed=${presetMatches(preset, this.state.spec) ? 'true' : 'false'}
            @click=${() => this.applyPreset(preset)}
          >
            ${preset.label}
          </button>`,
      )}
    </fieldset>`;
  }

  private renderBackendNote(): unknown {
    const backend = this.state.spec.backend;
    if (backend === 'webgpu')
      return html`<p class="note" data-testid="cpu-note">
        Training runs on the GPU (webgpu, f32: weights and optimizer state stay on the device);
        where WebGPU is unavailable it runs on the CPU in f32 and says so. The table says which
        backend trained each network.
      </p>`;
    return html`<p class="note" data-testid="cpu-note">
      Training runs on the CPU (${backend === 'cpu64' ? 'f64' : 'f32'}, in the page's worker).
    </p>`;
  }

  override render(): unknown {
    const { spec } = this.state;
    const training = this.training;
    const { configs } = comparisonPlan(training.networks!.split(','), spec);
    const compare = configs.length > 1;
    const state = this.state;
    const task = training.task as TaskName;
    // A section fixed by its embedder (controls="none") trains by itself, like a lone figure.
    const fixed = this.getAttribute('controls') === 'none';
    return html`
      <p>
        ${
          compare
            ? html`Gradient descent on several networks of the lab's sizes (${spec.depth} hidden
              layers × ${spec.width}), side by side.`
            : html`Gradient descent on the lab's network (${spec.activation}, ${spec.init} init,
              ${spec.depth} hidden layers ×
              ${spec.width}${spec.residual ? ', residual' : ''}${spec.batchnorm ? ', batchnorm' : ''}).`
        }
        Each step changes W⁽ˡ⁾ by ΔW⁽ˡ⁾; the ratio ‖ΔW⁽ˡ⁾‖/‖W⁽ˡ⁾‖ says how fast layer l learns.
      </p>
      ${this.renderPresets()} ${this.renderBackendNote()}
      <p class="note">
        Task: ${TASK_DESCRIPTIONS[task] ?? task}. The loss is ½‖a⁽ᴸ⁾ − y‖² averaged over the batch
        of ${spec.batch}. Changing the task, optimizer, learning rate, the compared networks or the
        lab's network starts again from the initial weights.
        ${
          compare
            ? html`Compared networks train in lockstep on the same training set (the lab settings'),
              in the same minibatch order, with the same optimizer and learning rate; Pause, Step
              and Reset act on all of them.`
            : nothing
        }
        ${
          training.optimizer === 'adam'
            ? html`Adam rescales every weight's step to about the learning rate, so its update
              ratios even out across layers; the gradient norms still show which layers the error
              reaches.`
            : nothing
        }
      </p>
      <div class="figures" @grad-state-change=${this.onFigureChange}>
        <grad-training-loss
          controls=${fixed ? 'none' : 'full'}
          export
          aspect="5:2"
          ${attributes(training)}
          .state=${state}
        ></grad-training-loss>
        <grad-training-summary
          controls="none"
          export
          ${attributes(training)}
          .state=${state}
        ></grad-training-summary>
        ${
          compare
            ? html`<p class="note">
                  A negative order of magnitude means layer 1 updates more slowly than the last
                  layer: −3 is a thousand times. The heat-maps share one colour scale per quantity,
                  so equal colours are equal values across networks.
                </p>
                <div class="compare-grid">
                  ${configs.map(
                    (config) =>
                      html`<section
                        class="network"
                        data-config=${config.id}
                        aria-labelledby="network-${config.id}"
                      >
                        <h3 id="network-${config.id}">${config.label}</h3>
                        <p class="note">${describeNetwork(config.spec)}</p>
                        <grad-training-heatmap
                          controls="none"
                          export
                          quantity="update-ratio"
                          network=${config.id}
                          ${attributes(training)}
                          .state=${state}
                        ></grad-training-heatmap>
                        <grad-training-heatmap
                          controls="none"
                          export
                          quantity="grad-norm"
                          network=${config.id}
                          ${attributes(training)}
                          .state=${state}
                        ></grad-training-heatmap>
                      </section>`,
                  )}
                </div>`
            : html`<div class="charts">
                <grad-training-heatmap
                  controls="none"
                  export
                  quantity="update-ratio"
                  ${attributes(training)}
                  .state=${state}
                ></grad-training-heatmap>
                <grad-training-heatmap
                  controls="none"
                  export
                  quantity="grad-norm"
                  ${attributes(training)}
                  .state=${state}
                ></grad-training-heatmap>
              </div>`
        }
      </div>
    `;
  }
}
