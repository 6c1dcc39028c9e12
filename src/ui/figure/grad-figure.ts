/**
 * What every figure element shares. A figure is one chart (or one table) that works alone in any
 * page: its state comes from attributes named like the URL keys and CLI flags, plus its own
 * options (figure-options.ts); a changed attribute redraws it; a bad one is reported inline,
 * naming it, and that field alone falls back to its default. Inside a section or the lab, the
 * parent hands it `.state` instead, and its controls' changes go up as `grad-state-change`.
 *
 * `controls` says what the reader may change: `none` is the figure alone (chart, axis titles,
 * legend, a one-line caption), `compact` adds the figure's own controls, `full` adds every run
 * setting. `export` adds CSV, JSON and PNG buttons and an Embed action. The caption is the
 * `caption` attribute, else the element's text, else the figure's own. A chart figure's box is
 * reserved at its width ÷ `aspect` before it draws, so nothing below it moves.
 *
 * Figures that compute runs extend RunFigure (run-figure.ts); those that only draw (an activation
 * plot) extend this class and never load the run machinery.
 */
import {
  adoptStyles,
  css,
  html,
  LitElement,
  nothing,
  supportsAdoptingStyleSheets,
  type CSSResult,
  type CSSResultGroup,
  type PropertyValues,
} from 'lit';
import { describeProblems, SpecError } from '../../engine/spec-rules.ts';
import { insideLab } from '../lab/inside-lab.ts';
import { sectionStyles } from '../lab/section.styles.ts';
import { token } from '../design/tokens.ts';
import { CONTROLS_LEVELS, type ControlsLevel } from './controls-level.ts';
import type { StateReader } from './state-reader.ts';
import { ASPECT, readOption, type OptionRule } from './figure-options.ts';
import { readySlot } from './ready-queue.ts';
import { figureControls, loadFigureControls, type FigureControls } from './figure-controls.ts';
import type { ChartData } from '../grad-chart/chart-data.ts';

/** Attributes every figure reads beside the state and its own options. */
export const FIGURE_ATTRIBUTES = ['controls', 'export', 'aspect', 'caption'] as const;

type FigureEmbed = typeof import('./figure-embed.ts');
/** The Embed panel's code, once some figure's reader has opened it. */
let embedModule: FigureEmbed | null = null;

export const figureStyles = css`
  :host {
    display: block;
    min-width: 0;
  }
  /* The box a chart figure will take, held until it draws (the loader holds it before that). */
  :host([data-pending-chart]) {
    aspect-ratio: var(--grad-aspect, 1.6);
    min-height: 15rem;
    width: 100%;
  }
  .embed-panel {
    position: absolute;
    inset: 0;
    z-index: 2;
    overflow: auto;
    padding: 0.75rem;
    background: ${token('surface')};
    border: 1px solid ${token('rule')};
    border-radius: 6px;
    font-size: 0.85rem;
  }
  .embed-panel pre {
    white-space: pre-wrap;
    word-break: break-all;
    margin: 0.5rem 0;
  }
  .table-figure {
    position: relative;
  }
  .chips {
    display: flex;
    flex-wrap: wrap;
    gap: ${token('space-1')};
    margin: 0 0 ${token('space-2')};
  }
  .chips button {
    font-size: ${token('text-xs')};
    font-weight: 600;
    min-height: 1.75rem;
    padding: 0.15rem 0.6rem;
    border-radius: 999px;
    background: ${token('accent-soft')};
    border-color: transparent;
    color: ${token('accent')};
  }
  .chart-figure {
    position: relative;
  }
  .toolbar-row {
    display: flex;
    justify-content: flex-end;
    gap: 0.25rem;
  }
  .toolbar-row button,
  grad-chart button {
    font-size: 0.75rem;
    padding: 0.1rem 0.5rem;
  }
`;

export abstract class GradFigure<S> extends LitElement {
  static override styles: CSSResultGroup = [sectionStyles, figureStyles];
  static override properties = {
    embedOpen: { state: true },
  };

