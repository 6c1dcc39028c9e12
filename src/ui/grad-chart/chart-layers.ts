/**
 * What only some charts draw: heat-maps under the series and grouped bars. <grad-chart> imports
 * this module when its data has a heat-map or its kind is bars, so a page of line charts never
 * loads it.
 */
export { groupedBars } from './bars.ts';
export { columnSpan, drawHeatmap, layoutHeatmap, shadingText } from './heatmap.ts';
