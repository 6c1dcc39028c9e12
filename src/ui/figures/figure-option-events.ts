/**
 * A figure's own options (the phase diagram's grid, the Jacobian's width) are its attributes, not
 * the lab's state: they are not in the URL, and the lab does not parse them. When the reader
 * changes them through a figure's controls, the figure writes its own attributes and announces
 * the change as `grad-options-change`, so a section can write the same attributes on the figures
 * beside it that show the same thing (the diagram's tables, the spectrum's table).
 */

/** Attribute entries; null removes the attribute (the figure's default). */
export type OptionEntries = Readonly<Record<string, string | null>>;

function write(element: Element, entries: OptionEntries): void {
  for (const [name, value] of Object.entries(entries)) {
    if (value === null) element.removeAttribute(name);
    else element.setAttribute(name, value);
  }
}

/** Writes `entries` on the figure and announces them (bubbling out of shadow roots). */
export function applyOptions(figure: HTMLElement, entries: OptionEntries): void {
  write(figure, entries);
  figure.dispatchEvent(
    new CustomEvent<OptionEntries>('grad-options-change', {
      detail: entries,
      bubbles: true,
      composed: true,
    }),
  );
}

/** Writes the entries a figure announced on the other figures that match `selector`. */
export function mirrorOptions(
  root: ParentNode,
  selector: string,
  source: EventTarget | null,
  entries: OptionEntries,
): void {
  for (const figure of root.querySelectorAll(selector)) {
    if (figure !== source) write(figure, entries);
  }
}

declare global {
  interface HTMLElementEventMap {
    /** A figure's reader changed its own options: attribute entries (null: removed). */
    'grad-options-change': CustomEvent<OptionEntries>;
  }
}
