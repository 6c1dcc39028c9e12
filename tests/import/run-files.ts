/** Run files for the importer's tests: the recorded fixtures, and small synthetic ones. */
import { readFileSync } from 'node:fs';

export function fixtureText(name: 'digits-mlp' | 'digits-cnn'): string {
  return readFileSync(new URL(`../fixtures/${name}.run.jsonl`, import.meta.url), 'utf8');
}

export function fixtureLines(name: 'digits-mlp' | 'digits-cnn'): Record<string, unknown>[] {
  return fixtureText(name)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export type JsonValue =
  number | string | null | boolean | JsonValue[] | { [key: string]: JsonValue };

export interface SyntheticLayer {
  readonly activation?: string | null;
  readonly type?: string;
  readonly units?: number;
  readonly fanIn?: number;
  readonly feedsFromPrevious?: boolean | null;
  readonly via?: string[];
  readonly alpha?: number | null;
}

/** A header in the recorder's format, for `layers` (Linear by default, 4 units, relu). */
export function syntheticHeader(
  layers: readonly SyntheticLayer[],
  extra: Record<string, JsonValue> = {},
): Record<string, JsonValue> {
  return {
    format: 'gradlab-run',
    version: 1,
    created: '2025-01-01T00:00:00+00:00',
    torch: 'test',
    model: 'Synthetic',
    steps: { first: 0, every: 100, total: null },
    bins: 4,
    saturation: 1e-3,
    layers: layers.map((layer, i) => {
      const type = layer.type ?? 'Linear';
      const units = layer.units ?? 4;
      const fanIn = layer.fanIn ?? (i === 0 ? 3 : (layers[i - 1]!.units ?? 4));
      const activation = layer.activation === undefined ? 'relu' : layer.activation;
      return {
        index: i + 1,
        name: `layer${i + 1}`,
        type,
        weightShape: [units, fanIn],
        bias: true,
        outputShape: [8, units],
        ...(type === 'Linear'
          ? { inFeatures: fanIn, outFeatures: units }
          : {
              inChannels: fanIn,
              outChannels: units,
              kernelSize: [3],
              stride: [1],
              padding: [0],
              groups: 1,
            }),
        activation:
          activation === null
            ? null
            : {
                type: activation,
                name: `act${i + 1}`,
                gradlab: activation,
                alpha: layer.alpha ?? null,
                maxSlope: 1,
                via: layer.via ?? [],
              },
        feedsFromPrevious: i === 0 ? null : (layer.feedsFromPrevious ?? true),
      };
    }),
    unused: [],
    ...extra,
  };
}

/** One layer's entry of a step line, with plausible defaults. */
export function syntheticEntry(values: Record<string, JsonValue> = {}): Record<string, JsonValue> {
  return {
    gradNorm: 1,
    weightGradNorm: 1,
    weightNorm: 2,
    biasNorm: 0.5,
    updateRatio: 1e-3,
    inputMeanSquare: 1,
    activationMean: 0.5,
    activationStd: 1,
    deadFraction: 0,
    saturatedFraction: 0.4,
    histogram: { min: -1, max: 2, counts: [1, 2, 3, 2], nonFinite: 0 },
    ...values,
  };
}

/** JSON lines: the header, one step line per entry of `records`, and an end line. */
export function syntheticFile(
  header: Record<string, JsonValue>,
  records: readonly { step: number; loss?: JsonValue; layers: Record<string, JsonValue>[] }[],
  end = true,
): string {
  const lines = [
    JSON.stringify(header),
    ...records.map((r) => JSON.stringify({ type: 'step', ...r })),
    ...(end
      ? [
          JSON.stringify({
            type: 'end',
            steps: (records.at(-1)?.step ?? 0) + 1,
            records: records.length,
          }),
        ]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}
