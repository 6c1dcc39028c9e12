/**
 * One example per element: the attributes its copy-paste snippet in docs/elements.md shows and its
 * screenshot (docs/screenshots/elements/<tag>.png, `npm run screenshots`) is drawn with. Small
 * sizes, so each draws in seconds on a CPU; every figure alone, as a blog would place it.
 */
export const ELEMENT_EXAMPLES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'grad-activation-plot': { activation: 'sigmoid' },
  'grad-properties-table': { activations: 'sigmoid,tanh,relu,gelu' },
  'grad-depth-sweep': { activation: 'sigmoid', depths: '3,5,10,20', width: '64', batch: '32' },
  'grad-activation-compare': { activations: 'sigmoid,tanh,relu', depth: '10', kind: 'bars' },
  'grad-attenuation': { activations: 'sigmoid,tanh', depth: '10' },
  'grad-attenuation-table': { activations: 'sigmoid', depth: '10' },
  'grad-layer-stats': { activation: 'relu', inits: 'normal,xavier,he', depth: '20', stat: 'std' },
  'grad-variance-map': { activation: 'tanh', 'sigma-w': '1.5', init: 'custom' },
  'grad-mean-field': { activation: 'tanh', init: 'custom', 'sigma-w': '1.2', depth: '20' },
  'grad-phase-diagram': {
    activation: 'tanh',
    'sweep-depth': '10',
    'sweep-width': '32',
    'sigma-w2-steps': '6',
    'sigma-b2-steps': '4',
  },
  'grad-phase-table': {
    activation: 'tanh',
    'sweep-depth': '10',
    'sweep-width': '32',
    'sigma-w2-steps': '6',
    'sigma-b2-steps': '4',
    table: 'critical-line',
  },
  'grad-jacobian-spectrum': { activation: 'tanh', depth: '10', 'jacobian-width': '64' },
  'grad-jacobian-table': { activation: 'tanh', depth: '10', 'jacobian-width': '64' },
  'grad-training-heatmap': {
    activation: 'sigmoid',
    depth: '8',
    steps: '150',
    quantity: 'update-ratio',
  },
  'grad-training-loss': { networks: 'sigmoid,relu', depth: '8', steps: '150' },
  'grad-training-summary': { networks: 'sigmoid,relu', depth: '8', steps: '150' },
  'grad-init-histograms': { activation: 'tanh', init: 'xavier', depth: '20' },
  'grad-init-summary': { activation: 'tanh', inits: 'normal,xavier,he', depth: '20' },
  'grad-init-layer-table': { activation: 'relu', init: 'he', depth: '10' },
  'grad-fixes-plot': { activation: 'sigmoid', depth: '20', stat: 'grad' },
  'grad-fixes-table': { activation: 'sigmoid', depth: '20' },
  'grad-layer-plot': { activation: 'relu', init: 'he', depth: '10' },
  'grad-layer-table': { activation: 'relu', init: 'he', depth: '10' },
  'grad-notebook-sweep': { activation: 'sigmoid' },
  'grad-notebook-sweep-table': {},
  'grad-notebook-ten-layer': {},
  'grad-notebook-ten-layer-table': {},
  'grad-notebook-variants': {},
  'grad-notebook-variants-table': {},
  'grad-verify-table': { 'under-test': 'cpu', depth: '5', width: '32', batch: '8' },
  'grad-verify-errors': { 'under-test': 'cpu', depth: '5', width: '32', batch: '8' },
  'grad-verify-timings': { 'under-test': 'cpu', depth: '5', width: '32', batch: '8' },
  'grad-timings-table': { depth: '5', width: '32', inputs: '32', batch: '8' },
  'grad-kernel-times': { depth: '5', width: '32', inputs: '32', batch: '8' },
  'grad-kernel-table': { depth: '5', width: '32', inputs: '32', batch: '8' },
  'grad-thread-scaling': { depth: '5', width: '32', inputs: '32', batch: '8' },
  'grad-size-sweep': { widths: '16,32,64', 'sweep-depths': '3,6', backends: 'cpu,cpu64' },
  // A run recorded from PyTorch (tests/fixtures/digits-mlp.run.jsonl), served beside the pages.
  'grad-run-file-chart': { src: '/e2e/pages/digits-mlp.run.jsonl', view: 'depth' },
  'grad-activations': {},
  'grad-norms': { activation: 'sigmoid', depths: '3,5,10', activations: 'sigmoid,relu' },
  'grad-init-explorer': { activation: 'tanh', depth: '10', inits: 'xavier,he' },
  'grad-fixes': { activation: 'sigmoid', depth: '10' },
  'grad-theory': { activation: 'tanh' },
  'grad-training': { activation: 'sigmoid', depth: '6' },
  'grad-notebook': {},
  'grad-run': { activation: 'relu', init: 'he', depth: '10' },
  'grad-verify': { depth: '5', width: '32', batch: '8' },
  'grad-benchmark': { depth: '5', width: '32', batch: '8' },
  'grad-import': {},
  'grad-export-pytorch': { activation: 'tanh', depth: '5', rng: 'numpy' },
  'grad-lab': {},
};

/** An element as a page writes it: its tag, its example's attributes, and controls="none". */
export function exampleSnippet(tag: string, controls = 'none'): string {
  const attributes = { ...ELEMENT_EXAMPLES[tag], ...(controls ? { controls } : {}) };
  const text = Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${value}"`)
    .join('');
  return `<${tag}${text}></${tag}>`;
}
