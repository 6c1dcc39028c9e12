/**
 * What makes a lab section an embeddable widget: on its own in a page (not inside <grad-lab>), it
 * takes its state from its attributes, named exactly like the URL keys and CLI flags
 * (`<grad-norms activation="relu" depths="3,10,50" batch="64">`); a changed attribute re-runs it;
 * a bad one is reported inline and that field alone falls back to its default. Its own controls
 * write the attributes they change, so the attributes stay the one source of truth. Inside
 * <grad-lab> the lab hands it `.state` instead and handles its `grad-state-change` events.
 */
import { css, html, nothing, type CSSResultGroup, type LitElement, type PropertyValues } from 'lit';
import { loadSpecForm } from '../grad-spec-form/load.ts';
import { insideLab } from './inside-lab.ts';
import {
  DEFAULT_LAB_STATE,
  describeProblems,
  parseLabState,
  STATE_ATTRIBUTES,
  type LabState,
} from './lab-state.ts';
import { CONTROLS_LEVELS, type ControlsLevel } from '../figure/controls-level.ts';

export { CONTROLS_LEVELS, STATE_ATTRIBUTES, type ControlsLevel };

type Section = LitElement & { state: LabState };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SectionClass = abstract new (...args: any[]) => Section;

/** What the mixin adds to a section's public surface. */
export interface StandaloneMembers {
  /** What the reader may change: none, compact (the default) or full. */
  readonly controls: ControlsLevel;
}

export function standalone<T extends SectionClass>(
  Base: T,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): T & (abstract new (...args: any[]) => StandaloneMembers) {
  abstract class StandaloneSection extends Base {
    static styles: CSSResultGroup = [
      (Base as unknown as { styles?: CSSResultGroup }).styles ?? [],
      // controls="none": a fixed figure; the section's own controls are hidden.
      css`
        :host([controls='none']) .controls,
        :host([controls='none']) fieldset,
        :host([controls='none']) form {
          display: none;
        }
      `,
    ];

    static get observedAttributes(): string[] {
      // Lit's getter, called on this class, so Lit finalizes it (its styles included).
      const base = (Reflect.get(Base, 'observedAttributes', this) as string[] | undefined) ?? [];
      return [...new Set([...base, ...STATE_ATTRIBUTES, 'controls'])];
    }

    /** Problems with the attributes, shown above the widget. */
    protected attributeProblems: string | null = null;
    private attributeParse = false;

    /**
     * What the reader may change: `none` (a fixed figure), `compact` (the section's own
     * controls; the default) or `full` (also every run setting).
     */
    get controls(): ControlsLevel {
      const value = this.getAttribute('controls');
      return (CONTROLS_LEVELS as readonly string[]).includes(value ?? '')
        ? (value as ControlsLevel)
        : 'compact';
    }

    override connectedCallback(): void {
      super.connectedCallback();
      this.addEventListener('grad-state-change', this.onOwnStateChange as EventListener);
      if (!insideLab(this)) this.readAttributes();
    }

    override disconnectedCallback(): void {
      super.disconnectedCallback();
      this.removeEventListener('grad-state-change', this.onOwnStateChange as EventListener);
    }

    override attributeChangedCallback(name: string, old: string | null, value: string | null) {
      super.attributeChangedCallback(name, old, value);
      if (old === value || !(STATE_ATTRIBUTES.includes(name) || name === 'controls')) return;
      // Several attributes set in a row are parsed once.
      if (this.attributeParse) return;
      this.attributeParse = true;
      queueMicrotask(() => {
        this.attributeParse = false;
        if (this.isConnected && !insideLab(this)) this.readAttributes();
      });
    }

    /** The state from this element's attributes; bad values are reported and replaced. */
    private readAttributes(): void {
      const input: Record<string, string> = {};
      for (const name of this.getAttributeNames()) {
        if (STATE_ATTRIBUTES.includes(name)) input[name] = this.getAttribute(name)!;
      }
      const problems: string[] = [];
      const controls = this.getAttribute('controls');
      if (controls !== null && !(CONTROLS_LEVELS as readonly string[]).includes(controls)) {
        problems.push(
          `attribute controls: got ${JSON.stringify(controls)}; allowed: one of ${CONTROLS_LEVELS.join(', ')}`,
        );
      }
      const parsed = parseLabState(input, DEFAULT_LAB_STATE);
      if (parsed.problems.length) problems.push(describeProblems(parsed.problems, 'attribute'));
      this.attributeProblems = problems.length ? problems.join('; ') : null;
      this.state = parsed.state;
      this.requestUpdate();
    }

    /** A standalone widget applies its own controls' changes by writing its attributes. */
    private readonly onOwnStateChange = (event: CustomEvent<Record<string, string>>): void => {
      if (insideLab(this)) return;
      event.stopPropagation();
      for (const [name, value] of Object.entries(event.detail)) this.setAttribute(name, value);
    };

    protected override willUpdate(changed: PropertyValues<this>): void {
      super.willUpdate(changed);
      this.toggleAttribute('data-standalone', !insideLab(this));
    }

    override render(): unknown {
      // The run-settings form of a section alone with controls="full" (the lab has its panel).
      const form = this.controls === 'full' && !insideLab(this);
      if (form) void loadSpecForm();
      return html`${
        this.attributeProblems
          ? html`<p class="error" role="alert" data-testid="attribute-problems">
              ${this.attributeProblems}
            </p>`
          : nothing
      }${
        form ? html`<grad-spec-form .spec=${this.state.spec}></grad-spec-form>` : nothing
      }${super.render()}`;
    }
  }
  return StandaloneSection;
}
