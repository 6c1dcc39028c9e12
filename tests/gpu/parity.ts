/**
 * The comparison of a WebGPU run's statistics with cpu64's, shared by the Node parity tests
 * (tests/gpu/webgpu-backend.test.ts) and the browser's (e2e/pages/gpu-parity.ts).
 */
import type { LayerStatistics } from '../../src/engine/results.ts';
import { TOLERANCES } from '../../src/engine/tolerance.ts';

/** Compares GPU statistics with cpu64's; returns a description of each mismatch. */
export function compareStatistics(
  gpu: LayerStatistics,
  reference: LayerStatistics,
  batch: number,
  units: (l: number) => number,
): string[] {
  const problems: string[] = [];
  const { rel, abs } = TOLERANCES.f32Statistics;
  for (let i = 0; i < reference.layerCount; i++) {
    const close = (key: string, a: number, b: number, scale = Math.abs(b)) => {
      if (!(Math.abs(a - b) <= rel * scale + abs))
        problems.push(`layer ${i + 1} ${key}: gpu ${a} vs cpu64 ${b}`);
    };
    close('gradNorm', gpu.gradNorm[i]!, reference.gradNorm[i]!);
    close('weightGradNorm', gpu.weightGradNorm[i]!, reference.weightGradNorm[i]!);
    close('activationStd', gpu.activationStd[i]!, reference.activationStd[i]!);
    // A mean near zero is compared on the scale of the layer's spread.
    close(
      'activationMean',
      gpu.activationMean[i]!,
      reference.activationMean[i]!,
      Math.max(Math.abs(reference.activationMean[i]!), reference.activationStd[i]!),
    );
    // Fractions count units or entries: one whose φ or φ′ lies within f32 rounding of the
    // threshold (or of 0) may flip, so allow one unit, and two entries or 0.2% of them.
    const entries = units(i + 1) * batch;
    const fraction = (key: string, a: number, b: number, allowed: number) => {
      if (!(Math.abs(a - b) <= allowed * (1 + 1e-9)))
        problems.push(`layer ${i + 1} ${key}: gpu ${a} vs cpu64 ${b}`);
    };
    fraction('deadFraction', gpu.deadFraction[i]!, reference.deadFraction[i]!, 1 / units(i + 1));
    fraction(
      'saturatedFraction',
      gpu.saturatedFraction[i]!,
      reference.saturatedFraction[i]!,
      Math.max(2 / entries, 0.002),
    );
    const bins = reference.histograms.bins;
    let total = 0;
    for (let b = 0; b < bins; b++) total += gpu.histograms.counts[i * bins + b]!;
    if (total + gpu.histograms.nonFinite[i]! !== entries)
      problems.push(`layer ${i + 1}: histogram holds ${total} of ${entries}`);
  }
  if (Math.abs(gpu.loss - reference.loss) > rel * Math.abs(reference.loss))
    problems.push(`loss: gpu ${gpu.loss} vs cpu64 ${reference.loss}`);
  return problems;
}