  /** The figure's own attributes (beyond the state), with their allowed values. */
  static optionRules: readonly OptionRule<unknown>[] = [];
  /** How the figure reads its state from attributes; every concrete figure names one. */
  static stateReader: StateReader<unknown>;
  /**
   * A chart's box is reserved before its first drawing (width ÷ aspect); a table's height is
   * its rows'.
   */
  static shape: 'chart' | 'table' = 'chart';

  static override get observedAttributes(): string[] {
    const base =
      (Reflect.get(LitElement, 'observedAttributes', this) as string[] | undefined) ?? [];
    const figure = this as unknown as typeof GradFigure;
    const own = figure.optionRules.map((rule) => rule.attribute);
    const state = figure.stateReader.attributes;
    return [...new Set([...base, ...state, ...FIGURE_ATTRIBUTES, ...own])];
  }

  declare embedOpen: boolean;

  /** Problems with the attributes, shown above the figure. */
  protected attributeProblems: string | null = null;

  private figureState: S;
  /** True once a parent has handed the state down: attributes then no longer set it. */
  protected managed = false;
  private reparseQueued = false;
  private lastPlanKey: string | null = null;
  private textObserver: MutationObserver | null = null;

  constructor() {
    super();
    this.embedOpen = false;
    this.figureState = this.reader.defaults;
  }

  private get reader(): StateReader<S> {
    return (this.constructor as typeof GradFigure).stateReader as StateReader<S>;
  }

  /** The state the figure draws: from its attributes, or from its parent. */
  get state(): S {
    return this.figureState;
  }

  set state(value: S) {
    this.managed = true;
    this.setState(value);
  }

  private setState(value: S): void {
    const old = this.figureState;
    this.figureState = value;
    this.requestUpdate('state', old);
  }

  /** What the reader may change (see the class comment); `compact` when unset or bad. */
  get controls(): ControlsLevel {
    const value = this.getAttribute('controls');
    return (CONTROLS_LEVELS as readonly string[]).includes(value ?? '')
      ? (value as ControlsLevel)
      : 'compact';
  }

  /** Width ÷ height of the figure's box. */
  get aspect(): number {
    return readOption(ASPECT, this.getAttribute('aspect')).value;
  }

  /** The one-line caption: the attribute, else the element's text, else the figure's own. */
  get caption(): string {
    return (
      this.getAttribute('caption') ??
      (this.textContent?.trim() || this.defaultCaption())
    ).trim();
  }

  /** One of the figure's own options, its default where the attribute is absent or bad. */
  protected option<T>(rule: OptionRule<T>): T {
    return readOption(rule, this.getAttribute(rule.attribute)).value;
  }

  /** The caption the figure gives itself, from what it draws. */
  protected abstract defaultCaption(): string;

  /** The figure itself: usually this.chart(…), or a table. */
  protected abstract renderFigure(): unknown;

  /** Problems between the figure's own options (each valid alone), e.g. x-min ≥ x-max. */
  protected optionRelationProblems(): SpecError[] {
    return [];
  }

  /** Every run setting, shown with `controls` full on a figure on its own (RunFigure). */
  protected renderSettings(): unknown {
    return nothing;
  }

  /**
   * In the lab: the settings this figure draws with that differ from the defaults, as chips that
   * open the settings panel at that field (RunFigure).
   */
  protected renderChips(): unknown {
    return nothing;
  }

  /**
   * The figure's own controls, shown with `controls` compact or full, written with `ui` (the
   * templates of controls.ts, whose styles the figure has adopted by then).
   */
  protected renderControls(_ui: FigureControls): unknown {
    return nothing;
  }

  /**
   * What the figure must compute for its state and options; called whenever planKey() changes.
   * Run-based figures return their runs (ensureRuns does the rest); others compute here.
   */
  protected plan(): void {}

