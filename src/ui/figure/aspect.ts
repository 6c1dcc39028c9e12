/**
 * A figure's aspect (width ÷ height), written as 16:10, 16/10 or 1.6: one parser for the figure
 * elements and for the loader, which reserves a figure's box before the figure's code arrives.
 */
export const DEFAULT_ASPECT = 1.6;
export const ASPECT_LIMITS = { min: 0.25, max: 4 } as const;

/** The aspect written in `text`, or undefined when it is not one (or out of limits). */
export function parseAspect(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:[:/]\s*(\d+(?:\.\d+)?)\s*)?$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]) / (match[2] === undefined ? 1 : Number(match[2]));
  return Number.isFinite(value) && value >= ASPECT_LIMITS.min && value <= ASPECT_LIMITS.max
    ? value
    : undefined;
}
