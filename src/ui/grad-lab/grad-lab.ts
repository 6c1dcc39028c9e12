import { css, html, LitElement, nothing } from 'lit';
import { ELEMENTS, type ElementTag } from '../../lib/registry.ts';
import { token } from '../design/tokens.ts';
import { loadSpecForm } from '../grad-spec-form/load.ts';
import {
  DEFAULT_LAB_STATE,
  describeProblems,
  labStateToEntries,
  parseLabState,
  type LabState,
} from '../lab/lab-state.ts';
import { sectionStyles } from '../lab/section.styles.ts';

/** The sections of the lab's content: the lab hands each its state. */
const SECTION_SELECTOR = Object.entries(ELEMENTS)
  .filter(([tag, entry]) => entry.shape === 'section' && tag !== 'grad-lab')
  .map(([tag]) => tag)
  .join(',');

/** Two state changes closer than this are one step of history (a slider's drag, a typed list). */
const HISTORY_MERGE_MS = 800;

/**
 * The lab: the page's content (parts of prose, sections and figures, in the chapter's order) is
 * this element's own, and the lab owns its state. The state lives in the URL: the lab parses it
 * (a bad value is reported by name and replaced by its default), hands it to every section,
 * applies what sections, figures, the settings panel and the "try this" buttons change, and
 * records each change as a step of history, so Back and Forward restore it. It also keeps the
 * table of contents on the part being read, opens deep links (`#part` or `#part/figure`) once
 * the sections above have arrived, and holds the settings panel: a side panel on wide screens,
 * a bottom sheet on phones, one click away from anywhere.
 *
 * @summary The whole lab: the chapter's parts, their figures, and the settings, in the URL.
 * @event grad-state-change - Handled here: URL-style entries from any section or figure.
 * @event grad-open-settings - Handled here: `detail.field` names the setting to open at.
 */
export class GradLab extends LitElement {
  static override styles = [
    sectionStyles,
    css`
      :host {
        display: block;
      }
      .problems {
        margin: 0 0 ${token('space-4')};
      }
      .panel {
        position: fixed;
        z-index: 20;
        background: ${token('surface-raised')};
        color: ${token('fg')};
        box-shadow: ${token('shadow')};
        overflow: auto;
        padding: ${token('space-4')};
        box-sizing: border-box;
        /* A bottom sheet on phones. */
        inset: auto 0 0 0;
        max-height: 85vh;
        border-radius: ${token('radius-lg')} ${token('radius-lg')} 0 0;
        border-top: 1px solid ${token('rule')};
      }
      @media (min-width: 62rem) {
        /* A side panel on wide screens, below the page's header. */
        .panel {
          inset: 3.25rem 0 0 auto;
          width: min(26rem, 40vw);
          max-height: none;
          border-radius: 0;
          border-top: 0;
          border-left: 1px solid ${token('rule')};
        }
      }
      .panel[hidden] {
        display: none;
      }
      .panel header {
        display: flex;
        justify-content: space-between;
        align-items: center;
        gap: ${token('space-2')};
        margin-bottom: ${token('space-3')};
      }
      .panel h2 {
        font-size: ${token('text-lg')};
        margin: 0;
      }
      .panel details.export {
        margin-top: ${token('space-4')};
        border-top: 1px solid ${token('rule')};
        padding-top: ${token('space-3')};
      }
      .panel details.export summary {
        font-weight: 700;
        cursor: pointer;
        min-height: 1.5rem;
      }
      .panel .actions {
        display: flex;
        flex-wrap: wrap;
        gap: ${token('space-2')};
        margin-top: ${token('space-4')};
      }
      .status {
        color: ${token('muted')};
      }
    `,
  ];
  static override properties = {
    state: { state: true },
    urlProblems: { state: true },
    gpuStatus: { state: true },
    settingsOpen: { state: true },
  };

  declare state: LabState;
  declare urlProblems: string | null;
  declare gpuStatus: string;
  declare settingsOpen: boolean;

