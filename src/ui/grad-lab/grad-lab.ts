import { css, html, LitElement, nothing } from 'lit';
import {
  DEFAULT_LAB_STATE,
  describeProblems,
  labStateToEntries,
  parseLabState,
  type LabState,
} from '../lab/lab-state.ts';
import { sectionStyles } from '../lab/section.styles.ts';
import { describeWebGpu } from '../../backends/webgpu/adapter.ts';
import { observe } from '../../lib/gradlab.ts';

/** The sections of the lab, in reading order: the tag, its heading, and its anchor. */
const SECTIONS = [
  {
    id: 'activations',
    tag: 'grad-activations',
    title: 'Activation functions and their derivatives',
  },
  { id: 'gradient-flow', tag: 'grad-norms', title: 'Gradient flow through depth' },
  {
    id: 'init-explorer',
    tag: 'grad-init-explorer',
    title: 'Initialization explorer (Exercise 17.5)',
  },
  {
    id: 'fixes',
    tag: 'grad-fixes',
    title: 'Fixes: residual connections, batch normalization, output unit',
  },
  {
    id: 'theory',
    tag: 'grad-theory',
    title: 'Mean-field theory: order, chaos and the phase diagram',
  },
  { id: 'training', tag: 'grad-training', title: 'Training: who learns, and how fast' },
  { id: 'notebook', tag: 'grad-notebook', title: 'The chapter, reproduced' },
  { id: 'run', tag: 'grad-run', title: 'One run, layer by layer' },
  { id: 'verify', tag: 'grad-verify', title: 'Verify: the GPU against the f64 reference' },
  { id: 'benchmark', tag: 'grad-benchmark', title: 'CPU vs GPU timings' },
] as const;

/**
 * The whole lab: the shared settings, kept in the page URL, flow down to every section as one
 * LabState; a section that changes a setting sends `grad-state-change` up with URL-style entries,
 * and the lab parses, stores and hands down the new state. One way for data to flow.
 *
 * @summary Every section of gradlab on one page, its state in the URL.
 */
export class GradLab extends LitElement {
  static override styles = [
    sectionStyles,
    css`
      section {
        margin: 2rem 0;
      }
      h2 {
        font-size: 1.25rem;
        margin: 0 0 0.5rem;
      }
      .embed {
        font-size: 0.85rem;
        margin-bottom: 0.5rem;
      }
      .embed pre {
        overflow-x: auto;
        white-space: pre-wrap;
        word-break: break-all;
        padding: 0.5rem;
        border: 1px solid var(--grad-rule, #d0d7de);
      }
      nav ul {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        padding: 0;
        list-style: none;
        font-size: 0.9rem;
      }
      a {
        color: var(--grad-accent, #0b63c5);
      }
    `,
  ];
  static override properties = {
    state: { state: true },
    urlProblems: { state: true },
    gpuStatus: { state: true },
  };

