import { html, LitElement } from 'lit';
import { ACTIVATIONS } from '../../engine/activations.ts';
import '../figures/grad-activation-compare/define.ts';
import '../figures/grad-attenuation-table/define.ts';
import '../figures/grad-attenuation/define.ts';
import '../figures/grad-depth-sweep/define.ts';
import '../figures/grad-layer-stats/define.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../lab/lab-state.ts';
import { gradNormsStyles } from './grad-norms.styles.ts';

/**
 * The gradient-flow section (chapter §17.5): prose and a composition of figures. The depth sweep
 * (grad-depth-sweep), ‖δ⁽ˡ⁾‖ and ‖∂L/∂W⁽ˡ⁾‖ by activation (grad-activation-compare,
 * grad-layer-stats), the chapter's bar chart, and the bound (max|f′|)^k beside the measured
 * attenuation (grad-attenuation, grad-attenuation-table). The figures share their runs; the
 * depth sweep carries the depth list and the comparison the activations.
 *
 * @summary Gradient norms through depth and across activations, against the (max|f′|)^k bound.
 * @event grad-state-change - `detail` holds URL-style entries (`depths`, `activations`) when the
 *   reader edits the depth list or the compared activations; the lab parses and stores them.
 */
export class GradNorms extends LitElement {
  static override styles = gradNormsStyles;
  static override properties = { state: { attribute: false } };

  declare state: LabState;

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
  }

  override render(): unknown {
    const { spec } = this.state;
    const state = this.state;
    return html`
      <p class="note">
        Each norm is taken over a batch of ${spec.batch} sample${spec.batch === 1 ? '' : 's'} (the
        chapter uses a single sample, which is noisy and, for ReLU, can be exactly zero), with the
        lab's init (${spec.init}), width ${spec.width}, seed ${spec.seed} and backend
        ${spec.backend}. The depth sweep uses ${ACTIVATIONS[spec.activation].label}; the comparison
        runs each activation at ${spec.depth} hidden layers. The depth sweep's other x axis, layers
        below the output, lines networks of different depths up at their output layer, where the
        gradient starts: each extra layer continues the same decay.
      </p>
      <div class="figures">
        <grad-depth-sweep export .state=${state}></grad-depth-sweep>
        <grad-activation-compare export .state=${state}></grad-activation-compare>
        <grad-layer-stats
          export
          controls="none"
          stat="weight-grad"
          compare="activations"
          .state=${state}
        ></grad-layer-stats>
        <grad-activation-compare
          export
          controls="none"
          kind="bars"
          .state=${state}
        ></grad-activation-compare>
        <grad-attenuation export controls="none" .state=${state}></grad-attenuation>
      </div>
      <p class="note">
        The attenuation chart divides each layer's ‖δ‖ by the output layer's, so the measurement
        starts at 1 at k = 0 and shares its axis with the chapter's bound (max|f′|)^k (§17.5). That
        bound counts only the activation's derivative and ignores the weights' scale: the full
        factor per layer is at most ‖W‖₂·max|f′|, so measured values can lie above it (shown in
        italics in the table) where the weights amplify. For tanh and ReLU max|f′| = 1, so the bound
        is 1 at every depth and says nothing about vanishing: with He init ReLU's gradients keep
        their size because of the weights' scale, not because of the bound.
      </p>
      <grad-attenuation-table export controls="none" .state=${state}></grad-attenuation-table>
    `;
  }
}
