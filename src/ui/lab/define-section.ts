/**
 * Registers a lab section as a custom element that also works on its own: the standalone mixin
 * gives it attributes named like the URL keys (see standalone.ts). Defining twice is harmless (a
 * page may load the library and the lab).
 */
import '../grad-chart/define.ts';
import type { LitElement } from 'lit';
import type { LabState } from './lab-state.ts';
import { standalone } from './standalone.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SectionClass = abstract new (...args: any[]) => LitElement & { state: LabState };

export function defineSection(tag: string, section: SectionClass): void {
  if (customElements.get(tag)) return;
  customElements.define(tag, standalone(section) as unknown as CustomElementConstructor);
}
