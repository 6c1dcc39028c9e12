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
import { token } from '../design/tokens.ts';
import { controlStyles, segmented } from '../figure/controls.ts';
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
    controlStyles,
    css`
      form {
        display: grid;
        gap: ${token('space-4')};
      }
      fieldset.group {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 10.5rem), 1fr));
        gap: ${token('space-3')} ${token('space-4')};
        align-items: start;
        border: 0;
        border-top: 1px solid ${token('rule')};
        padding: ${token('space-3')} 0 0;
        margin: 0;
      }
      fieldset.group > legend {
        font-weight: 700;
        font-size: ${token('text-sm')};
        padding: 0 ${token('space-2')} 0 0;
      }
      .field {
        min-width: 0;
        display: grid;
        gap: ${token('space-1')};
        font-size: ${token('text-sm')};
        align-content: start;
      }
      .field > label {
        font-weight: 600;
      }
      .field select,
      .field input[type='number'] {
        width: 100%;
        min-width: 0;
      }
      .stepper {
        display: grid;
        grid-template-columns: 2.25rem minmax(0, 1fr) 2.25rem;
      }
      .stepper input {
        text-align: center;
        border-radius: 0;
        -moz-appearance: textfield;
      }
      .stepper input::-webkit-inner-spin-button {
        display: none;
      }
      .stepper button {
        padding: 0;
        font-size: ${token('text-md')};
      }
      .stepper button:first-child {
        border-radius: ${token('radius')} 0 0 ${token('radius')};
      }
      .stepper button:last-child {
        border-radius: 0 ${token('radius')} ${token('radius')} 0;
      }
      /* A switch: a checkbox drawn as a toggle. */
      .switch {
        display: inline-flex;
        align-items: center;
        gap: ${token('space-2')};
        font-weight: 600;
        cursor: pointer;
      }
      .switch input {
        appearance: none;
        width: 2.5rem;
        height: 1.4rem;
        min-height: 0;
        padding: 0;
        border-radius: 999px;
        background: ${token('rule')};
        position: relative;
        cursor: pointer;
        transition: background 0.15s;
        margin: 0;
      }
      .switch input::after {
        content: '';
        position: absolute;
        top: 0.15rem;
        left: 0.15rem;
        width: 1.1rem;
        height: 1.1rem;
        border-radius: 50%;
        background: ${token('surface-raised')};
        transition: transform 0.15s;
      }
      .switch input:checked {
        background: ${token('accent')};
      }
      .switch input:checked::after {
        transform: translateX(1.1rem);
      }
      .help {
        font-size: ${token('text-xs')};
        color: ${token('muted')};
      }
      [aria-invalid='true'] {
        outline: 2px solid ${token('error')};
      }
      .actions {
        display: flex;
        gap: ${token('space-2')};
        align-items: center;
        flex-wrap: wrap;
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
    // Disabled controls (a field that does not apply) are not in the form's data: their defaults.
    const data = new FormData(form);
    const input: Record<string, string> = {};
    for (const field of SPEC_FIELDS) {
      const value = data.get(field.name);
      if (field.rule.kind === 'boolean') input[field.name] = String(value !== null);
      else input[field.name] = value === null ? String(DEFAULT_SPEC[field.key]) : String(value);
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

  /**
   * Focuses the control of the setting `name` (the first control when none is named) once the
   * form is drawn: a figure's chip opens the settings at the setting it names.
   */
  async focusField(name?: string): Promise<void> {
    await this.updateComplete;
    const selector = name ? `[name="${CSS.escape(name)}"]` : 'select, input';
    const control = this.renderRoot.querySelector<HTMLElement>(selector);
    control?.focus();
    control?.scrollIntoView({ block: 'nearest' });
  }

  /** Steps a number field by its step, within its limits (the stepper's − and + buttons). */
  private step(name: string, direction: 1 | -1): void {
    const input = this.renderRoot.querySelector<HTMLInputElement>(`input[name="${name}"]`);
    if (!input || input.disabled) return;
    if (direction > 0) input.stepUp();
    else input.stepDown();
    input.dispatchEvent(new Event('change', { bubbles: true }));
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
        // A few choices read best side by side; many, as a list.
        if (rule.choices.length <= 3) {
          return html`<div class="field">
            ${segmented(
              field.name,
              field.name,
              rule.choices.map((c) => ({ value: c, label: c })),
              String(value),
              () => {},
            )}
            ${help}
          </div>`;
        }
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
          <label class="switch" for=${id}>
            <input
              id=${id}
              type="checkbox"
              role="switch"
              name=${field.name}
              .checked=${Boolean(value)}
              aria-describedby=${describedBy}
            />
            ${field.name}
          </label>
          ${help}
        </div>`;
      case 'integer':
      case 'number': {
        const input = html`<input
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
        />`;
        if (rule.kind === 'number') return html`<div class="field">${label} ${input} ${help}</div>`;
        return html`<div class="field">
          ${label}
          <div class="stepper">
            <button
              type="button"
              aria-label="decrease ${field.name}"
              ?disabled=${disabled}
              @click=${() => this.step(field.name, -1)}
            >
              −
            </button>
            ${input}
            <button
              type="button"
              aria-label="increase ${field.name}"
              ?disabled=${disabled}
              @click=${() => this.step(field.name, 1)}
            >
              +
            </button>
          </div>
          ${help}
        </div>`;
      }
    }
  }

  override render(): unknown {
    const group = (legend: string, names: readonly string[]) =>
      html`<fieldset class="group">
        <legend>${legend}</legend>
        ${SPEC_FIELDS.filter((f) => names.includes(f.name)).map((f) => this.control(f))}
      </fieldset>`;
    return html`<form
      novalidate
      @submit=${this.onSubmit}
      @change=${this.onChange}
      aria-label="run settings"
    >
      ${group('Network', NETWORK_FIELDS)} ${group('Initialization', INIT_FIELDS)}
      ${group('Data and computation', RUN_FIELDS)}
      <div class="actions">
        <button type="submit" class="primary">Apply and run</button>
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

/** The settings in three groups, every field of the spec once (a test checks it). */
export const NETWORK_FIELDS = [
  'activation',
  'alpha',
  'depth',
  'width',
  'inputs',
  'outputs',
  'output-activation',
  'residual',
  'batchnorm',
] as const;
export const INIT_FIELDS = ['init', 'gain', 'sigma-w', 'sigma-b'] as const;
export const RUN_FIELDS = ['batch', 'seed', 'rng', 'backend', 'repeat', 'bins'] as const;
