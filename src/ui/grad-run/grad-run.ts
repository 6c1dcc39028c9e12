import { html, LitElement, nothing } from 'lit';
import { ACTIVATION_NAMES, ACTIVATIONS, type ActivationName } from '../../engine/activations.ts';
import type { RunProgress } from '../../engine/backend.ts';
import { INIT_NAMES } from '../../engine/inits.ts';
import { layerRecords, type RunResult } from '../../engine/results.ts';
import {
  BACKEND_NAMES,
  DEFAULT_SPEC,
  parseSpec,
  SpecError,
  specToEntries,
  type RunSpec,
} from '../../engine/spec.ts';
import { ExperimentRunner } from '../../backends/experiment-runner.ts';
import { isSoftwareAdapter, probeWebGpu } from '../../backends/webgpu/adapter.ts';
import { gradRunStyles } from './grad-run.styles.ts';

/**
 * One experiment, run off the main thread: the spec's controls, progress with cancel, and the
 * per-layer statistics. The spec lives in the page URL, so a run can be shared and reloaded.
 *
 * @summary Runs one forward + backward pass and lists per-layer statistics.
 * @event grad-run-complete - CustomEvent<RunResult>, fired when a run finishes.
 * @cssproperty --grad-fg - Text colour.
 * @cssproperty --grad-bg - Background.
 * @cssproperty --grad-error - Colour of error messages and non-finite values.
 * @csspart table - The results table.
 */
export class GradRun extends LitElement {
  static override styles = gradRunStyles;
  static override properties = {
    spec: { state: true },
    urlError: { state: true },
    progress: { state: true },
    result: { state: true },
    runError: { state: true },
    running: { state: true },
    gpuStatus: { state: true },
    fallback: { state: true },
    draftActivation: { state: true },
  };

  declare spec: RunSpec;
  declare urlError: string | null;
  declare progress: RunProgress | null;
  declare result: RunResult | null;
  declare runError: string | null;
  declare running: boolean;
  declare gpuStatus: string;
  declare fallback: string | null;
  /** The activation chosen in the form but not yet run: it decides whether α can be edited. */
  declare draftActivation: ActivationName | null;

  private readonly runner = new ExperimentRunner();
  private abort: AbortController | null = null;

