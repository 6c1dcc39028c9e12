/**
 * An imported run, columnar: one typed array per statistic, record-major (all layers of record 0,
 * then record 1, …), so the layers of one step are a contiguous subarray and the arrays move
 * between threads without copying (ImportedRun.transferables).
 */
import {
  LAYER_METRICS,
  type LayerMetric,
  type RunFileHeader,
  type RunStepRecord,
} from './run-format.ts';

export interface ImportedRun {
  readonly header: RunFileHeader;
  /** Layers per record (header.layers.length). */
  readonly layerCount: number;
  /** Histogram bins per layer (header.bins). */
  readonly bins: number;
  /** Records read (step lines that passed every check). */
  readonly recordCount: number;
  /** The step number of each record, increasing. */
  readonly steps: Float64Array;
  /** The loss of each record; NaN where not recorded (see lossMissing) or non-finite. */
  readonly loss: Float64Array;
  /** 1 where the record has no loss. */
  readonly lossMissing: Uint8Array;
  /** Per statistic: value [record·layerCount + layer − 1]; NaN where not recorded, or as read. */
  readonly metrics: Readonly<Record<LayerMetric, Float64Array>>;
  /** Per statistic: 1 where the file had null (not recorded), same layout as metrics. */
  readonly missing: Readonly<Record<LayerMetric, Uint8Array>>;
  /** Histogram range per (record, layer); NaN where no finite activation was recorded. */
  readonly histogramMin: Float64Array;
  readonly histogramMax: Float64Array;
  /** Counts [(record·layerCount + layer − 1)·bins + bin]. */
  readonly histogramCounts: Uint32Array;
  /** Activations that were NaN or ±∞ (in no bin), per (record, layer). */
  readonly histogramNonFinite: Uint32Array;
  /** 1 where the record has no histogram for the layer. */
  readonly histogramMissing: Uint8Array;
  /** Whether the file ended with the recorder's end line (it was closed, not interrupted). */
  readonly complete: boolean;
}

/** Index of (record, layer) in the per-layer arrays; layer is 1-based. */
export function cellIndex(
  run: Pick<ImportedRun, 'layerCount'>,
  record: number,
  layer: number,
): number {
  return record * run.layerCount + layer - 1;
}

/** The value of a statistic at (record, layer), null where it was not recorded. */
export function metricAt(
  run: ImportedRun,
  metric: LayerMetric,
  record: number,
  layer: number,
): number | null {
  const i = cellIndex(run, record, layer);
  return run.missing[metric][i] ? null : run.metrics[metric][i]!;
}

/** The buffers to transfer when posting a run between threads. */
export function transferables(run: ImportedRun): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [
    run.steps,
    run.loss,
    run.lossMissing,
    ...LAYER_METRICS.map((m) => run.metrics[m]),
    ...LAYER_METRICS.map((m) => run.missing[m]),
    run.histogramMin,
    run.histogramMax,
    run.histogramCounts,
    run.histogramNonFinite,
    run.histogramMissing,
  ];
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

type Growable = Float64Array | Uint32Array | Uint8Array;

function grow<T extends Growable>(array: T, length: number): T {
  if (array.length >= length) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(length, array.length * 2));
  next.set(array);
  return next;
}

/** Accumulates checked step records into the columnar arrays. */
export class RunBuilder {
  private count = 0;
  private capacity = 0;
  private steps = new Float64Array(0);
  private loss = new Float64Array(0);
  private lossMissing = new Uint8Array(0);
  private readonly metrics = {} as Record<LayerMetric, Float64Array>;
  private readonly missing = {} as Record<LayerMetric, Uint8Array>;
  private histogramMin = new Float64Array(0);
  private histogramMax = new Float64Array(0);
  private histogramCounts = new Uint32Array(0);
  private histogramNonFinite = new Uint32Array(0);
  private histogramMissing = new Uint8Array(0);
  private readonly layers: number;
  private readonly bins: number;

