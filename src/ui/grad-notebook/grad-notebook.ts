import { html, LitElement, nothing } from 'lit';
import { ACTIVATIONS } from '../../engine/activations.ts';
import { gradientVerdict } from '../../engine/gradient-verdict.ts';
import {
  NOTEBOOK_ACTIVATIONS,
  NOTEBOOK_DEPTHS,
  type NotebookReport,
} from '../../engine/notebook.ts';
import '../figures/grad-notebook-sweep/define.ts';
import '../figures/grad-notebook-sweep-table/define.ts';
import '../figures/grad-notebook-ten-layer/define.ts';
import '../figures/grad-notebook-ten-layer-table/define.ts';
import '../figures/grad-notebook-variants/define.ts';
import '../figures/grad-notebook-variants-table/define.ts';
import { NOTEBOOK_STATE } from '../figures/notebook-figure.ts';
import { SessionDriver, SessionView } from '../figures/shared-session.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../lab/lab-state.ts';
import { gradNotebookStyles } from './grad-notebook.styles.ts';
import {
  CHAPTER_TEN_LAYER_RELU,
  chapterPrintout,
  hiddenDeadFraction,
  initScaleRatio,
  outputPreActivation,
  percent,
  sameNorms,
  sixDigits,
  tenLayerChart,
  variantsChart,
  zeroSentences,
  type VariantId,
  type VariantResult,
} from './notebook-figures.ts';
import {
  computeNotebook,
  EMPTY_NOTEBOOK,
  NOTEBOOK_KEY,
  NOTEBOOK_SESSIONS,
  notebookResults,
  type NotebookResults,
} from './notebook-session.ts';

export type { NotebookResults };

/**
 * The charts' width ÷ height. A framed chart is at least 15rem tall, and at 16:10 it grows wider
 * than a phone's column (15rem × 1.6 = 384 px); at 4:3 it fits from 320 px.
 */
const CHART_ASPECT = '4:3';

const label = (activation: (typeof NOTEBOOK_ACTIVATIONS)[number]): string =>
  ACTIVATIONS[activation].label;

/** Sentences about the zeros a log axis cannot draw; nothing when there are none. */
function zeroNote(sentences: readonly string[]): unknown {
  return sentences.length
    ? html`<p class="note" data-testid="zero-note">${sentences.join(' ')}</p>`
    : nothing;
}

/**
 * The chapter's two gradient figures (§17.5), reproduced with its exact numbers, as prose and a
 * composition of figures: the depth sweep per activation (grad-notebook-sweep), the ten-layer bars
 * (grad-notebook-ten-layer), their numbers as Python prints them (grad-notebook-sweep-table,
 * grad-notebook-ten-layer-table), and what changes when the chapter's flaws are fixed one at a
 * time (grad-notebook-variants, grad-notebook-variants-table). The chapter's code runs in the
 * lab's CPU worker in f64 through the engine's notebook module, unchanged, once: the section
 * computes the notebook's shared session (grad-notebook/notebook-session.ts) and its figures show
 * it. Beside them, what the numbers show; then what the chapter's code actually shows (its
 * ten-layer ReLU run is exactly zero because the output ReLU unit is inactive for seed 42, and
 * its ReLU runs use Xavier init), and what changes with He init, a linear output unit and a batch.
 *
 * The section does not depend on the lab's settings: the chapter's settings are fixed.
 *
 * @summary The chapter's gradient experiments, reproduced and explained.
 * @csspart run-status - Progress, Cancel, and errors of the section's runs.
 * @cssproperty --grad-accent - The rule beside the explanation.
 * @cssproperty --grad-mono - The font of the printout.
 */
export class GradNotebook extends LitElement {
  static override styles = gradNotebookStyles;
  static override properties = {
    state: { attribute: false },
  };

  /** The lab's state (the section's contract); the chapter's settings do not read it. */
  declare state: LabState;

