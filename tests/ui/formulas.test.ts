/**
 * The MathML that pages ship (src/ui/math/formulas.generated.ts) is what the converter makes of
 * the activation table's TeX today, and mathFormula finds every formula the elements show.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FORMULAS_PATH, formulaSources, formulasModule } from '../../scripts/formulas.ts';
import { ACTIVATIONS } from '../../src/engine/activations.ts';
import { FORMULAS } from '../../src/ui/math/formulas.generated.ts';
import { mathFormula } from '../../src/ui/math/math-formula.ts';
import { texToMathMLContent } from '../../src/ui/math/tex-to-mathml.ts';

describe('formulas.generated.ts', () => {
  it('is what `npm run formulas` writes now', () => {
    expect(readFileSync(FORMULAS_PATH, 'utf8')).toBe(formulasModule());
  });

  it('holds each activation formula and derivative, converted by tex-to-mathml.ts', () => {
    for (const { tex, derivativeTex } of Object.values(ACTIVATIONS)) {
      expect(FORMULAS.get(tex)).toBe(texToMathMLContent(tex));
      expect(FORMULAS.get(derivativeTex)).toBe(texToMathMLContent(derivativeTex));
    }
    expect([...FORMULAS.keys()]).toEqual(formulaSources());
  });
});

describe('mathFormula', () => {
  it('renders a table formula as <math> with its converted content', () => {
    const { tex } = ACTIVATIONS.sigmoid;
    const result = mathFormula(tex, 'block');
    expect(result.strings.join('')).toContain('<math display=');
    expect(result.values).toContain('block');
  });

  it('names the formula it has no MathML for, and the command that makes it', () => {
    expect(() => mathFormula('x^2')).toThrow(/no MathML for "x\^2": run `npm run formulas`/);
  });
});
