import { describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../../src/engine/activations.ts';
import { INITS } from '../../src/engine/inits.ts';
import { TexError, texToMathML, texToMathMLContent } from '../../src/ui/math/tex-to-mathml.ts';

/** The MathML Core elements the converter may emit. */
const ELEMENTS = new Set([
  'math',
  'semantics',
  'annotation',
  'mrow',
  'mi',
  'mn',
  'mo',
  'mtext',
  'mspace',
  'mfrac',
  'msqrt',
  'mroot',
  'msub',
  'msup',
  'msubsup',
  'mtable',
  'mtr',
  'mtd',
]);

/** How many children an element must have, where MathML fixes it. */
const ARITY: Record<string, number> = {
  mfrac: 2,
  mroot: 2,
  msub: 2,
  msup: 2,
  msubsup: 3,
  semantics: 2,
};

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: (XmlElement | string)[];
}

/**
 * A tiny strict XML reader: fails on unbalanced tags, unknown elements, a bare `<`, `>` or `&` in
 * text, and an attribute without double quotes. Enough to check what the converter emits.
 */
function parseXml(source: string): XmlElement {
  const root: XmlElement = { name: '#root', attributes: {}, children: [] };
  const stack = [root];
  const tag = /<(\/?)([a-z]+)((?:\s+[a-z]+="[^"<>]*")*)\s*>|([^<]+)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = tag.exec(source))) {
    consumed = tag.lastIndex;
    const [, closing, name, attributeText, text] = match;
    const top = stack[stack.length - 1]!;
    if (text !== undefined) {
      if (/[<>]|&(?!(amp|lt|gt|quot);)/.test(text)) throw new Error(`unescaped text "${text}"`);
      top.children.push(
        text
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&amp;/g, '&'),
      );
      continue;
    }
    if (!ELEMENTS.has(name!)) throw new Error(`unexpected element <${name}>`);
    if (closing) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key, value] of attributeText!.matchAll(/([a-z]+)="([^"]*)"/g)) {
      attributes[key!] = value!;
    }
    const element: XmlElement = { name: name!, attributes, children: [] };
    top.children.push(element);
    stack.push(element);
  }
  if (consumed !== source.length) throw new Error(`cannot read "${source.slice(consumed)}"`);
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1]!.name}> is not closed`);
  if (root.children.length !== 1 || typeof root.children[0] === 'string') {
    throw new Error('expected one root element');
  }
  return root.children[0];
}

/** Checks element arities everywhere below `element`. */
function checkArity(element: XmlElement): void {
  const elements = element.children.filter((child) => typeof child !== 'string');
  const arity = ARITY[element.name];
  if (arity !== undefined && elements.length !== arity) {
    throw new Error(`<${element.name}> has ${elements.length} children, needs ${arity}`);
  }
  elements.forEach(checkArity);
}

/** Parses and checks a whole `<math>`; returns the rendered part (the first child of semantics). */
function rendered(tex: string, display: 'inline' | 'block' = 'inline'): XmlElement {
  const math = parseXml(texToMathML(tex, display));
  expect(math.name).toBe('math');
  expect(math.attributes).toEqual({ display });
  checkArity(math);
  const [semantics] = math.children as XmlElement[];
  expect(semantics!.name).toBe('semantics');
  const [body, annotation] = semantics!.children as XmlElement[];
  expect(annotation!.name).toBe('annotation');
  expect(annotation!.attributes).toEqual({ encoding: 'application/x-tex' });
  expect(annotation!.children).toEqual([tex]);
  return body!;
}

/** The rendered part as markup, for exact comparisons of small inputs. */
function body(tex: string): string {
  const content = texToMathMLContent(tex);
  return content.slice('<semantics>'.length, content.indexOf('<annotation'));
}

/** Every text node under an element, in order. */
function texts(element: XmlElement): string[] {
  return element.children.flatMap((child) => (typeof child === 'string' ? [child] : texts(child)));
}

describe('texToMathML: constructs', () => {
  it('wraps the formula in <math>, <semantics> and a TeX annotation', () => {
    expect(texToMathML('x', 'block')).toBe(
      '<math display="block"><semantics><mrow><mi>x</mi></mrow>' +
        '<annotation encoding="application/x-tex">x</annotation></semantics></math>',
    );
    expect(texToMathML('x')).toMatch(/^<math display="inline">/);
    rendered('x', 'block');
  });

  it('reads identifiers, numbers with a decimal point, and operators', () => {
    expect(body('2x + 0.5 = y')).toBe(
      '<mrow><mn>2</mn><mi>x</mi><mo>+</mo><mn>0.5</mn><mo>=</mo><mi>y</mi></mrow>',
    );
    // A minus is U+2212; with nothing on its left it is a sign.
    expect(body('-x - 1')).toBe(
      '<mrow><mo form="prefix">−</mo><mi>x</mi><mo>−</mo><mn>1</mn></mrow>',
    );
    expect(body('(-1, 1)')).toBe(
      '<mrow><mo stretchy="false">(</mo><mo form="prefix">−</mo><mn>1</mn><mo>,</mo>' +
        '<mn>1</mn><mo stretchy="false">)</mo></mrow>',
    );
  });

  it('builds fractions, with \\tfrac in text style and single-character arguments', () => {
    expect(body('\\frac{1}{1 + x}')).toBe(
      '<mrow><mfrac><mn>1</mn><mrow><mn>1</mn><mo>+</mo><mi>x</mi></mrow></mfrac></mrow>',
    );
    expect(body('\\tfrac12')).toBe(
      '<mrow><mfrac displaystyle="false"><mn>1</mn><mn>2</mn></mfrac></mrow>',
    );
    expect(body('\\dfrac{a}{b}')).toBe(
      '<mrow><mfrac displaystyle="true"><mi>a</mi><mi>b</mi></mfrac></mrow>',
    );
  });

  it('builds square roots and roots with an index', () => {
    expect(body('\\sqrt{2/\\pi}')).toBe(
      '<mrow><msqrt><mrow><mn>2</mn><mo lspace="0em" rspace="0em">/</mo><mi>π</mi></mrow>' +
        '</msqrt></mrow>',
    );
    expect(body('\\sqrt[3]{x}')).toBe('<mrow><mroot><mi>x</mi><mn>3</mn></mroot></mrow>');
  });

  it('attaches sub- and superscripts in either order, and primes', () => {
    expect(body('x^2')).toBe('<mrow><msup><mi>x</mi><mn>2</mn></msup></mrow>');
    expect(body('x^23')).toBe('<mrow><msup><mi>x</mi><mn>2</mn></msup><mn>3</mn></mrow>');
    expect(body('W_{ij}')).toBe(
      '<mrow><msub><mi>W</mi><mrow><mi>i</mi><mi>j</mi></mrow></msub></mrow>',
    );
    const subsup = '<mrow><msubsup><mi>σ</mi><mi>w</mi><mn>2</mn></msubsup></mrow>';
    expect(body('\\sigma_w^2')).toBe(subsup);
    expect(body('\\sigma^2_w')).toBe(subsup);
    expect(body("f'")).toBe(
      '<mrow><mrow><mi>f</mi><mo lspace="0em" rspace="0em">′</mo></mrow></mrow>',
    );
    expect(body('n_\\text{in}')).toBe('<mrow><msub><mi>n</mi><mtext>in</mtext></msub></mrow>');
    expect(body('Q^\\top')).toBe('<mrow><msup><mi>Q</mi><mi>⊤</mi></msup></mrow>');
  });

  it('sets function names upright, with a thin space only before an ordinary argument', () => {
    expect(body('\\tanh(x)')).toBe(
      '<mrow><mi>tanh</mi><mo stretchy="false">(</mo><mi>x</mi><mo stretchy="false">)</mo></mrow>',
    );
    expect(body('\\tanh^2 u')).toBe(
      '<mrow><msup><mi>tanh</mi><mn>2</mn></msup><mspace width="0.1667em"></mspace><mi>u</mi></mrow>',
    );
    expect(body('\\max(0, x)')).toContain('<mi>max</mi><mo stretchy="false">(</mo>');
    expect(body('\\operatorname{ReLU}(x)')).toContain('<mi>ReLU</mi><mo stretchy="false">(</mo>');
    // One letter would be italic in MathML: \operatorname and \mathrm mark it upright.
    expect(body('\\mathrm{d}x')).toBe('<mrow><mi mathvariant="normal">d</mi><mi>x</mi></mrow>');
  });

  it('draws Greek letters (capitals upright), script and double-struck capitals', () => {
    expect(body('\\alpha\\sigma\\varphi\\pi')).toBe(
      '<mrow><mi>α</mi><mi>σ</mi><mi>φ</mi><mi>π</mi></mrow>',
    );
    expect(body('\\Phi')).toBe('<mrow><mi mathvariant="normal">Φ</mi></mrow>');
    expect(body('\\mathcal{N}\\mathcal{U}\\mathcal{L}')).toBe(
      '<mrow><mi>𝒩</mi><mi>𝒰</mi><mi>ℒ</mi></mrow>',
    );
    expect(body('\\mathbb{R}')).toBe('<mrow><mi>ℝ</mi></mrow>');
  });

  it('maps relations, binary operators and symbols', () => {
    expect(texts(rendered('a \\le b \\ge c \\ne d \\sim e \\cdot f \\pm \\infty'))).toEqual([
      'a',
      '≤',
      'b',
      '≥',
      'c',
      '≠',
      'd',
      '∼',
      'e',
      '⋅',
      'f',
      '±',
      '∞',
    ]);
    expect(body('\\{0, 1\\}')).toBe(
      '<mrow><mo stretchy="false">{</mo><mn>0</mn><mo>,</mo><mn>1</mn><mo stretchy="false">}</mo></mrow>',
    );
  });

  it('turns spacing commands into <mspace>, dropping the negative \\!', () => {
    expect(body('a\\,b\\;c\\quad d\\!e')).toBe(
      '<mrow><mi>a</mi><mspace width="0.1667em"></mspace><mi>b</mi>' +
        '<mspace width="0.2778em"></mspace><mi>c</mi><mspace width="1em"></mspace><mi>d</mi>' +
        '<mi>e</mi></mrow>',
    );
  });

  it('makes \\left…\\right stretchy fences around their content', () => {
    expect(body('\\left(\\frac{a}{b}\\right]')).toBe(
      '<mrow><mrow><mo fence="true" form="prefix" stretchy="true">(</mo>' +
        '<mfrac><mi>a</mi><mi>b</mi></mfrac>' +
        '<mo fence="true" form="postfix" stretchy="true">]</mo></mrow></mrow>',
    );
    expect(body('\\left. x \\right|')).toBe(
      '<mrow><mrow><mi>x</mi><mo fence="true" form="postfix" stretchy="true">|</mo></mrow></mrow>',
    );
    // After \right) a minus is binary again.
    expect(body('\\left(a\\right) - b')).toContain('<mo>−</mo><mi>b</mi>');
  });

  it('builds a cases block as a brace and a left-aligned table', () => {
    const cases = rendered('\\begin{cases} x & x > 0 \\\\ \\alpha x & x \\le 0 \\end{cases}');
    const [brace, table] = (cases.children[0] as XmlElement).children as XmlElement[];
    expect(brace!.name).toBe('mo');
    expect(brace!.attributes.stretchy).toBe('true');
    expect(brace!.children).toEqual(['{']);
    expect(table!.name).toBe('mtable');
    const rows = table!.children as XmlElement[];
    expect(rows.map((row) => row.name)).toEqual(['mtr', 'mtr']);
    expect(rows.map((row) => texts(row))).toEqual([
      ['x', 'x', '>', '0'],
      ['α', 'x', 'x', '≤', '0'],
    ]);
    for (const row of rows) {
      const cells = row.children as XmlElement[];
      expect(cells.map((cell) => [cell.name, cell.attributes.columnalign])).toEqual([
        ['mtd', 'left'],
        ['mtd', 'left'],
      ]);
    }
    // A trailing \\ adds no empty row.
    const trailing = rendered('\\begin{cases} 1 & a \\\\ 0 & b \\\\ \\end{cases}');
    const trailingTable = (trailing.children[0] as XmlElement).children[1] as XmlElement;
    expect(trailingTable.children).toHaveLength(2);
  });

  it('keeps the text of \\text, spaces included', () => {
    expect(body('x \\text{ if } y')).toBe('<mrow><mi>x</mi><mtext> if </mtext><mi>y</mi></mrow>');
  });
});

describe('texToMathML: escaping', () => {
  it('escapes < > & in the formula and in the annotation', () => {
    const markup = texToMathML('a < b \\text{ & } c > d \\& e');
    expect(markup).toContain('<mo>&lt;</mo>');
    expect(markup).toContain('<mo>&gt;</mo>');
    expect(markup).toContain('<mtext> &amp; </mtext>');
    expect(markup).toContain('<mo>&amp;</mo>');
    expect(markup).toContain(
      '<annotation encoding="application/x-tex">a &lt; b \\text{ &amp; } c &gt; d \\&amp; e</annotation>',
    );
    expect(texts(rendered('a < b \\text{ & } c'))).toEqual(['a', '<', 'b', ' & ', 'c']);
  });

  it('cannot be made to emit markup from text', () => {
    const math = rendered('\\text{<script>"x"</script>}');
    expect(texts(math)).toEqual(['<script>"x"</script>']);
    expect(texToMathML('\\text{<script>}')).not.toContain('<script>');
  });
});

describe('texToMathML: errors', () => {
  it('names an unsupported command', () => {
    expect(() => texToMathML('\\foo{x}')).toThrow(TexError);
    expect(() => texToMathML('x + \\bigl( y')).toThrow(/Unsupported TeX command "\\bigl"/);
    expect(() => texToMathML('\\mathbf{x}')).toThrow(/"\\mathbf"/);
    expect(() => texToMathML('\\text{a \\b}')).toThrow(/"\\b" inside \\text/);
  });

  it('names an unsupported environment, delimiter or character', () => {
    expect(() => texToMathML('\\begin{matrix} a \\end{matrix}')).toThrow(
      /Unsupported environment "matrix"/,
    );
    expect(() => texToMathML('\\left\\lfloor x \\right)')).toThrow(
      /Unsupported delimiter "\\lfloor"/,
    );
    expect(() => texToMathML('x ~ y')).toThrow(/Unsupported character "~"/);
  });

  it('reports malformed formulas with their position', () => {
    expect(() => texToMathML('\\frac{1}{2')).toThrow(/Missing "}"/);
    expect(() => texToMathML('x}')).toThrow(/Unbalanced "}" at position 1 of TeX "x}"/);
    expect(() => texToMathML('\\left( x')).toThrow(/Missing \\right/);
    expect(() => texToMathML('x \\right)')).toThrow(/\\right without \\left/);
    expect(() => texToMathML('a & b')).toThrow(/"&" outside a table/);
    expect(() => texToMathML('x^2^3')).toThrow(/Double superscript/);
    expect(() => texToMathML('^2')).toThrow(/without a base/);
    expect(() => texToMathML('\\frac{1}')).toThrow(/Missing argument for \\frac/);
    expect(() => texToMathML('\\begin{cases} 1 & x \\end{array}')).toThrow(
      /\\end\{array\} closes \\begin\{cases\}/,
    );
    expect(() => texToMathML('\\mathcal{xy}')).toThrow(/one capital letter/);
  });
});

describe('texToMathML: every formula in the engine tables', () => {
  const formulas = [
    ...Object.values(ACTIVATIONS).flatMap((activation) => [
      [`${activation.name}.tex`, activation.tex],
      [`${activation.name}.derivativeTex`, activation.derivativeTex],
      [`${activation.name}.rangeTex`, activation.rangeTex],
    ]),
    ...Object.entries(INITS).map(([name, init]) => [`init ${name}.tex`, init.tex]),
  ] as [string, string][];

  it.each(formulas)('%s converts to well-formed MathML with no TeX left in it', (_, tex) => {
    const math = rendered(tex);
    const shown = texts(math).join('');
    // Braces only as drawn fences; no TeX syntax leaks into the rendered text.
    expect(shown).not.toMatch(/[\\^_]/);
    expect(texToMathMLContent(tex).split('<annotation')[0]).not.toContain('\\');
  });

  it('renders the table formulas as the chapter writes them', () => {
    expect(texts(rendered(ACTIVATIONS.sigmoid.tex)).join('')).toBe('σ(x)=11+e−x');
    expect(texts(rendered(ACTIVATIONS.relu.derivativeTex)).join(' ')).toBe(
      'ReLU ′ ( x ) = { 1 x > 0 0 x ≤ 0',
    );
    expect(texts(rendered(INITS.xavier.tex)).join('')).toBe('Wij∼𝒩(0,2nin+nout)');
  });
});
