import { html, LitElement, nothing } from 'lit';
import { ACTIVATIONS } from '../../engine/activations.ts';
import {
  NOTEBOOK_ACTIVATIONS,
  NOTEBOOK_DEPTHS,
  runNotebook,
  type NotebookReport,
} from '../../engine/notebook.ts';
import type { ChartData } from '../grad-chart/chart-data.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../lab/lab-state.ts';
import { RunController } from '../lab/run-controller.ts';
import { gradNotebookStyles } from './grad-notebook.styles.ts';
import { gradientVerdict } from '../../engine/gradient-verdict.ts';
import {
  CHAPTER_TEN_LAYER_RELU,
  chapterPrintout,
  countZeros,
  depthSweepChart,
  initScaleRatio,
  NOTEBOOK_VARIANTS,
  outputPreActivation,
  pythonRepr,
  sameNorms,
  tenLayerChart,
  variantsChart,
  type NotebookActivation,
  type VariantId,
  type VariantResult,
} from './notebook-figures.ts';
import { taskBackend } from './task-backend.ts';

/** What the section computed: the chapter's two experiments and the variants of its ReLU run. */
export interface NotebookResults {
  readonly report: NotebookReport;
  readonly variants: readonly VariantResult[];
}

/** runNotebook's runs: the depth sweep for each activation, then one ten-layer run each. */
const NOTEBOOK_RUNS = NOTEBOOK_ACTIVATIONS.length * (NOTEBOOK_DEPTHS.length + 1);

const label = (activation: NotebookActivation): string => ACTIVATIONS[activation].label;

const formatNumber = (value: number): string =>
  !Number.isFinite(value) ? String(value) : value === 0 ? '0' : value.toPrecision(6);

const mean = (values: ArrayLike<number>, from: number, to: number): number => {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i]!;
  return sum / (to - from);
};

const percent = (fraction: number): string => `${(100 * fraction).toFixed(0)}%`;

/** The zeros a log axis cannot draw, said in words (the chart's own note only counts them). */
function zeroSentence(data: ChartData, what: string): unknown {
  const sentences = data.series.flatMap((series) => {
    const zeros = countZeros(series.values);
    const total = series.values.length;
    if (zeros === 0) return [];
    return zeros === total
      ? [
          `${series.label}: all ${total} ${what} are exactly 0, so none can be drawn on the log axis.`,
        ]
      : [`${series.label}: ${zeros} of ${total} ${what} are exactly 0 and are not drawn.`];
  });
  return sentences.length
    ? html`<p class="note" data-testid="zero-note">${sentences.join(' ')}</p>`
    : nothing;
}

/**
 * The chapter's two gradient figures (§17.5), reproduced with its exact numbers: its code runs in
 * the lab's CPU worker in f64 through the engine's notebook module, unchanged. Beside each figure,
 * what the numbers show; then what the chapter's code actually shows (its ten-layer ReLU run is
 * exactly zero because the output ReLU unit is inactive for seed 42, and its ReLU runs use Xavier
 * init), and what changes with He init, a linear output unit and a batch.
 *
 * The section does not depend on the lab's settings: the chapter's settings are fixed.
 *
 * @summary The chapter's gradient experiments, reproduced and explained.
 * @csspart run-status - Progress, Cancel, and errors of the section's runs.
 * @cssproperty --grad-accent - The rule beside the explanation.
 * @cssproperty --grad-mono - The font of the tables' numbers.
 */
export class GradNotebook extends LitElement {
  static override styles = gradNotebookStyles;
  static override properties = {
    state: { attribute: false },
    notebookResults: { state: true },
  };

  /** The lab's state (the section's contract); the chapter's settings do not read it. */
  declare state: LabState;
  declare private notebookResults: NotebookResults | null;

