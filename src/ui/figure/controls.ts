/**
 * The figures' controls, written once: segmented choices, activation chips and a validated list
 * field. They are plain Lit templates over native inputs (radio groups and checkboxes), so the
 * keyboard, labels and forms work as browsers make them; styles live in controlStyles.
 */
import { css, html, nothing } from 'lit';
import { ACTIVATIONS, type ActivationName } from '../../engine/activations.ts';
import { token } from '../design/tokens.ts';

export interface Choice<T extends string> {
  readonly value: T;
  readonly label: string;
}

/** One of a few choices, as a row of buttons (a radio group underneath). */
export function segmented<T extends string>(
  legend: string,
  name: string,
  choices: readonly Choice<T>[],
  current: T,
  onChange: (value: T) => void,
): unknown {
  return html`<fieldset class="segmented" data-control=${name}>
    <legend>${legend}</legend>
    <div class="segments">
      ${choices.map(
        (choice) =>
          html`<label
            ><input
              type="radio"
              name=${name}
              value=${choice.value}
              .checked=${choice.value === current}
              @change=${() => onChange(choice.value)}
            /><span>${choice.label}</span></label
          >`,
      )}
    </div>
  </fieldset>`;
}

/**
 * Activations to compare, as chips (checkboxes underneath). The last one cannot be unchecked:
 * `onChange` receives the new list, or null with the box re-checked when it would be empty.
 */
export function activationChips(
  legend: string,
  names: readonly ActivationName[],
  selected: readonly ActivationName[],
  onChange: (next: ActivationName[] | null) => void,
): unknown {
  const toggle = (name: ActivationName, event: Event): void => {
    const box = event.target as HTMLInputElement;
    const next = box.checked
      ? [...selected.filter((a) => a !== name), name]
      : selected.filter((a) => a !== name);
    if (next.length === 0) {
      box.checked = true;
      onChange(null);
      return;
    }
    onChange(next);
  };
  return html`<fieldset class="chips" data-control="activations">
    <legend>${legend}</legend>
    <div class="chip-row">
      ${names.map(
        (name) =>
          html`<label class="chip"
            ><input
              type="checkbox"
              name="activations"
              value=${name}
              .checked=${selected.includes(name)}
              @change=${(event: Event) => toggle(name, event)}
            /><span>${ACTIVATIONS[name].label}</span></label
          >`,
      )}
    </div>
  </fieldset>`;
}

/** An error line tied to a control by id; empty and hidden when there is none. */
export function fieldError(id: string, message: string | null): unknown {
  return html`<p class="error" id=${id} role="alert" ?hidden=${!message}>${message ?? nothing}</p>`;
}

export const controlStyles = css`
  form.field-form {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem;
    align-items: end;
  }
  input[type='text'] {
    width: 14rem;
    max-width: 100%;
  }
  input[aria-invalid='true'] {
    border-color: ${token('error')};
  }
  label.slider {
    display: grid;
    grid-template-columns: auto minmax(6rem, 12rem) 3.5em;
    align-items: center;
    gap: 0.5rem;
  }
  label.slider output {
    font-variant-numeric: tabular-nums;
    font-weight: 600;
  }
  fieldset.segmented,
  fieldset.chips {
    border: 0;
    padding: 0;
    margin: 0;
    display: grid;
    gap: 0.2rem;
    min-width: 0;
  }
  fieldset.segmented legend,
  fieldset.chips legend {
    font-size: 0.85rem;
    padding: 0;
    margin-bottom: 0.2rem;
  }
  .segments {
    display: inline-flex;
    flex-wrap: wrap;
    border: 1px solid ${token('rule')};
    border-radius: ${token('radius')};
    overflow: hidden;
  }
  .segments label,
  .chip-row label {
    display: inline-flex;
    position: relative;
    font-size: 0.85rem;
  }
  .segments input,
  .chip-row input {
    position: absolute;
    opacity: 0;
    inset: 0;
    margin: 0;
    cursor: pointer;
  }
  .segments span {
    padding: 0.35rem 0.7rem;
    min-height: 1.5rem;
    display: inline-flex;
    align-items: center;
  }
  .segments label + label span {
    border-left: 1px solid ${token('rule')};
  }
  .segments input:checked + span {
    background: ${token('accent')};
    color: ${token('on-accent')};
  }
  .segments input:focus-visible + span,
  .chip-row input:focus-visible + span {
    outline: 2px solid ${token('accent')};
    outline-offset: 2px;
  }
  .chip-row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.3rem;
  }
  .chip-row span {
    border: 1px solid ${token('rule')};
    border-radius: 999px;
    padding: 0.3rem 0.7rem;
    min-height: 1.5rem;
    display: inline-flex;
    align-items: center;
  }
  .chip-row input:checked + span {
    border-color: ${token('accent')};
    background: color-mix(in srgb, ${token('accent')} 14%, transparent);
    font-weight: 600;
  }
`;
