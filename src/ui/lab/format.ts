/** Number formats the sections share. */

/** "12.3 ms", "1234 ms", or the non-finite value as it is. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toPrecision(3)} ms`;
}
