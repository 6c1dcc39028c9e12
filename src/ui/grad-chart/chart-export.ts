/**
 * What a chart exports: its data as CSV and JSON, exactly as given (non-finite values written as
 * NaN, Infinity, -Infinity, never dropped), and its image as PNG. Pure text builders; the
 * download itself is a same-origin blob URL, so nothing leaves the page.
 */
import type { ChartData } from './chart-data.ts';

export interface ChartMeta {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
}

const csvCell = (text: string): string =>
  /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;

/** Numbers as JavaScript writes them, so NaN and ±Infinity stay visible in the file. */
const number = (value: number | null | undefined): string =>
  value === undefined || value === null ? '' : String(value);

/** The line series as a wide table: one row per x, one column per series. */
export function chartToCsv(data: ChartData, meta: ChartMeta): string {
  const header = [meta.xLabel || 'x', ...data.series.map((s) => s.label)].map(csvCell).join(',');
  const rows = [header];
  for (let i = 0; i < data.x.length; i++) {
    rows.push([data.x[i], ...data.series.map((s) => s.values[i])].map(number).join(','));
  }
  return rows.join('\n') + '\n';
}

/** The heat-map's cells in long form: x, the cell's y range, and its value. */
export function heatmapToCsv(data: ChartData, meta: ChartMeta): string {
  const heatmap = data.heatmap;
  if (!heatmap) return '';
  const rows = [[meta.xLabel || 'x', 'y_lo', 'y_hi', heatmap.label].map(csvCell).join(',')];
  heatmap.columns.forEach((column, c) => {
    const n = column.values.length;
    const step = (column.hi - column.lo) / n;
    for (let b = 0; b < n; b++) {
      rows.push(
        [data.x[c], column.lo + b * step, column.lo + (b + 1) * step, column.values[b]]
          .map(number)
          .join(','),
      );
    }
  });
  return rows.join('\n') + '\n';
}

/** Numbers as they are, non-finite ones as "NaN"/"Infinity", and "no value" as null. */
const jsonValue = (value: number | null): number | string | null =>
  value === null || Number.isFinite(value) ? value : String(value);

/** Everything the chart shows, with its labels. Non-finite numbers become "NaN"/"Infinity". */
export function chartToJson(data: ChartData, meta: ChartMeta): string {
  return JSON.stringify(
    {
      title: meta.title,
      xLabel: meta.xLabel,
      yLabel: meta.yLabel,
      x: Array.from(data.x, jsonValue),
      series: data.series.map((s) => ({ label: s.label, values: Array.from(s.values, jsonValue) })),
      ...(data.heatmap
        ? {
            heatmap: {
              label: data.heatmap.label,
              columns: data.heatmap.columns.map((c) => ({
                lo: jsonValue(c.lo),
                hi: jsonValue(c.hi),
                values: Array.from(c.values, jsonValue),
              })),
            },
          }
        : {}),
    },
    null,
    2,
  );
}

/** A file-name stem from a title: lower case, words joined by dashes. */
export function fileStem(text: string): string {
  const stem = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return stem || 'chart';
}

/** Offers a blob to the reader as a download (a same-origin object URL). */
export function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