  private readonly runs = new RunController(this);

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.notebookResults = null;
  }

  /** The numbers on show, for tests and readers; null until the runs complete. */
  get results(): NotebookResults | null {
    return this.notebookResults;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.notebookResults && !this.runs.running) void this.reproduce();
  }

  private async reproduce(): Promise<void> {
    const results = await this.runs.start(async (context) => {
      context.setTotal(NOTEBOOK_RUNS + NOTEBOOK_VARIANTS.length);
      const report = await runNotebook(taskBackend(context));
      const variants: VariantResult[] = [];
      for (const variant of NOTEBOOK_VARIANTS) {
        variants.push({ variant, result: await context.run(variant.spec) });
      }
      return { report, variants };
    });
    if (results) this.notebookResults = results;
  }

  override render(): unknown {
    const results = this.notebookResults;
    return html`
      <p>
        The chapter’s §17.5 code, run exactly as written: numpy’s generator with seed 42 and the
        same order of draws, Xavier init for sigmoid and ReLU alike, the hidden activation on the
        output unit too, zero biases and one sample. It runs in f64 (cpu64) in a worker, so the
        numbers below are the ones the chapter’s code computes.
      </p>
      ${this.runs.render()}
      ${
        !results && !this.runs.running
          ? html`<div class="controls">
              <button type="button" @click=${() => void this.reproduce()}>
                Run the chapter’s code
              </button>
            </div>`
          : nothing
      }
      ${
        results
          ? html`${this.renderDepthSweep(results.report)} ${this.renderTenLayer(results.report)}
            ${this.renderTruth(results)} ${this.renderVariants(results.variants)}`
          : nothing
      }
    `;
  }

  private renderDepthSweep(report: NotebookReport): unknown {
    const columns = NOTEBOOK_ACTIVATIONS.flatMap((activation) =>
      NOTEBOOK_DEPTHS.map((depth) => ({
        activation,
        depth,
        values: report.depthSweep[activation][String(depth)]!,
      })),
    );
    const layers = Math.max(...columns.map((c) => c.values.length));
    return html`
      <h3 id="notebook-figure-1">Figure 1: gradient norms through depth</h3>
      <p>
        The chapter’s first figure: ‖δ⁽ˡ⁾‖ at each layer (1 = input side) of networks with 3, 5, 10
        and 20 hidden layers of width 20, 10 inputs, all drawn from one random stream. The chapter
        titles its panels “Sigmoid: Gradient Vanishes in Deep Networks” and “ReLU: Gradients Flow
        Through Deep Networks”.
      </p>
      <div class="charts">
        ${NOTEBOOK_ACTIVATIONS.map((activation) => {
          const data = depthSweepChart(report, activation);
          return html`<div>
            <grad-chart
              export
              data-figure="depth-sweep-${activation}"
              chart-title="${label(activation)}: ‖δ⁽ˡ⁾‖ per layer, by depth"
              x-label="layer (from input to output)"
              y-label="gradient norm ‖δ⁽ˡ⁾‖"
              log-y
              export-name="notebook-depth-sweep-${activation}"
              .data=${data}
            ></grad-chart>
            ${zeroSentence(data, 'per-layer gradient norms')}
          </div>`;
        })}
      </div>
      <ul class="diagnosis" aria-label="what figure 1 shows">
        ${columns.map(
          (c) =>
            html`<li data-diagnosis="depth-sweep-${c.activation}-${c.depth}">
              ${label(c.activation)}, ${c.depth} hidden layers:
              ${report.diagnosis.depthSweep[c.activation][String(c.depth)]}.
            </li>`,
        )}
      </ul>
      <details>
        <summary>Figure 1’s numbers, as Python prints them</summary>
        <div class="table-wrap">
          <table data-table="depth-sweep">
            <caption>
              Figure 1: ‖δ⁽ˡ⁾‖ per layer, each column one network (activation, hidden layers)
            </caption>
            <thead>
              <tr>
                <th scope="col">layer</th>
                ${columns.map((c) => html`<th scope="col">${label(c.activation)}, ${c.depth}</th>`)}
              </tr>
            </thead>
            <tbody>
              ${Array.from(
                { length: layers },
                (_, i) =>
                  html`<tr>
                    <th scope="row">${i + 1}</th>
                    ${columns.map(
                      (c) =>
                        html`<td class="python" data-series="${c.activation}-${c.depth}">
                          ${i < c.values.length ? pythonRepr(c.values[i]!) : ''}
                        </td>`,
                    )}
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
      </details>
    `;
  }

  private renderTenLayer(report: NotebookReport): unknown {
    const data = tenLayerChart(report);
    return html`
      <h3 id="notebook-figure-2">Figure 2: ten hidden layers, sigmoid vs ReLU</h3>
      <p>
        The chapter’s bar chart: ten hidden layers of width 15, 8 inputs, one sample, the generator
        reseeded with 42 for each activation. Its panels are titled “Sigmoid: Gradients VANISH” and
        “ReLU: Gradients FLOW”.
      </p>
      <grad-chart
        export
        data-figure="ten-layer"
        kind="bars"
        chart-title="‖δ⁽ˡ⁾‖ per layer, ten hidden layers"
        x-label="layer (1 = closest to input)"
        y-label="gradient norm ‖δ⁽ˡ⁾‖"
        log-y
        export-name="notebook-ten-layer"
        .data=${data}
      ></grad-chart>
      ${zeroSentence(data, 'per-layer gradient norms')}
      <figure class="printout">
        <figcaption>What the chapter’s cell prints (computed here from the run above):</figcaption>
        <pre data-testid="printout">${chapterPrintout(report).join('\n')}</pre>
      </figure>
      <ul class="diagnosis" aria-label="what figure 2 shows">
        ${NOTEBOOK_ACTIVATIONS.map(
          (activation) =>
            html`<li data-diagnosis="ten-layer-${activation}">
              ${label(activation)}: ${report.diagnosis.tenLayer[activation]}.
            </li>`,
        )}
      </ul>
      <details>
        <summary>Figure 2’s numbers, as Python prints them</summary>
        <div class="table-wrap">
          <table data-table="ten-layer">
            <caption>
              Figure 2: ‖δ⁽ˡ⁾‖ per layer, ten hidden layers
            </caption>
            <thead>
              <tr>
                <th scope="col">layer</th>
                ${NOTEBOOK_ACTIVATIONS.map((a) => html`<th scope="col">${label(a)}</th>`)}
              </tr>
            </thead>
            <tbody>
              ${report.tenLayer.sigmoid.map(
                (_, i) =>
                  html`<tr>
                    <th scope="row">${i + 1}</th>
                    ${NOTEBOOK_ACTIVATIONS.map(
                      (a) =>
                        html`<td class="python" data-series=${a}>
                          ${pythonRepr(report.tenLayer[a][i]!)}
                        </td>`,
                    )}
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
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
    const hiddenDead = (stats: typeof chapter) => mean(stats.deadFraction, 0, stats.layerCount - 1);
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
                            <span data-testid="z-out">${formatNumber(zXavier)}</span> (measured by
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
            layers, ${percent(hiddenDead(chapter))} of the units output 0 for the chapter’s sample;
            over a batch of ${batch.spec.batch} (He init, linear output),
            ${percent(hiddenDead(batch.stats))} are inactive on every sample.
          </li>
          ${
            zXavier !== null && zHe !== null
              ? html`<li data-testid="homogeneity">
                  He init alone does not help here. A ReLU network without biases is positively
                  homogeneous (ReLU(c·z) = c·ReLU(z) for c &gt; 0): He init multiplies each layer’s
                  weights by a positive factor, so z<sub>L</sub> is multiplied by their product,
                  ${formatNumber(expectedRatio)}; measured, z<sub>L</sub> goes from
                  ${formatNumber(zXavier)} to ${formatNumber(zHe)}, a factor of
                  ${formatNumber(zHe / zXavier)}. Its sign, and the dead output unit, stay.
                </li>`
              : nothing
          }
        </ul>
      </section>
    `;
  }

  private renderVariants(variants: readonly VariantResult[]): unknown {
    const data = variantsChart(variants);
    const chapterRun = variants.find((v) => v.variant.id === 'chapter');
    const matches =
      chapterRun !== undefined &&
      this.notebookResults !== null &&
      sameNorms(chapterRun.result.stats.gradNorm, this.notebookResults.report.tenLayer.relu);
    return html`
      <h3 id="notebook-changes">What changes</h3>
      <p>
        The ten-layer ReLU run as ordinary lab runs, fixing one flaw at a time. The first is the
        chapter’s own settings as a lab spec:
        ${
          matches
            ? html`<span class="pass" data-testid="chapter-match"
                  >its gradient norms equal the reproduction above, bit for bit</span
                >.`
            : html`<span class="fail" data-testid="chapter-match"
                  >its gradient norms differ from the reproduction above</span
                >.`
        }
      </p>
      <grad-chart
        export
        data-figure="variants"
        chart-title="Ten hidden ReLU layers: ‖δ⁽ˡ⁾‖ per layer, one change at a time"
        x-label="layer (1 = closest to input)"
        y-label="gradient norm ‖δ⁽ˡ⁾‖"
        log-y
        export-name="notebook-what-changes"
        .data=${data}
      ></grad-chart>
      ${zeroSentence(data, 'per-layer gradient norms')}
      <div class="table-wrap">
        <table data-table="variants">
          <caption>
            What changes: the ten-layer ReLU run, one change at a time
          </caption>
          <thead>
            <tr>
              <th scope="col">run</th>
              <th scope="col">init</th>
              <th scope="col">output unit</th>
              <th scope="col">batch</th>
              <th scope="col">‖δ⁽¹⁾‖</th>
              <th scope="col">‖δ⁽ᴸ⁾‖ (output)</th>
              <th scope="col">verdict</th>
            </tr>
          </thead>
          <tbody>
            ${variants.map(({ variant, result }) => {
              const norms = result.stats.gradNorm;
              const verdict = gradientVerdict(norms);
              return html`<tr data-variant=${variant.id}>
                <td>${variant.label}</td>
                <td>${result.spec.init}</td>
                <td>${result.spec.outputActivation === 'same' ? 'ReLU' : 'linear'}</td>
                <td>${result.spec.batch}</td>
                <td class="number">${formatNumber(norms[0]!)}</td>
                <td class="number">${formatNumber(norms[norms.length - 1]!)}</td>
                <td data-verdict=${verdict.kind}>${verdict.text}</td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
    `;
  }
}