  declare state: LabState;
  declare urlProblems: string | null;
  declare gpuStatus: string;

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.urlProblems = null;
    this.gpuStatus = 'checking for WebGPU…';
  }

  protected override firstUpdated(): void {
    // Each section's code arrives as the reader approaches it (the library's loader).
    observe(this.renderRoot as ShadowRoot);
    void describeWebGpu().then((status) => (this.gpuStatus = status));
    const id = decodeURIComponent(location.hash.slice(1));
    if (id) requestAnimationFrame(() => this.scrollToSection(id));
  }

  private scrollToSection(id: string): void {
    this.renderRoot.querySelector(`#${CSS.escape(id)}`)?.scrollIntoView();
  }

  /** Section links: the sections live in this shadow root, where the browser's own # lookup fails. */
  private onNavClick(event: MouseEvent): void {
    const link = (event.target as Element).closest('a');
    if (!link) return;
    event.preventDefault();
    const id = link.getAttribute('href')!.slice(1);
    history.replaceState(null, '', `${location.search}#${id}`);
    this.scrollToSection(id);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const params = Object.fromEntries(new URLSearchParams(location.search));
    const { state, problems } = parseLabState(params);
    this.state = state;
    this.urlProblems = problems.length ? describeProblems(problems, 'URL parameter') : null;
    this.addEventListener('grad-state-change', this.onStateChange as EventListener);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('grad-state-change', this.onStateChange as EventListener);
  }

  private readonly onStateChange = (event: CustomEvent<Record<string, string>>): void => {
    event.stopPropagation();
    const current = Object.fromEntries(labStateToEntries(this.state));
    const { state, problems } = parseLabState({ ...current, ...event.detail });
    this.urlProblems = problems.length ? describeProblems(problems, 'setting') : null;
    this.state = state;
    const query = new URLSearchParams(labStateToEntries(state)).toString();
    history.replaceState(null, '', `${query ? `?${query}` : location.pathname}${location.hash}`);
  };

  /** The snippet that puts this section, as configured, into another page. */
  private renderEmbed(tag: string): unknown {
    const entries = tag === 'grad-activations' ? [] : labStateToEntries(this.state);
    const attributes = entries.map(([name, value]) => ` ${name}="${value}"`).join('');
    const snippet =
      `<script type="module" src="https://YOUR-SITE/gradlab.js"></script>\n` +
      `<${tag}${attributes}></${tag}>`;
    const frame = `embed.html?${new URLSearchParams([['widget', tag], ...entries]).toString()}`;
    return html`<details class="embed">
      <summary>Embed</summary>
      <p class="note">
        Host <code>dist/lib/gradlab.js</code> (one file, from <code>npm run build</code>) and paste:
      </p>
      <pre><code data-testid="embed-snippet">${snippet}</code></pre>
      <p class="note">
        Or, where scripts are not allowed, an iframe of <code>${frame}</code> on the lab's site.
      </p>
    </details>`;
  }

  private renderSection(id: (typeof SECTIONS)[number]['id']): unknown {
    const state = this.state;
    switch (id) {
      case 'activations':
        return html`<grad-activations></grad-activations>`;
      case 'gradient-flow':
        return html`<grad-norms .state=${state}></grad-norms>`;
      case 'init-explorer':
        return html`<grad-init-explorer .state=${state}></grad-init-explorer>`;
      case 'fixes':
        return html`<grad-fixes .state=${state}></grad-fixes>`;
      case 'theory':
        return html`<grad-theory .state=${state}></grad-theory>`;
      case 'training':
        return html`<grad-training .state=${state}></grad-training>`;
      case 'notebook':
        return html`<grad-notebook .state=${state}></grad-notebook>`;
      case 'run':
        return html`<grad-run .state=${state}></grad-run>`;
      case 'verify':
        return html`<grad-verify .state=${state}></grad-verify>`;
      case 'benchmark':
        return html`<grad-benchmark .state=${state}></grad-benchmark>`;
    }
  }

  override render(): unknown {
    return html`
      ${
        this.urlProblems
          ? html`<p class="error" role="alert" data-testid="url-problems">${this.urlProblems}</p>`
          : nothing
      }
      <p class="status" data-testid="gpu-status">${this.gpuStatus}</p>
      <section id="settings" aria-labelledby="settings-heading">
        <h2 id="settings-heading">Settings</h2>
        <p class="note">
          Every section below starts from these settings; sections that sweep depths, activations or
          inits have their own controls. Everything is kept in the page URL.
        </p>
        <grad-spec-form .spec=${this.state.spec}></grad-spec-form>
      </section>
      <nav aria-label="sections" @click=${this.onNavClick}>
        <ul>
          ${SECTIONS.map((s) => html`<li><a href="#${s.id}">${s.title}</a></li>`)}
        </ul>
      </nav>
      ${SECTIONS.map(
        (s) =>
          html`<section id=${s.id} aria-labelledby="${s.id}-heading">
            <h2 id="${s.id}-heading">${s.title}</h2>
            ${this.renderEmbed(s.tag)} ${this.renderSection(s.id)}
          </section>`,
      )}
    `;
  }
}
