/**
 * What a chart exports: its data as CSV and JSON, exactly as given (non-finite values written as
 * NaN, Infinity, -Infinity, never dropped), and its image as PNG. Pure text builders; the
 * download itself is a same-origin blob URL, so nothing leaves the page.
 */
import type uPlot from 'uplot';
import { isDark } from '../design/palette.ts';
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

export interface ExportSource {
  readonly data: ChartData;
  /** The uPlot instance as drawn (PNG); null when nothing is drawn yet. */
  readonly plot: uPlot | null;
  /** The chart element: its computed style gives the PNG's colours and font. */
  readonly host: Element;
  readonly meta: ChartMeta;
  /** File-name stem; derived from the title when empty. */
  readonly stem: string;
}

/** Downloads the chart's data as CSV (and its heat-map as a second CSV) or JSON, or its image. */
export function exportChart(format: 'csv' | 'json' | 'png', source: ExportSource): void {
  const { data, meta } = source;
  const stem = source.stem || fileStem(meta.title || meta.yLabel);
  if (format === 'csv') {
    download(new Blob([chartToCsv(data, meta)], { type: 'text/csv' }), `${stem}.csv`);
    if (data.heatmap) {
      download(new Blob([heatmapToCsv(data, meta)], { type: 'text/csv' }), `${stem}-heatmap.csv`);
    }
  } else if (format === 'json') {
    download(new Blob([chartToJson(data, meta)], { type: 'application/json' }), `${stem}.json`);
  } else if (source.plot) exportPng(source.plot, source.host, meta, stem);
}

/** The chart as drawn, with its title and legend, on the theme's background. */
function exportPng(plot: uPlot, host: Element, meta: ChartMeta, stem: string): void {
  const source = plot.ctx.canvas;
  const ratio = source.width / plot.width;
  const style = getComputedStyle(host);
  const font = `${14 * ratio}px ${style.fontFamily || 'sans-serif'}`;
  const legend = plot.series.slice(1).map((s) => String(s.label ?? ''));
  const lineHeight = 20 * ratio;
  const canvas = document.createElement('canvas');
  canvas.width = source.width;
  canvas.height = source.height + lineHeight * (2 + Math.ceil(legend.length / 3));
  const ctx = canvas.getContext('2d')!;
  // The theme's background (the page's own may be any colour, or an image).
  ctx.fillStyle = isDark(style) ? '#0d1117' : '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = style.color;
  ctx.font = `600 ${font}`;
  ctx.fillText(meta.title || meta.yLabel, 8 * ratio, lineHeight * 0.8);
  ctx.drawImage(source, 0, lineHeight);
  ctx.font = font;
  legend.forEach((label, i) => {
    const x = 8 * ratio + (i % 3) * (canvas.width / 3);
    const y = lineHeight + source.height + lineHeight * (0.9 + Math.floor(i / 3));
    const stroke = plot.series[i + 1]!.stroke;
    ctx.fillStyle =
      typeof stroke === 'function'
        ? (stroke(plot, i + 1) as string)
        : String(stroke ?? style.color);
    ctx.fillRect(x, y - 10 * ratio, 14 * ratio, 4 * ratio);
    ctx.fillStyle = style.color;
    ctx.fillText(label, x + 20 * ratio, y);
  });
  canvas.toBlob((blob) => {
    if (blob) download(blob, `${stem}.png`);
  }, 'image/png');
}
