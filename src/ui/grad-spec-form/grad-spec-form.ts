import { css, html, LitElement, nothing } from 'lit';
import { ACTIVATIONS, type ActivationName } from '../../engine/activations.ts';
import type { InitName } from '../../engine/inits.ts';
import {
  DEFAULT_SPEC,
  parseSpec,
  SPEC_FIELDS,
  SpecError,
  type RunSpec,
} from '../../engine/spec.ts';
import { sectionStyles } from '../lab/section.styles.ts';

type Field = (typeof SPEC_FIELDS)[number];

/** Fields that apply only to some activations or inits: when they do not, they are disabled. */
function applies(field: Field, activation: ActivationName, init: InitName): boolean {
  switch (field.key) {
    case 'alpha':
      return ACTIVATIONS[activation].defaultAlpha !== undefined;
    case 'gain':
      return init === 'orthogonal';
    case 'sigmaW':
      return init === 'custom';
    default:
      return true;
  }
}

/**
 * The controls for every field of the run spec, generated from the spec's one field table
 * (SPEC_FIELDS), so a new field gets a control and the same validation as the URL and the CLI.
 * Submitting validates with parseSpec; a problem is shown at its field, named as in the URL.
 * A valid spec is sent up as `grad-state-change` (URL-style entries); this form never runs
 * anything itself.
 *
 * @summary The run settings, one control per spec field.
 * @event grad-state-change - CustomEvent<Record<string, string>>: the submitted spec's entries.
 */
export class GradSpecForm extends LitElement {
  static override styles = [
    sectionStyles,
    css`
      form {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 10rem), 1fr));
        gap: 0.5rem 1rem;
        align-items: start;
      }
      .field input[type='number'],
      .field select {
        width: 100%;
        min-width: 0;
        box-sizing: border-box;
      }
      .field {
        min-width: 0;
        display: grid;
        gap: 0.2rem;
        font-size: 0.85rem;
        align-content: start;
      }
      .inline {
        display: flex;
        align-items: center;
        gap: 0.35rem;
      }
      .help {
        font-size: 0.75rem;
        opacity: 0.8;
      }
      [aria-invalid='true'] {
        outline: 2px solid var(--grad-error, #b00020);
      }
      .actions {
        grid-column: 1 / -1;
        display: flex;
        gap: 0.5rem;
        align-items: center;
      }
    `,
  ];
  static override properties = {
    spec: { attribute: false },
    problem: { state: true },
    draftActivation: { state: true },
    draftInit: { state: true },
  };

  declare spec: RunSpec;
  declare problem: SpecError | null;
  declare draftActivation: ActivationName | null;
  declare draftInit: InitName | null;

  constructor() {
    super();
    this.spec = DEFAULT_SPEC;
    this.problem = null;
    this.draftActivation = null;
    this.draftInit = null;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('spec')) {
      this.draftActivation = null;
      this.draftInit = null;
    }
  }

  private onChange(event: Event): void {
    const target = event.target as HTMLInputElement | HTMLSelectElement;
    if (target.name === 'activation') {
      const name = target.value as ActivationName;
      this.draftActivation = name;
      // A newly chosen activation starts from its own default α.
      const alpha = this.renderRoot.querySelector<HTMLInputElement>('[name=alpha]');
      const fallback = ACTIVATIONS[name].defaultAlpha;
      if (alpha && fallback !== undefined) alpha.value = String(fallback);
    }
    if (target.name === 'init') this.draftInit = target.value as InitName;
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const input: Record<string, string> = {};
    for (const field of SPEC_FIELDS) {
      const control = form.elements.namedItem(field.name) as HTMLInputElement | null;
      if (!control) continue;
      if (control.disabled) input[field.name] = String(DEFAULT_SPEC[field.key]);
      else if (control.type === 'checkbox') input[field.name] = String(control.checked);
      else input[field.name] = control.value;
    }
    const activation = input.activation as ActivationName;
    if (ACTIVATIONS[activation].defaultAlpha === undefined) input.alpha = '0';
    try {
      const spec = parseSpec(input, DEFAULT_SPEC);
      this.problem = null;
      this.dispatchEvent(
        new CustomEvent('grad-state-change', {
          // Every field, defaults included, so the lab's state becomes exactly this spec.
          detail: Object.fromEntries(SPEC_FIELDS.map((f) => [f.name, String(spec[f.key])])),
          bubbles: true,
          composed: true,
        }),
      );
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      this.problem = error;
      this.updateComplete.then(() =>
        this.renderRoot.querySelector<HTMLElement>(`[name="${error.field}"]`)?.focus(),
      );
    }
  }

  private control(field: Field): unknown {
    const spec = this.spec;
    const activation = this.draftActivation ?? spec.activation;
    const init = this.draftInit ?? spec.init;
    const value = spec[field.key];
    const invalid = this.problem?.field === field.name;
    const describedBy = `${field.name}-help`;
    const help = html`<span class="help" id=${describedBy}>${field.help}</span>`;
    const disabled = !applies(field, activation, init);
    const rule = field.rule;
    const id = `field-${field.name}`;
    const label = html`<label for=${id}>${field.name}</label>`;
    const invalidAttr = invalid ? 'true' : 'false';
    switch (rule.kind) {
      case 'choice':
        return html`<div class="field">
          ${label}
          <select
            id=${id}
            name=${field.name}
            aria-describedby=${describedBy}
            aria-invalid=${invalidAttr}
          >
            ${rule.choices.map((c) => html`<option ?selected=${c === value}>${c}</option>`)}
          </select>
          ${help}
        </div>`;
      case 'boolean':
        return html`<div class="field">
          <span class="inline">
            <input
              id=${id}
              type="checkbox"
              name=${field.name}
              .checked=${Boolean(value)}
              aria-describedby=${describedBy}
            />
            ${label}
          </span>
          ${help}
        </div>`;
      case 'integer':
      case 'number':
        return html`<div class="field">
          ${label}
          <input
            id=${id}
            name=${field.name}
            type="number"
            inputmode=${rule.kind === 'integer' ? 'numeric' : 'decimal'}
            min=${rule.min}
            max=${rule.max}
            step=${rule.kind === 'integer' ? '1' : 'any'}
            .value=${String(value)}
            ?disabled=${disabled}
            aria-describedby=${describedBy}
            aria-invalid=${invalidAttr}
          />
          ${help}
        </div>`;
    }
  }

  override render(): unknown {
    return html`<form
      novalidate
      @submit=${this.onSubmit}
      @change=${this.onChange}
      aria-label="run settings"
    >
      ${SPEC_FIELDS.map((field) => this.control(field))}
      <div class="actions">
        <button type="submit">Apply and run</button>
        ${
          this.problem
            ? html`<p class="error" role="alert" data-testid="spec-problem">
                ${this.problem.message}
              </p>`
            : nothing
        }
      </div>
    </form>`;
  }
}
