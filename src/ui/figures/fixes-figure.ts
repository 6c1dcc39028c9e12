/**
 * What the fixes figures share (grad-fixes-plot, grad-fixes-table): the variants of the spec
 * that `fixes` lists (the baseline with every fix off, each fix alone, and the settings' own
 * combination), one run each through the shared queue, so the figures of the fixes section run
 * each variant once between them. A variant the spec cannot run (batch normalization of one
 * sample) is named, with the validator's message.
 */
import { html } from 'lit';
import { choiceListOption, type OptionRule } from '../figure/figure-options.ts';
import {
  FIX_IDS,
  planFixes,
  type FixId,
  type FixRun,
  type FixVariant,
  type PlannedFix,
} from '../grad-fixes/fix-variants.ts';
import { GroupRunFigure } from './figure-group.ts';

/** The variants shown; every one by default. */
export const FIXES = choiceListOption<FixId>('fixes', FIX_IDS, FIX_IDS);

export abstract class FixesFigure extends GroupRunFigure {
  static override optionRules: readonly OptionRule<unknown>[] = [FIXES];

  private planned: { variants: FixVariant[]; runs: PlannedFix[] } = { variants: [], runs: [] };

  /** The variants listed, runnable or not, in order. */
  get variants(): readonly FixVariant[] {
    return this.planned.variants;
  }

  /** The runs that have arrived (variant and result), in the variants' order. */
  get fixRuns(): FixRun[] {
    return this.planned.runs.flatMap((run) => {
      const result = this.results.get(run.key);
      return result ? [{ variant: run.variant, result }] : [];
    });
  }

  protected override planKey(): string {
    return JSON.stringify([this.state.spec, this.option(FIXES)]);
  }

  protected override plan(): void {
    this.planned = planFixes(this.state.spec, this.option(FIXES));
    void this.ensureRuns(this.planned.runs);
  }

  /** The variants that cannot run, each with the validator's message. */
  protected problemNotes(): unknown {
    return this.planned.variants
      .filter((variant) => variant.problem !== null)
      .map(
        (variant) =>
          html`<p class="error" data-testid="variant-problem">
            “${variant.label}” cannot run: ${variant.problem}
          </p>`,
      );
  }
}
