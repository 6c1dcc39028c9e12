/**
 * The theory figures, imported one by one from the source (no loader, no lab), as a page that
 * embeds a single figure would (e2e/theory-figures.spec.ts).
 */
import '../../src/ui/figures/grad-variance-map/define.ts';
import '../../src/ui/figures/grad-mean-field/define.ts';
import '../../src/ui/figures/grad-phase-diagram/define.ts';
import '../../src/ui/figures/grad-phase-table/define.ts';