  /** What the figure's computation depends on; plan() runs again when it changes. */
  protected planKey(): string {
    return JSON.stringify(this.state);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Until it has drawn (figures are readied one per frame), a chart keeps its box.
    if (!this.hasUpdated && (this.constructor as typeof GradFigure).shape === 'chart') {
      this.toggleAttribute('data-pending-chart', true);
      const aspect = this.aspect;
      if (aspect !== ASPECT.fallback) this.style.setProperty('--grad-aspect', String(aspect));
    }
    this.addEventListener('grad-state-change', this.onOwnStateChange as EventListener);
    if (!this.managed) this.readAttributes();
    this.textObserver = new MutationObserver(() => this.requestUpdate());
    this.textObserver.observe(this, { childList: true, characterData: true, subtree: true });
    // Disconnecting cancelled any task in progress: plan again, so what is missing gets run.
    if (this.hasUpdated) {
      this.lastPlanKey = null;
      this.requestUpdate();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('grad-state-change', this.onOwnStateChange as EventListener);
    this.textObserver?.disconnect();
    this.textObserver = null;
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (old === value) return;
    // Several attributes set in a row are read once.
    if (this.reparseQueued) return;
    this.reparseQueued = true;
    queueMicrotask(() => {
      this.reparseQueued = false;
      if (!this.isConnected) return;
      if (!this.managed) this.readAttributes();
      else this.collectOptionProblems([]);
    });
  }

  /** The state from this element's attributes; bad values are reported and replaced. */
  private readAttributes(): void {
    const input: Record<string, string> = {};
    for (const name of this.getAttributeNames()) {
      if (this.reader.attributes.includes(name)) input[name] = this.getAttribute(name)!;
    }
    const parsed = this.reader.read(input);
    this.collectOptionProblems(parsed.problems);
    this.setState(parsed.state);
  }

  /** Reports bad state values (given) and bad figure options, in one message. */
  private collectOptionProblems(stateProblems: readonly SpecError[]): void {
    const problems = [...stateProblems];
    const controls = this.getAttribute('controls');
    if (controls !== null && !(CONTROLS_LEVELS as readonly string[]).includes(controls)) {
      problems.push(
        new SpecError(
          'controls',
          `got ${JSON.stringify(controls)}; allowed: one of ${CONTROLS_LEVELS.join(', ')}`,
        ),
      );
    }
    const rules = [ASPECT, ...(this.constructor as typeof GradFigure).optionRules];
    for (const rule of rules) {
      const { problem } = readOption(rule, this.getAttribute(rule.attribute));
      if (problem) problems.push(problem);
    }
    problems.push(...this.optionRelationProblems());
    this.attributeProblems = problems.length ? describeProblems(problems, 'attribute') : null;
    this.requestUpdate();
  }

  /** A standalone figure applies its own controls' changes by writing its attributes. */
  private readonly onOwnStateChange = (event: CustomEvent<Record<string, string>>): void => {
    if (this.managed) return;
    event.stopPropagation();
    for (const [name, value] of Object.entries(event.detail)) this.setAttribute(name, value);
  };

  /** Sends changed state entries up (URL-style: `{ depths: '3,10' }`). */
  protected changeState(entries: Record<string, string>): void {
    this.dispatchEvent(
      new CustomEvent('grad-state-change', { detail: entries, bubbles: true, composed: true }),
    );
  }

  protected override firstUpdated(changed: PropertyValues<this>): void {
    super.firstUpdated(changed);
    this.removeAttribute('data-pending-chart');
  }

  /**
   * A figure's first drawing waits its turn (ready-queue.ts): one figure per frame, nearest first;
   * then for what it must prepare.
   */
  protected override async scheduleUpdate(): Promise<unknown> {
    if (!this.hasUpdated) {
      await readySlot(this);
      await this.prepare();
    }
    return super.scheduleUpdate();
  }

  /**
   * Work the first drawing needs, done before it in tasks of its own (what a table computes on the
   * page, say: nextTask between its parts). The default has none.
   */
  protected prepare(): Promise<void> | void {}

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const key = this.planKey();
    if (key === this.lastPlanKey) return;
    this.lastPlanKey = key;
    this.plan();
  }

  /** The attributes of the figure's current view, as a page would write them (its Embed). */
  embedAttributes(): [string, string][] {
    const figure = this.constructor as typeof GradFigure;
    const entries: [string, string][] = this.reader.entries(this.state);
    for (const rule of [...figure.optionRules, ASPECT]) {
      const raw = this.getAttribute(rule.attribute);
      if (raw !== null && readOption(rule, raw).problem === undefined) {
        entries.push([rule.attribute, raw]);
      }
    }
    const caption = this.getAttribute('caption');
    if (caption) entries.push(['caption', caption]);
    return entries;
  }

