/**
 * The figures' controls (controls.ts: the templates and their styles), imported only where some
 * figure shows controls: a figure alone with `controls="none"`, as a blog embeds it, never loads
 * them. The loader starts the import beside an element's own code when the element will show
 * controls (a section always does), so that the figure's first drawing already has them and
 * nothing below it moves; a figure imported without the loader asks for them itself.
 */
export type FigureControls = typeof import('./controls.ts');

let loaded: FigureControls | null = null;
let loading: Promise<FigureControls> | null = null;

/** The controls, if they have arrived. */
export function figureControls(): FigureControls | null {
  return loaded;
}

/** Imports the controls (once per page). */
export function loadFigureControls(): Promise<FigureControls> {
  loading ??= import('./controls.ts').then((module) => (loaded = module));
  return loading;
}