  private readonly driver = new SessionDriver(this, NOTEBOOK_SESSIONS);
  private readonly view = new SessionView(this, NOTEBOOK_SESSIONS, () => this.computeIfMissing());

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.view.show(NOTEBOOK_KEY);
  }

  /** The numbers on show, for tests and readers; null until the runs complete. */
  get results(): NotebookResults | null {
    return notebookResults(this.view.session);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.computeIfMissing();
  }

  /**
   * Computes the session when the page has none (nor a cancelled or failed one, which waits for
   * the reader): on arrival, or when the figure that was computing it is removed.
   */
  private computeIfMissing(): void {
    if (this.isConnected && !this.driver.runs.running && !this.view.session)
      void this.reproduce(false);
  }

  /** Computes the notebook's session, or (without `force`) shows the one the page has. */
  private async reproduce(force: boolean): Promise<void> {
    await this.driver.drive(NOTEBOOK_KEY, EMPTY_NOTEBOOK, computeNotebook, { force });
  }

  override render(): unknown {
    const session = this.view.session;
    const results = this.results;
    const report = session?.value.report ?? null;
    const stopped = !this.driver.runs.running && !results && session?.status !== 'running';
    return html`
      <p>
        The chapter’s §17.5 code, run exactly as written: numpy’s generator with seed 42 and the
        same order of draws, Xavier init for sigmoid and ReLU alike, the hidden activation on the
        output unit too, zero biases and one sample. It runs in f64 (cpu64) in a worker, so the
        numbers below are the ones the chapter’s code computes.
      </p>
      <div data-testid="notebook-status">${this.driver.runs.render()}</div>
      ${
        stopped
          ? html`<div class="controls">
              <button type="button" @click=${() => void this.reproduce(true)}>
                Run the chapter’s code
              </button>
            </div>`
          : nothing
      }
      ${this.renderDepthSweep(report)} ${this.renderTenLayer(report)}
      ${results ? this.renderTruth(results) : nothing}
      ${this.renderVariants(session?.value.variants ?? [], results)}
    `;
  }

  private renderDepthSweep(report: NotebookReport | null): unknown {
    return html`
      <h3 id="notebook-figure-1">Figure 1: gradient norms through depth</h3>
      <p>
        The chapter’s first figure: ‖δ⁽ˡ⁾‖ at each layer (1 = input side) of networks with 3, 5, 10
        and 20 hidden layers of width 20, 10 inputs, all drawn from one random stream. The chapter
        titles its panels “Sigmoid: Gradient Vanishes in Deep Networks” and “ReLU: Gradients Flow
        Through Deep Networks”.
      </p>
      <div class="charts">
        ${NOTEBOOK_ACTIVATIONS.map(
          (activation) =>
            html`<grad-notebook-sweep
              activation=${activation}
              aspect=${CHART_ASPECT}
              controls="none"
              export
              .state=${NOTEBOOK_STATE}
            ></grad-notebook-sweep>`,
        )}
      </div>
      ${
        report
          ? html`<ul class="diagnosis" aria-label="what figure 1 shows">
              ${NOTEBOOK_ACTIVATIONS.flatMap((activation) =>
                NOTEBOOK_DEPTHS.map(
                  (depth) =>
                    html`<li data-diagnosis="depth-sweep-${activation}-${depth}">
                      ${label(activation)}, ${depth} hidden layers:
                      ${report.diagnosis.depthSweep[activation][String(depth)]}.
                    </li>`,
                ),
              )}
            </ul>`
          : nothing
      }
      <details>
        <summary>Figure 1’s numbers, as Python prints them</summary>
        <grad-notebook-sweep-table
          controls="none"
          export
          .state=${NOTEBOOK_STATE}
        ></grad-notebook-sweep-table>
      </details>
    `;
  }

  private renderTenLayer(report: NotebookReport | null): unknown {
    return html`
      <h3 id="notebook-figure-2">Figure 2: ten hidden layers, sigmoid vs ReLU</h3>
      <p>
        The chapter’s bar chart: ten hidden layers of width 15, 8 inputs, one sample, the generator
        reseeded with 42 for each activation. Its panels are titled “Sigmoid: Gradients VANISH” and
        “ReLU: Gradients FLOW”.
      </p>
      <grad-notebook-ten-layer
        aspect=${CHART_ASPECT}
        controls="none"
        export
        .state=${NOTEBOOK_STATE}
      ></grad-notebook-ten-layer>
      ${
        report
          ? html`${zeroNote(zeroSentences(tenLayerChart(report), 'per-layer gradient norms'))}
              <figure class="printout">
                <figcaption>
                  What the chapter’s cell prints (computed here from the run above):
                </figcaption>
                <pre data-testid="printout">${chapterPrintout(report).join('\n')}</pre>
              </figure>
              <ul class="diagnosis" aria-label="what figure 2 shows">
                ${NOTEBOOK_ACTIVATIONS.map(
                  (activation) =>
                    html`<li data-diagnosis="ten-layer-${activation}">
                      ${label(activation)}: ${report.diagnosis.tenLayer[activation]}.
                    </li>`,
                )}
              </ul>`
          : nothing
      }
      <details>
        <summary>Figure 2’s numbers, as Python prints them</summary>
        <grad-notebook-ten-layer-table
          controls="none"
          export
          .state=${NOTEBOOK_STATE}
        ></grad-notebook-ten-layer-table>
      </details>
    `;
  }

  private renderTruth({ report, variants }: NotebookResults): unknown {
    const byId = new Map<VariantId, VariantResult>(variants.map((v) => [v.variant.id, v]));
    const chapter = byId.get('chapter')!.result.stats;
    const outputLayer = chapter.layerCount;
    const zXavier = outputPreActivation(byId.get('linear-output')!.result);
    const zHe = outputPreActivation(byId.get('he-linear')!.result);
    const expectedRatio = initScaleRatio(CHAPTER_TEN_LAYER_RELU, 'xavier', 'he');
    const reluZero = report.tenLayer.relu.every((v) => v === 0);
    const sweep20 = gradientVerdict(report.depthSweep.relu['20']!);
    const sigmoid10 = gradientVerdict(report.tenLayer.sigmoid);
    const batch = byId.get('he-linear-batch')!.result;
    return html`
      <section class="truth" aria-labelledby="notebook-truth">
        <h3 id="notebook-truth">What the chapter’s code actually shows</h3>
        <ul>
          <li data-testid="zero-explanation">
            ${
              reluZero
                ? html`The ten-layer ReLU run is exactly zero at every layer, although the chapter
                    says ReLU gradients flow. Its output unit is a ReLU too, and for seed 42 it is
                    inactive:
                    ${
                      zXavier !== null
                        ? html`its pre-activation is z<sub>L</sub> =
                            <span data-testid="z-out">${sixDigits(zXavier)}</span> (measured by
                            running the same weights and input with a linear output unit, where
                            a<sub>L</sub>
                            = z<sub>L</sub>), `
                        : nothing
                    }
                    the output layer’s dead fraction is
                    <span data-testid="output-dead">${chapter.deadFraction[outputLayer - 1]}</span>
                    (1: its ReLU outputs 0 on every sample). So ReLU′(z<sub>L</sub>) = 0, δ⁽ᴸ⁾ =
                    (a<sub>L</sub> − y)·ReLU′(z<sub>L</sub>) = 0, and every earlier δ⁽ˡ⁾ =
                    (W⁽ˡ⁺¹⁾ᵀδ⁽ˡ⁺¹⁾) ⊙ ReLU′(z⁽ˡ⁾) is 0 as well. The chapter’s figure hides this: it
                    clamps each norm to 10⁻³⁰ for its log axis, so its “ReLU: Gradients FLOW” panel
                    draws ${outputLayer} equal bars at 10⁻³⁰.`
                : html`The ten-layer ReLU run is not all zero here:
                  ${report.diagnosis.tenLayer.relu}.`
            }
          </li>
          <li>
            The depth sweep uses Xavier init for ReLU (Var W = 2/(n<sub>in</sub> + n<sub>out</sub>),
            about half of He’s 2/n<sub>in</sub>), so its ReLU gradients decay as well: at 20 hidden
            layers the gradient ${sweep20.text}. Yet the cell prints “ReLU: gradients maintain their
            magnitude across layers.”
          </li>
          <li>
            Sigmoid behaves as the chapter says: with ten hidden layers the gradient
            ${sigmoid10.text}, since sigmoid′ ≤ 0.25 at every layer.
          </li>
          <li>
            One sample makes “dead” mean “inactive for this one input”: averaged over the hidden
            layers, ${percent(hiddenDeadFraction(chapter))} of the units output 0 for the chapter’s
            sample; over a batch of ${batch.spec.batch} (He init, linear output),
            ${percent(hiddenDeadFraction(batch.stats))} are inactive on every sample.
          </li>
          ${
            zXavier !== null && zHe !== null
              ? html`<li data-testid="homogeneity">
                  He init alone does not help here. A ReLU network without biases is positively
                  homogeneous (ReLU(c·z) = c·ReLU(z) for c &gt; 0): He init multiplies each layer’s
                  weights by a positive factor, so z<sub>L</sub> is multiplied by their product,
                  ${sixDigits(expectedRatio)}; measured, z<sub>L</sub> goes from
                  ${sixDigits(zXavier)} to ${sixDigits(zHe)}, a factor of
                  ${sixDigits(zHe / zXavier)}. Its sign, and the dead output unit, stay.
                </li>`
              : nothing
          }
        </ul>
      </section>
    `;
  }

  private renderVariants(
    variants: readonly VariantResult[],
    results: NotebookResults | null,
  ): unknown {
    const chapterRun = variants.find((v) => v.variant.id === 'chapter');
    const matches =
      chapterRun !== undefined &&
      results !== null &&
      sameNorms(chapterRun.result.stats.gradNorm, results.report.tenLayer.relu);
    return html`
      <h3 id="notebook-changes">What changes</h3>
      <p>
        The ten-layer ReLU run as ordinary lab runs, fixing one flaw at a time. The first is the
        chapter’s own settings as a lab
        spec${
          results
            ? matches
              ? html`:
                  <span class="pass" data-testid="chapter-match"
                    >its gradient norms equal the reproduction above, bit for bit</span
                  >.`
              : html`:
                  <span class="fail" data-testid="chapter-match"
                    >its gradient norms differ from the reproduction above</span
                  >.`
            : '.'
        }
      </p>
      <grad-notebook-variants
        aspect=${CHART_ASPECT}
        controls="none"
        export
        .state=${NOTEBOOK_STATE}
      ></grad-notebook-variants>
      ${
        variants.length
          ? zeroNote(zeroSentences(variantsChart(variants), 'per-layer gradient norms'))
          : nothing
      }
      <grad-notebook-variants-table
        controls="none"
        export
        .state=${NOTEBOOK_STATE}
      ></grad-notebook-variants-table>
    `;
  }
}
