/** True when a section sits inside a <grad-lab>, which then owns its state and its scheduling. */
export function insideLab(element: Element): boolean {
  const root = element.getRootNode();
  return root instanceof ShadowRoot && root.host.localName === 'grad-lab';
}
