/**
 * The page of e2e/training.spec.ts's figures on their own: a heat-map and a loss curve with the
 * same training attributes, taken from the URL query (`?depth=6&steps=30…`) and set on both
 * before their modules load, as a blog would write them in its HTML.
 */
export {};

const params = new URLSearchParams(location.search);
for (const figure of document.querySelectorAll('grad-training-heatmap, grad-training-loss')) {
  for (const [name, value] of params) figure.setAttribute(name, value);
}

await Promise.all([
  import('../../src/ui/figures/grad-training-heatmap/define.ts'),
  import('../../src/ui/figures/grad-training-loss/define.ts'),
]);
