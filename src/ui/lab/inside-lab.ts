/**
 * True when an element sits inside a <grad-lab> (in its content, or in the shadow root of an
 * element that does, however deep): the lab then owns its state and its scheduling.
 */
export function insideLab(element: Element): boolean {
  for (let node: Element | null = element; node;) {
    if (node.localName === 'grad-lab') return node !== element;
    const parent: Element | null = node.parentElement;
    if (parent) node = parent;
    else {
      const root = node.getRootNode();
      node = root instanceof ShadowRoot ? root.host : null;
    }
  }
  return false;
}