  /** The Embed panel, open: its code (figure-embed.ts) is imported on the first click. */
  private renderEmbed(): unknown {
    if (!this.embedOpen) return nothing;
    if (!embedModule) {
      void import('./figure-embed.ts').then((module) => {
        embedModule = module;
        this.requestUpdate();
      });
      return nothing;
    }
    return embedModule.embedPanel(this, () => (this.embedOpen = false));
  }

  /** The Embed button, beside the export buttons. */
  protected embedButton(slot?: string): unknown {
    return html`<button
      type="button"
      slot=${slot ?? nothing}
      aria-expanded=${this.embedOpen ? 'true' : 'false'}
      @click=${() => (this.embedOpen = !this.embedOpen)}
    >
      Embed
    </button>`;
  }

  /** What the figure shows over its chart while it computes (RunFigure: progress, errors). */
  protected runStatus(): unknown {
    return nothing;
  }

  /**
   * The figure's chart: the one chart wrapper, framed at the figure's aspect, with its caption,
   * the export and Embed actions where `export` is set, and the run status over the plot.
   */
  protected chart(config: ChartConfig): unknown {
    const exportable = this.hasAttribute('export');
    return html`<div class="chart-figure">
      <grad-chart
        data-chart=${config.name}
        export-name=${config.exportName ?? config.name}
        chart-title=${this.caption}
        x-label=${config.xLabel}
        y-label=${config.yLabel}
        ?log-y=${config.logY ?? false}
        ?log-x=${config.logX ?? false}
        kind=${config.kind ?? 'line'}
        .yMin=${config.yMin}
        .yMax=${config.yMax}
        .aspect=${this.aspect}
        ?export=${exportable}
        .data=${config.data}
      >
        ${exportable ? this.embedButton('actions') : nothing}
        <div slot="status">${this.runStatus()}</div>
      </grad-chart>
      ${this.renderEmbed()}
    </div>`;
  }

  /** A table figure: its caption, the Embed action where `export` is set, and its run status. */
  protected tableFrame(table: unknown): unknown {
    const exportable = this.hasAttribute('export');
    return html`<div class="table-figure">
      ${exportable ? html`<div class="toolbar-row">${this.embedButton()}</div>` : nothing}
      ${this.runStatus()} ${table} ${this.renderEmbed()}
    </div>`;
  }

  /**
   * The controls' templates, with their styles adopted into this figure's shadow root; null
   * until they have arrived (this figure is drawn again then).
   */
  private controlsUi(): FigureControls | null {
    const ui = figureControls();
    if (!ui) {
      void loadFigureControls().then(() => this.requestUpdate());
      return null;
    }
    if (!this.controlStylesAdopted) {
      this.controlStylesAdopted = true;
      adoptControlStyles(this.renderRoot as ShadowRoot, ui.controlStyles);
    }
    return ui;
  }

  private controlStylesAdopted = false;

  override render(): unknown {
    const figure = this.renderFigure();
    const ui = this.controls === 'none' ? null : this.controlsUi();
    return html`${
      this.attributeProblems
        ? html`<p class="error" role="alert" data-testid="attribute-problems">
            ${this.attributeProblems}
          </p>`
        : nothing
    }${ui && this.controls === 'full' && !this.managed ? this.renderSettings() : nothing}${
      ui ? html`<div class="controls">${this.renderControls(ui)}</div>` : nothing
    }${this.managed && insideLab(this) ? this.renderChips() : nothing}${figure}`;
  }
}

/** Adds a figure's control styles to the styles its shadow root already has. */
function adoptControlStyles(root: ShadowRoot, styles: CSSResult): void {
  if (supportsAdoptingStyleSheets && styles.styleSheet) {
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, styles.styleSheet];
  } else adoptStyles(root, [styles]);
}

export interface ChartConfig {
  /** Identifies the chart (data-chart) and names its exports. */
  readonly name: string;
  readonly exportName?: string;
  readonly data: ChartData | null;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly logY?: boolean;
  readonly logX?: boolean;
  readonly kind?: 'line' | 'bars';
  readonly yMin?: number;
  readonly yMax?: number;
}
