import { GradSpecForm } from './grad-spec-form.ts';

if (!customElements.get('grad-spec-form')) customElements.define('grad-spec-form', GradSpecForm);

declare global {
  interface HTMLElementTagNameMap {
    'grad-spec-form': GradSpecForm;
  }
}