  /** When the last step of history was pushed (later changes within a moment replace it). */
  private lastPush = 0;
  private partObserver: IntersectionObserver | null = null;
  /** The element that opened the settings, focused again when they close. */
  private opener: HTMLElement | null = null;

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.urlProblems = null;
    this.gpuStatus = '';
    this.settingsOpen = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.readUrl();
    this.addEventListener('grad-state-change', this.onStateChange as EventListener);
    this.addEventListener('grad-open-settings', this.onOpenSettings as EventListener);
    this.addEventListener('click', this.onTry);
    document.addEventListener('click', this.onOpenButton);
    document.addEventListener('keydown', this.onKey);
    window.addEventListener('popstate', this.onPopState);
    window.addEventListener('hashchange', this.onHashChange);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('grad-state-change', this.onStateChange as EventListener);
    this.removeEventListener('grad-open-settings', this.onOpenSettings as EventListener);
    this.removeEventListener('click', this.onTry);
    document.removeEventListener('click', this.onOpenButton);
    document.removeEventListener('keydown', this.onKey);
    window.removeEventListener('popstate', this.onPopState);
    window.removeEventListener('hashchange', this.onHashChange);
    this.partObserver?.disconnect();
    this.partObserver = null;
  }

  protected override firstUpdated(): void {
    this.handDown();
    this.trackParts();
    void this.openDeepLink();
    // Which WebGPU this page has, said once it is known (imported on demand).
    void import('../../backends/webgpu/adapter.ts')
      .then(({ describeWebGpu }) => describeWebGpu())
      .then((status) => (this.gpuStatus = status));
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('state')) this.handDown();
  }

  /** The state from the page's URL; bad values are named and replaced by their defaults. */
  private readUrl(): void {
    const params = Object.fromEntries(new URLSearchParams(location.search));
    const { state, problems } = parseLabState(params);
    this.state = state;
    this.urlProblems = problems.length ? describeProblems(problems, 'URL parameter') : null;
  }

  /** Gives every section of the content the lab's state (they redraw what it changes). */
  private handDown(): void {
    for (const section of this.querySelectorAll(SECTION_SELECTOR)) {
      (section as Element & { state: LabState }).state = this.state;
    }
  }

  /** Applies URL-style entries over the current state and records the change in history. */
  private apply(entries: Record<string, string>): void {
    const current = Object.fromEntries(labStateToEntries(this.state));
    const { state, problems } = parseLabState({ ...current, ...entries });
    this.urlProblems = problems.length ? describeProblems(problems, 'setting') : null;
    if (JSON.stringify(state) === JSON.stringify(this.state)) return;
    this.state = state;
    const query = new URLSearchParams(labStateToEntries(state)).toString();
    const url = `${query ? `?${query}` : location.pathname}${location.hash}`;
    const now = performance.now();
    if (now - this.lastPush < HISTORY_MERGE_MS) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    this.lastPush = now;
  }

  private readonly onStateChange = (event: CustomEvent<Record<string, string>>): void => {
    event.stopPropagation();
    this.apply(event.detail);
  };

  private readonly onPopState = (): void => {
    this.readUrl();
    this.lastPush = 0;
  };

  /** "Try this" buttons: `data-try="init=he&activation=relu"` applies those settings. */
  private readonly onTry = (event: Event): void => {
    const button = (event.target as Element).closest<HTMLElement>('[data-try]');
    if (!button || !this.contains(button)) return;
    this.lastPush = 0;
    this.apply(Object.fromEntries(new URLSearchParams(button.dataset.try)));
  };

  private readonly onOpenButton = (event: Event): void => {
    const button = (event.target as Element).closest<HTMLElement>('[data-open-settings]');
    if (button) this.openSettings(button);
  };

  private readonly onOpenSettings = (event: CustomEvent<{ field?: string }>): void => {
    event.stopPropagation();
    this.openSettings(event.composedPath()[0] as HTMLElement, event.detail.field);
  };

  private readonly onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.settingsOpen) this.closeSettings();
  };

  /** Opens the settings panel, at `field` where one is named. */
  openSettings(opener?: HTMLElement, field?: string): void {
    this.opener = opener ?? null;
    this.settingsOpen = true;
    // The form's and the exporter's code arrive with the panel, not with the page.
    const formLoaded = loadSpecForm();
    void ELEMENTS['grad-export-pytorch'].load();
    for (const button of document.querySelectorAll('[data-open-settings]')) {
      button.setAttribute('aria-expanded', 'true');
    }
    void Promise.all([this.updateComplete, formLoaded]).then(async () => {
      const form = this.renderRoot.querySelector('grad-spec-form') as
        (HTMLElement & { focusField(name?: string): Promise<void> }) | null;
      await form?.focusField(field);
    });
  }

  closeSettings(): void {
    this.settingsOpen = false;
    for (const button of document.querySelectorAll('[data-open-settings]')) {
      button.setAttribute('aria-expanded', 'false');
    }
    this.opener?.focus();
    this.opener = null;
  }

  /** Marks the table of contents' link of the part being read (aria-current). */
  private trackParts(): void {
    const parts = [...this.querySelectorAll<HTMLElement>('section.part[id]')];
    if (parts.length === 0 || typeof IntersectionObserver === 'undefined') return;
    const visible = new Set<string>();
    const mark = (): void => {
      const current = parts.find((part) => visible.has(part.id))?.id ?? null;
      for (const link of document.querySelectorAll<HTMLAnchorElement>('nav.toc a[href^="#"]')) {
        if (link.getAttribute('href') === `#${current}`) link.setAttribute('aria-current', 'true');
        else link.removeAttribute('aria-current');
      }
    };
    // A part counts as read while it crosses the band a third of the way down the window.
    this.partObserver = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (entry.isIntersecting) visible.add(entry.target.id);
          else visible.delete(entry.target.id);
        }
        mark();
      },
      { rootMargin: '-30% 0px -65% 0px' },
    );
    for (const part of parts) this.partObserver.observe(part);
  }

  private readonly onHashChange = (): void => void this.openDeepLink();

  /**
   * Scrolls to `#part` or `#part/figure` (a figure by its data-link in that part's section). The
   * sections up to the target load first, so the target stays where it is once they arrive.
   */
  private async openDeepLink(): Promise<void> {
    const [partId, figureLink] = decodeURIComponent(location.hash.slice(1)).split('/');
    if (!partId) return;
    const part = this.querySelector<HTMLElement>(`#${CSS.escape(partId)}`);
    if (!part) return;
    const sections = [...this.querySelectorAll(SECTION_SELECTOR)].filter(
      (section) => section === part || part.contains(section) || precedes(section, part),
    );
    await Promise.all(sections.map((section) => ELEMENTS[section.localName as ElementTag]?.load()));
    await Promise.all(sections.map((section) => (section as Partial<LitElement>).updateComplete));
    const target = figureLink ? findLinked(part, figureLink) : part;
    (target ?? part).scrollIntoView({ block: 'start' });
  }

  private renderPanel(): unknown {
    return html`<aside
      id="settings"
      class="panel"
      role="dialog"
      aria-modal="false"
      aria-labelledby="settings-heading"
      ?hidden=${!this.settingsOpen}
    >
      <header>
        <h2 id="settings-heading">Settings</h2>
        <button type="button" @click=${() => this.closeSettings()}>Close</button>
      </header>
      <p class="note">
        Every figure starts from these settings; figures that sweep depths, activations or inits
        have their own controls. Everything is kept in the page's URL.
      </p>
      ${
        this.settingsOpen
          ? html`<grad-spec-form .spec=${this.state.spec}></grad-spec-form>
              <details class="export">
                <summary>Export as PyTorch</summary>
                <grad-export-pytorch .spec=${this.state.spec}></grad-export-pytorch>
              </details>`
          : nothing
      }
      <div class="actions">
        <button type="button" data-testid="reset-settings" @click=${() => this.reset()}>
          Back to the defaults
        </button>
      </div>
      <p class="status" data-testid="gpu-status">${this.gpuStatus}</p>
    </aside>`;
  }

  /** Every setting back to its default (one step of history). */
  private reset(): void {
    if (JSON.stringify(this.state) === JSON.stringify(DEFAULT_LAB_STATE)) return;
    this.state = DEFAULT_LAB_STATE;
    this.urlProblems = null;
    history.pushState(null, '', `${location.pathname}${location.hash}`);
    this.lastPush = performance.now();
  }

  override render(): unknown {
    return html`${
        this.urlProblems
          ? html`<p class="error problems" role="alert" data-testid="url-problems">
              ${this.urlProblems}
            </p>`
          : nothing
      }<slot></slot>${this.renderPanel()}`;
  }
}

/** Whether `a` comes before `b` in the document. */
function precedes(a: Node, b: Node): boolean {
  return Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
}

/**
 * The figure `link` names inside `root` or the shadow roots beneath it: the element whose
 * data-link it is, else the first of that tag.
 */
function findLinked(root: ParentNode, link: string): HTMLElement | null {
  const selector = /^grad-[a-z-]+$/.test(link)
    ? `[data-link="${link}"], ${link}:not([data-link])`
    : `[data-link="${CSS.escape(link)}"]`;
  const direct = root.querySelector<HTMLElement>(selector);
  if (direct) return direct;
  for (const element of root.querySelectorAll('*')) {
    const found = element.shadowRoot ? findLinked(element.shadowRoot, link) : null;
    if (found) return found;
  }
  return null;
}