  constructor() {
    super();
    this.spec = DEFAULT_SPEC;
    this.urlError = null;
    this.progress = null;
    this.result = null;
    this.runError = null;
    this.running = false;
    this.gpuStatus = 'checking for WebGPU…';
    this.fallback = null;
    this.draftActivation = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.spec = this.readUrl();
    void this.run();
    void probeWebGpu().then((probe) => {
      this.gpuStatus = probe.available
        ? `WebGPU adapter: ${probe.info.vendor || 'unknown vendor'} ${probe.info.architecture}` +
          (isSoftwareAdapter(probe.info)
            ? ' (software emulation: its timings are not GPU speed)'
            : '')
        : probe.reason;
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort();
    this.runner.dispose();
  }

  /** The spec from the URL; a bad value is reported and the defaults are used instead. */
  private readUrl(): RunSpec {
    const params = Object.fromEntries(new URLSearchParams(location.search));
    try {
      this.urlError = null;
      return parseSpec(params);
    } catch (error) {
      this.urlError =
        error instanceof SpecError
          ? `URL parameter ${error.message}; using the defaults`
          : String(error);
      return DEFAULT_SPEC;
    }
  }

  private writeUrl(spec: RunSpec): void {
    const query = new URLSearchParams(specToEntries(spec)).toString();
    history.replaceState(null, '', query ? `?${query}` : location.pathname);
  }

  /** A newly chosen activation starts from its own default α (and α is editable only if it has one). */
  private onActivationChange(event: Event): void {
    const name = (event.target as HTMLSelectElement).value as ActivationName;
    this.draftActivation = name;
    const alpha = this.renderRoot.querySelector<HTMLInputElement>('[name=alpha]');
    const fallback = ACTIVATIONS[name].defaultAlpha;
    if (alpha && fallback !== undefined) alpha.value = String(fallback);
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const input: Record<string, string> = {};
    for (const [key, value] of new FormData(form)) input[key] = String(value);
    input.residual = String(
      form.querySelector<HTMLInputElement>('[name=residual]')?.checked ?? false,
    );
    input.batchnorm = String(
      form.querySelector<HTMLInputElement>('[name=batchnorm]')?.checked ?? false,
    );
    try {
      this.spec = parseSpec(input, this.spec);
      this.runError = null;
      this.writeUrl(this.spec);
      void this.run();
    } catch (error) {
      this.runError = error instanceof Error ? error.message : String(error);
    }
  }

  private async run(): Promise<void> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.running = true;
    this.progress = null;
    try {
      const { result, fallback } = await this.runner.run(this.spec, {
        signal: abort.signal,
        onProgress: (progress) => {
          if (this.abort === abort) this.progress = progress;
        },
      });
      // A run superseded by a newer one (or cancelled) must not overwrite what the page shows.
      if (this.abort !== abort) return;
      this.result = result;
      this.fallback = fallback ?? null;
      this.runError = null;
      this.dispatchEvent(
        new CustomEvent('grad-run-complete', { detail: result, bubbles: true, composed: true }),
      );
    } catch (error) {
      if (!abort.signal.aborted) {
        if (this.abort === abort)
          this.runError = error instanceof Error ? error.message : String(error);
      } else if (this.abort === abort || this.abort === null) this.runError = 'Run cancelled.';
    } finally {
      if (this.abort === abort) {
        this.running = false;
        this.abort = null;
      }
    }
  }

  private cancel(): void {
    const abort = this.abort;
    this.abort = null;
    this.running = false;
    abort?.abort();
  }

  private renderProgress(): unknown {
    if (!this.running) return nothing;
    const p = this.progress;
    const done = p ? (p.phase === 'forward' ? p.done : p.total + p.done) : 0;
    const total = p ? 2 * p.total : 1;
    return html`<progress max=${total} value=${done} aria-label="run progress"></progress>
      <span class="status">${p ? `${p.phase} ${p.done}/${p.total}` : 'starting…'}</span>`;
  }

  private renderResult(): unknown {
    const result = this.result;
    if (!result) return nothing;
    const cell = (v: number | null) =>
      v === null
        ? html`<td class="nonfinite">non-finite</td>`
        : html`<td>${v === 0 ? '0' : v.toPrecision(4)}</td>`;
    return html`<p class="status">
        ${result.spec.activation}, ${result.spec.init} init, ${result.spec.depth} hidden layers ×
        ${result.spec.width}, batch ${result.spec.batch}; backend ${result.backend.name}
        (${result.backend.precision}${result.backend.adapter ? `, ${result.backend.adapter.vendor} ${result.backend.adapter.architecture}` : ''});
        ${result.timings.compileMs !== undefined ? `shader compile ${result.timings.compileMs.toFixed(0)} ms;` : ''}
        compute ${result.timings.computeMs.toFixed(1)} ms; loss ${result.stats.loss.toPrecision(5)}
      </p>
      <grad-chart
        chart-title="Gradient norm per layer (input side first)"
        x-label="layer"
        y-label="norm"
        log-y
        .data=${{
          x: Array.from({ length: result.stats.layerCount }, (_, l) => l + 1),
          series: [
            { label: '‖δ⁽ˡ⁾‖ = ‖∂L/∂z⁽ˡ⁾‖', values: result.stats.gradNorm },
            { label: '‖∂L/∂W⁽ˡ⁾‖', values: result.stats.weightGradNorm },
          ],
        }}
      ></grad-chart>
      <table part="table" aria-label="per-layer statistics">
        <thead>
          <tr>
            <th>layer</th>
            <th>‖δ‖</th>
            <th>‖∂L/∂W‖</th>
            <th>mean a</th>
            <th>std a</th>
            <th>dead</th>
            <th>saturated</th>
          </tr>
        </thead>
        <tbody>
          ${layerRecords(result.stats).map(
            (r) =>
              html`<tr>
                <td>${r.layer}</td>
                ${cell(r.gradNorm)}${cell(r.weightGradNorm)}${cell(r.activationMean)}${cell(r.activationStd)}${cell(r.deadFraction)}${cell(r.saturatedFraction)}
              </tr>`,
          )}
        </tbody>
      </table>`;
  }

  override render(): unknown {
    const s = this.spec;
    const option = (value: string, selected: string) =>
      html`<option ?selected=${value === selected}>${value}</option>`;
    const numberField = (name: string, label: string, value: number, min: number, max: number) =>
      html`<label
        >${label}<input
          name=${name}
          type="number"
          min=${min}
          max=${max}
          step="1"
          .value=${String(value)}
      /></label>`;
    return html`
      ${this.urlError ? html`<p class="error" role="alert">${this.urlError}</p>` : nothing}
      <form @submit=${this.onSubmit} aria-label="experiment">
        <label
          >activation<select name="activation" @change=${this.onActivationChange}>
            ${ACTIVATION_NAMES.map((n) => option(n, s.activation))}
          </select></label
        >
        <label
          >α (leaky_relu, elu)<input
            name="alpha"
            type="number"
            step="any"
            min="0"
            max="10"
            .value=${String(s.alpha)}
            ?disabled=${ACTIVATIONS[this.draftActivation ?? s.activation].defaultAlpha === undefined}
        /></label>
        <label
          >init<select name="init">
            ${INIT_NAMES.map((n) => option(n, s.init))}
          </select></label
        >
        ${numberField('depth', 'hidden layers', s.depth, 1, 1000)}
        ${numberField('width', 'width', s.width, 1, 16384)}
        ${numberField('inputs', 'inputs', s.inputs, 1, 16384)}
        ${numberField('outputs', 'outputs', s.outputs, 1, 16384)}
        ${numberField('batch', 'batch', s.batch, 1, 65536)}
        ${numberField('seed', 'seed', s.seed, 0, 4294967295)}
        <label
          >output<select name="output-activation">
            ${['linear', 'same'].map((n) => option(n, s.outputActivation))}
          </select></label
        >
        <label
          >rng<select name="rng">
            ${['philox', 'numpy'].map((n) => option(n, s.rng))}
          </select></label
        >
        <label
          >backend<select name="backend">
            ${BACKEND_NAMES.map((n) => option(n, s.backend))}
          </select></label
        >
        <label
          ><span
            ><input name="residual" type="checkbox" ?checked=${s.residual} /> residual</span
          ></label
        >
        <label
          ><span
            ><input name="batchnorm" type="checkbox" ?checked=${s.batchnorm} /> batchnorm</span
          ></label
        >
        <div class="actions">
          <button type="submit">Run</button>
          <button type="button" @click=${this.cancel} ?disabled=${!this.running}>Cancel</button>
          ${this.renderProgress()}
        </div>
      </form>
      ${this.runError ? html`<p class="error" role="alert">${this.runError}</p>` : nothing}
      <p class="status" data-testid="gpu-status">${this.gpuStatus}</p>
      ${this.fallback ? html`<p class="error" role="status" data-testid="fallback">${this.fallback}</p>` : nothing}
      ${this.renderResult()}
    `;
  }
}
