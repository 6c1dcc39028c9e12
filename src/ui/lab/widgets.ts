/** Every element the library defines, in the order the lab shows them. */
export const WIDGET_TAGS = [
  'grad-lab',
  'grad-activations',
  'grad-norms',
  'grad-init-explorer',
  'grad-fixes',
  'grad-theory',
  'grad-training',
  'grad-notebook',
  'grad-run',
  'grad-verify',
  'grad-benchmark',
] as const;

export type WidgetTag = (typeof WIDGET_TAGS)[number];