  constructor(readonly header: RunFileHeader) {
    this.layers = header.layers.length;
    this.bins = header.bins;
    for (const metric of LAYER_METRICS) {
      this.metrics[metric] = new Float64Array(0);
      this.missing[metric] = new Uint8Array(0);
    }
  }

  get recordCount(): number {
    return this.count;
  }

  /** The step of the last record added, or null before the first. */
  get lastStep(): number | null {
    return this.count === 0 ? null : this.steps[this.count - 1]!;
  }

  private reserve(records: number): void {
    if (records <= this.capacity) return;
    const capacity = Math.max(records, this.capacity * 2, 16);
    const cells = capacity * this.layers;
    this.steps = grow(this.steps, capacity);
    this.loss = grow(this.loss, capacity);
    this.lossMissing = grow(this.lossMissing, capacity);
    for (const metric of LAYER_METRICS) {
      this.metrics[metric] = grow(this.metrics[metric], cells);
      this.missing[metric] = grow(this.missing[metric], cells);
    }
    this.histogramMin = grow(this.histogramMin, cells);
    this.histogramMax = grow(this.histogramMax, cells);
    this.histogramCounts = grow(this.histogramCounts, cells * this.bins);
    this.histogramNonFinite = grow(this.histogramNonFinite, cells);
    this.histogramMissing = grow(this.histogramMissing, cells);
    this.capacity = capacity;
  }

  add(record: RunStepRecord): void {
    this.reserve(this.count + 1);
    const r = this.count;
    this.steps[r] = record.step;
    this.loss[r] = record.loss ?? NaN;
    this.lossMissing[r] = record.loss === null ? 1 : 0;
    for (let l = 0; l < this.layers; l++) {
      const cell = r * this.layers + l;
      const values = record.values[l]!;
      LAYER_METRICS.forEach((metric, m) => {
        const value = values[m]!;
        this.metrics[metric][cell] = value ?? NaN;
        this.missing[metric][cell] = value === null ? 1 : 0;
      });
      const histogram = record.histograms[l];
      if (histogram) {
        this.histogramMin[cell] = histogram.min;
        this.histogramMax[cell] = histogram.max;
        this.histogramCounts.set(histogram.counts, cell * this.bins);
        this.histogramNonFinite[cell] = histogram.nonFinite;
        this.histogramMissing[cell] = 0;
      } else {
        this.histogramMin[cell] = NaN;
        this.histogramMax[cell] = NaN;
        this.histogramCounts.fill(0, cell * this.bins, (cell + 1) * this.bins);
        this.histogramNonFinite[cell] = 0;
        this.histogramMissing[cell] = 1;
      }
    }
    this.count++;
  }

  /** The run so far, in arrays trimmed to the records read (copies: the builder may go on). */
  build(complete: boolean): ImportedRun {
    const n = this.count;
    const cells = n * this.layers;
    const metrics = {} as Record<LayerMetric, Float64Array>;
    const missing = {} as Record<LayerMetric, Uint8Array>;
    for (const metric of LAYER_METRICS) {
      metrics[metric] = this.metrics[metric].slice(0, cells);
      missing[metric] = this.missing[metric].slice(0, cells);
    }
    return {
      header: this.header,
      layerCount: this.layers,
      bins: this.bins,
      recordCount: n,
      steps: this.steps.slice(0, n),
      loss: this.loss.slice(0, n),
      lossMissing: this.lossMissing.slice(0, n),
      metrics,
      missing,
      histogramMin: this.histogramMin.slice(0, cells),
      histogramMax: this.histogramMax.slice(0, cells),
      histogramCounts: this.histogramCounts.slice(0, cells * this.bins),
      histogramNonFinite: this.histogramNonFinite.slice(0, cells),
      histogramMissing: this.histogramMissing.slice(0, cells),
      complete,
    };
  }
}
