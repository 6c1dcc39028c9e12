/**
 * Every element gradlab defines, and the module that defines it. The loader (gradlab.ts) imports
 * a module only when its element is on the page and near the viewport. Each module is a folder's
 * define.ts (src/ui/figures/<tag>/ or src/ui/<tag>/), which the library build also makes an entry
 * of its own, dist/lib/elements/<tag>.js, for bundler users. `shape` says what box the
 * loader reserves before the code arrives: a chart figure's box is its width ÷ aspect.
 */
export interface ElementEntry {
  readonly load: () => Promise<unknown>;
  readonly shape: 'chart' | 'table' | 'section';
}

const chart = (load: () => Promise<unknown>): ElementEntry => ({ load, shape: 'chart' });
const table = (load: () => Promise<unknown>): ElementEntry => ({ load, shape: 'table' });
const section = (load: () => Promise<unknown>): ElementEntry => ({ load, shape: 'section' });

/* The figures, in the chapter's order; then the sections and the lab, which compose them. */
export const ELEMENTS = {
  'grad-activation-plot': chart(() => import('../ui/figures/grad-activation-plot/define.ts')),
  'grad-properties-table': table(() => import('../ui/figures/grad-properties-table/define.ts')),
  'grad-depth-sweep': chart(() => import('../ui/figures/grad-depth-sweep/define.ts')),
  'grad-activation-compare': chart(() => import('../ui/figures/grad-activation-compare/define.ts')),
  'grad-attenuation': chart(() => import('../ui/figures/grad-attenuation/define.ts')),
  'grad-attenuation-table': table(() => import('../ui/figures/grad-attenuation-table/define.ts')),
  'grad-layer-stats': chart(() => import('../ui/figures/grad-layer-stats/define.ts')),
  'grad-variance-map': chart(() => import('../ui/figures/grad-variance-map/define.ts')),
  'grad-mean-field': chart(() => import('../ui/figures/grad-mean-field/define.ts')),
  'grad-phase-diagram': chart(() => import('../ui/figures/grad-phase-diagram/define.ts')),
  'grad-phase-table': table(() => import('../ui/figures/grad-phase-table/define.ts')),
  'grad-jacobian-spectrum': chart(() => import('../ui/figures/grad-jacobian-spectrum/define.ts')),
  'grad-jacobian-table': table(() => import('../ui/figures/grad-jacobian-table/define.ts')),
  'grad-training-loss': chart(() => import('../ui/figures/grad-training-loss/define.ts')),
  'grad-training-heatmap': chart(() => import('../ui/figures/grad-training-heatmap/define.ts')),
  'grad-training-summary': table(() => import('../ui/figures/grad-training-summary/define.ts')),
  'grad-init-histograms': chart(() => import('../ui/figures/grad-init-histograms/define.ts')),
  'grad-init-summary': table(() => import('../ui/figures/grad-init-summary/define.ts')),
  'grad-init-layer-table': table(() => import('../ui/figures/grad-init-layer-table/define.ts')),
  'grad-fixes-plot': chart(() => import('../ui/figures/grad-fixes-plot/define.ts')),
  'grad-fixes-table': table(() => import('../ui/figures/grad-fixes-table/define.ts')),
  'grad-layer-plot': chart(() => import('../ui/figures/grad-layer-plot/define.ts')),
  'grad-layer-table': table(() => import('../ui/figures/grad-layer-table/define.ts')),
  'grad-notebook-sweep': chart(() => import('../ui/figures/grad-notebook-sweep/define.ts')),
  'grad-notebook-sweep-table': table(
    () => import('../ui/figures/grad-notebook-sweep-table/define.ts'),
  ),
  'grad-notebook-ten-layer': chart(() => import('../ui/figures/grad-notebook-ten-layer/define.ts')),
  'grad-notebook-ten-layer-table': table(
    () => import('../ui/figures/grad-notebook-ten-layer-table/define.ts'),
  ),
  'grad-notebook-variants': chart(() => import('../ui/figures/grad-notebook-variants/define.ts')),
  'grad-notebook-variants-table': table(
    () => import('../ui/figures/grad-notebook-variants-table/define.ts'),
  ),
  'grad-verify-timings': table(() => import('../ui/figures/grad-verify-timings/define.ts')),
  'grad-verify-table': table(() => import('../ui/figures/grad-verify-table/define.ts')),
  'grad-verify-errors': chart(() => import('../ui/figures/grad-verify-errors/define.ts')),
  'grad-timings-table': table(() => import('../ui/figures/grad-timings-table/define.ts')),
  'grad-kernel-times': chart(() => import('../ui/figures/grad-kernel-times/define.ts')),
  'grad-kernel-table': table(() => import('../ui/figures/grad-kernel-table/define.ts')),
  'grad-thread-scaling': table(() => import('../ui/figures/grad-thread-scaling/define.ts')),
  'grad-size-sweep': chart(() => import('../ui/figures/grad-size-sweep/define.ts')),
  'grad-run-file-chart': chart(() => import('../ui/figures/grad-run-file-chart/define.ts')),
  'grad-activations': section(() => import('../ui/grad-activations/define.ts')),
  'grad-norms': section(() => import('../ui/grad-norms/define.ts')),
  'grad-init-explorer': section(() => import('../ui/grad-init-explorer/define.ts')),
  'grad-fixes': section(() => import('../ui/grad-fixes/define.ts')),
  'grad-theory': section(() => import('../ui/grad-theory/define.ts')),
  'grad-training': section(() => import('../ui/grad-training/define.ts')),
  'grad-notebook': section(() => import('../ui/grad-notebook/define.ts')),
  'grad-run': section(() => import('../ui/grad-run/define.ts')),
  'grad-verify': section(() => import('../ui/grad-verify/define.ts')),
  'grad-benchmark': section(() => import('../ui/grad-benchmark/define.ts')),
  'grad-import': section(() => import('../ui/grad-import/define.ts')),
  'grad-export-pytorch': section(() => import('../ui/grad-export-pytorch/define.ts')),
  'grad-lab': section(() => import('../ui/grad-lab/define.ts')),
} as const satisfies Record<string, ElementEntry>;

export type ElementTag = keyof typeof ELEMENTS;

/** Every tag, figures first. */
export const ELEMENT_TAGS = Object.keys(ELEMENTS) as ElementTag[];
