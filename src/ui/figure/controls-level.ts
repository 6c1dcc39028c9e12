/** What the reader of an element may change: see GradFigure. */
export const CONTROLS_LEVELS = ['none', 'compact', 'full'] as const;
export type ControlsLevel = (typeof CONTROLS_LEVELS)[number];
