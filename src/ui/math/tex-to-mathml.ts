/**
 * A small TeX-to-MathML converter for the formulas in the engine's tables (activations, inits).
 *
 * Why not KaTeX: the embeddable build must stay small, and Chromium, Firefox and Safari render
 * MathML Core natively with the system's math font, so no fonts and no layout code ship here.
 * Why so strict: the only input is our own tables, so anything outside the subset below is a
 * mistake to fix, not something to guess at. An unknown command, environment or character throws
 * an Error that names it, and a test runs every table entry through this module.
 *
 * The subset: letters, numbers, + − = < > , ; : ( ) [ ] | / ! ' ; groups `{…}`; `^` and `_`;
 * \frac \tfrac \dfrac \sqrt (with an optional index); \left…\right; \begin{cases}…\end{cases};
 * \text \mathrm \operatorname \mathcal \mathbb; Greek letters; function names (\tanh, \max, …);
 * the relations, binary operators and symbols in the tables below; spacing (\, \: \; \! \quad).
 */

/** A TeX construct the converter does not know (or a malformed formula). */
export class TexError extends Error {
  constructor(
    readonly tex: string,
    readonly position: number,
    detail: string,
  ) {
    super(`${detail} at position ${position} of TeX "${tex}"`);
    this.name = 'TexError';
  }
}

export type MathDisplay = 'inline' | 'block';

/**
 * `<math display="…"><semantics>…<annotation encoding="application/x-tex">…</annotation>
 * </semantics></math>`: the formula as MathML Core, with its TeX source kept for copying.
 */
export function texToMathML(tex: string, display: MathDisplay = 'inline'): string {
  return `<math display="${display}">${texToMathMLContent(tex)}</math>`;
}

/** What goes inside `<math>`: the rendered formula and its TeX annotation, in `<semantics>`. */
export function texToMathMLContent(tex: string): string {
  const parser = new Parser(tex);
  const body = parser.parseFormula();
  return (
    `<semantics>${body}` +
    `<annotation encoding="application/x-tex">${escapeText(tex)}</annotation></semantics>`
  );
}

/** Escapes text for element content and double-quoted attribute values. */
export function escapeText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * TeX's atom classes, reduced to what spacing needs here: a function name (`op`) gets a thin
 * space before an ordinary atom (`\tanh u`) but not before an opening delimiter (`\tanh(x)`), and
 * a + or − with nothing on its left (start, after an operator, relation, opening or comma) is a
 * sign, not a binary operator.
 */
type AtomKind = 'ord' | 'op' | 'bin' | 'rel' | 'open' | 'close' | 'punct' | 'inner' | 'space';

interface Atom {
  markup: string;
  kind: AtomKind;
  /** For + and −: the markup if it turns out to be a sign. */
  prefixMarkup?: string;
}

/** Where a sequence of atoms stops. */
type Context = 'top' | 'group' | 'left' | 'cell';

const THIN_SPACE = '0.1667em';

const SPACES: Record<string, string | null> = {
  ',': THIN_SPACE,
  ':': '0.2222em',
  '>': '0.2222em',
  ';': '0.2778em',
  ' ': '0.25em',
  quad: '1em',
  qquad: '2em',
  // A negative thin space only tightens kerning; MathML Core has no negative <mspace>.
  '!': null,
};

const GREEK_LOWER: Record<string, string> = {
  alpha: 'α',
  beta: 'β',
  gamma: 'γ',
  delta: 'δ',
  epsilon: 'ϵ',
  varepsilon: 'ε',
  zeta: 'ζ',
  eta: 'η',
  theta: 'θ',
  vartheta: 'ϑ',
  iota: 'ι',
  kappa: 'κ',
  lambda: 'λ',
  mu: 'μ',
  nu: 'ν',
  xi: 'ξ',
  pi: 'π',
  rho: 'ρ',
  sigma: 'σ',
  tau: 'τ',
  upsilon: 'υ',
  phi: 'ϕ',
  varphi: 'φ',
  chi: 'χ',
  psi: 'ψ',
  omega: 'ω',
};

/** Upright, as TeX sets capital Greek. */
const GREEK_UPPER: Record<string, string> = {
  Gamma: 'Γ',
  Delta: 'Δ',
  Theta: 'Θ',
  Lambda: 'Λ',
  Xi: 'Ξ',
  Pi: 'Π',
  Sigma: 'Σ',
  Upsilon: 'Υ',
  Phi: 'Φ',
  Psi: 'Ψ',
  Omega: 'Ω',
};

/** Ordinary symbols, drawn as identifiers. */
const SYMBOLS: Record<string, string> = {
  infty: '∞',
  partial: '∂',
  nabla: '∇',
  top: '⊤',
  bot: '⊥',
  ell: 'ℓ',
  emptyset: '∅',
};

const BINARY: Record<string, string> = {
  cdot: '⋅',
  times: '×',
  pm: '±',
  mp: '∓',
  odot: '⊙',
  circ: '∘',
  ast: '∗',
};

const RELATIONS: Record<string, string> = {
  le: '≤',
  leq: '≤',
  ge: '≥',
  geq: '≥',
  ne: '≠',
  neq: '≠',
  sim: '∼',
  approx: '≈',
  equiv: '≡',
  propto: '∝',
  in: '∈',
  to: '→',
  rightarrow: '→',
  leftarrow: '←',
  mapsto: '↦',
  ll: '≪',
  gg: '≫',
};

const LARGE_OPERATORS: Record<string, string> = { sum: '∑', prod: '∏' };

const ELLIPSES: Record<string, string> = { ldots: '…', cdots: '⋯' };

/** Function names TeX sets upright, with a thin space before an ordinary argument. */
const FUNCTION_NAMES = new Set([
  'sin',
  'cos',
  'tan',
  'sinh',
  'cosh',
  'tanh',
  'exp',
  'ln',
  'log',
  'max',
  'min',
  'arg',
  'det',
]);

/** Characters escaped by a backslash, and what they are. */
const ESCAPED_CHARACTERS: Record<string, Atom> = {
  '{': { markup: '<mo stretchy="false">{</mo>', kind: 'open' },
  '}': { markup: '<mo stretchy="false">}</mo>', kind: 'close' },
  '|': { markup: '<mo stretchy="false">‖</mo>', kind: 'ord' },
  '&': { markup: '<mo>&amp;</mo>', kind: 'ord' },
  '%': { markup: '<mo>%</mo>', kind: 'ord' },
  _: { markup: '<mi>_</mi>', kind: 'ord' },
  '#': { markup: '<mi>#</mi>', kind: 'ord' },
  $: { markup: '<mi>$</mi>', kind: 'ord' },
};

/** Plain characters that are operators: the drawn character and the atom class. */
const OPERATOR_CHARACTERS: Record<string, [string, AtomKind]> = {
  '+': ['+', 'bin'],
  '-': ['−', 'bin'],
  '*': ['∗', 'bin'],
  '=': ['=', 'rel'],
  '<': ['<', 'rel'],
  '>': ['>', 'rel'],
  ':': [':', 'rel'],
  ',': [',', 'punct'],
  ';': [';', 'punct'],
  '(': ['(', 'open'],
  '[': ['[', 'open'],
  ')': [')', 'close'],
  ']': [']', 'close'],
  '!': ['!', 'close'],
  '|': ['|', 'ord'],
  '/': ['/', 'ord'],
  '.': ['.', 'ord'],
};

/** Delimiters after \left and \right (`.` is the empty one). */
const DELIMITERS: Record<string, string> = {
  '(': '(',
  ')': ')',
  '[': '[',
  ']': ']',
  '|': '|',
  '.': '',
  '\\{': '{',
  '\\}': '}',
  '\\|': '‖',
  '\\langle': '⟨',
  '\\rangle': '⟩',
};

/** `\mathbb` letters that have their own Unicode character. */
const DOUBLE_STRUCK: Record<string, string> = {
  C: 'ℂ',
  N: 'ℕ',
  Q: 'ℚ',
  R: 'ℝ',
  Z: 'ℤ',
};

/** Script capitals that Unicode placed in Letterlike Symbols rather than at U+1D49C + i. */
const SCRIPT_EXCEPTIONS: Record<string, string> = {
  B: 'ℬ',
  E: 'ℰ',
  F: 'ℱ',
  H: 'ℋ',
  I: 'ℐ',
  L: 'ℒ',
  M: 'ℳ',
  R: 'ℛ',
};

/**
 * \mathcal{X} as a Unicode mathematical script capital: MathML Core drops `mathvariant` except
 * "normal", so the style lives in the character itself.
 */
function scriptCapital(letter: string): string {
  return (
    SCRIPT_EXCEPTIONS[letter] ??
    String.fromCodePoint(0x1d49c + letter.charCodeAt(0) - 'A'.charCodeAt(0))
  );
}

/** One element from several: an `<mrow>` unless there is exactly one. */
function row(children: readonly string[]): string {
  return children.length === 1 ? children[0]! : `<mrow>${children.join('')}</mrow>`;
}

/** An identifier; a one-character name is italic in MathML unless it is marked upright. */
function identifier(text: string, upright: boolean): string {
  const variant = upright && [...text].length === 1 ? ' mathvariant="normal"' : '';
  return `<mi${variant}>${escapeText(text)}</mi>`;
}

class Parser {
  private position = 0;

  constructor(private readonly tex: string) {}

  /** The whole formula as one element. */
  parseFormula(): string {
    const children = this.parseSequence('top');
    return `<mrow>${children.join('')}</mrow>`;
  }

  private fail(detail: string, position = this.position): never {
    throw new TexError(this.tex, position, detail);
  }

  private peek(offset = 0): string | undefined {
    return this.tex[this.position + offset];
  }

  private skipSpaces(): void {
    while (/\s/.test(this.peek() ?? '')) this.position++;
  }

  /** The command name at the position (after a backslash), without moving. */
  private peekCommand(): string | undefined {
    if (this.peek() !== '\\') return undefined;
    const letters = /^[A-Za-z]+/.exec(this.tex.slice(this.position + 1));
    return letters ? letters[0] : this.peek(1);
  }

  /** Reads `\name` (letters) or `\x` (one other character) and returns the name. */
  private readCommand(): string {
    const name = this.peekCommand();
    if (name === undefined) this.fail('Expected a command after "\\"');
    this.position += 1 + name.length;
    return name;
  }

  private expect(character: string, what: string): void {
    this.skipSpaces();
    if (this.peek() !== character) this.fail(`Expected "${character}" ${what}`);
    this.position++;
  }

  /**
   * Atoms up to the end of the context: `}` for a group, \right for \left, `&`, `\\` or \end for
   * a table cell, the end of the input at the top. Returns MathML elements.
   */
  private parseSequence(context: Context): string[] {
    const atoms: Atom[] = [];
    for (;;) {
      this.skipSpaces();
      const character = this.peek();
      if (character === undefined) {
        if (context === 'top') break;
        this.fail(
          context === 'group'
            ? 'Missing "}"'
            : context === 'left'
              ? 'Missing \\right'
              : 'Missing \\end',
        );
      }
      if (character === '}') {
        if (context === 'group') break;
        this.fail('Unbalanced "}"');
      }
      if (character === '&') {
        if (context === 'cell') break;
        this.fail('"&" outside a table environment');
      }
      const command = this.peekCommand();
      if (command === '\\' || command === 'end') {
        if (context === 'cell') break;
        this.fail(`\\${command} outside a table environment`);
      }
      if (command === 'right') {
        if (context === 'left') break;
        this.fail('\\right without \\left');
      }
      const atom = this.parseScripts(this.parseAtom(false));
      if (atom) atoms.push(atom);
    }
    return spaceAtoms(atoms);
  }

  /** The argument of a command or script: a group, or a single character or command. */
  private parseArgument(what: string): string {
    this.skipSpaces();
    const character = this.peek();
    if (character === undefined || character === '}' || character === '&') {
      this.fail(`Missing argument for ${what}`);
    }
    const atom = this.parseAtom(true);
    if (!atom) this.fail(`Missing argument for ${what}`);
    return atom.markup;
  }

  /** Reads `{…}` as raw text (for \text and friends). */
  private readRawGroup(command: string): string {
    this.expect('{', `after \\${command}`);
    let text = '';
    for (;;) {
      const character = this.peek();
      if (character === undefined) this.fail(`Missing "}" after \\${command}`);
      if (character === '}') break;
      if (character === '{') this.fail(`Nested braces in \\${command}{…} are not supported`);
      if (character === '\\') {
        const escaped = this.peek(1);
        if (escaped !== undefined && '{}&%_#$ '.includes(escaped)) {
          text += escaped;
          this.position += 2;
          continue;
        }
        const start = this.position;
        this.fail(`Unsupported TeX command "\\${this.readCommand()}" inside \\${command}`, start);
      }
      text += character;
      this.position++;
    }
    this.position++;
    return text;
  }

  /** `^`, `_` and primes after an atom. */
  private parseScripts(base: Atom | null): Atom | null {
    let superscript: string | undefined;
    let subscript: string | undefined;
    let primes = 0;
    for (;;) {
      this.skipSpaces();
      const character = this.peek();
      if (character === "'") {
        if (superscript !== undefined) this.fail('Prime after a superscript');
        primes++;
        this.position++;
      } else if (character === '^' || character === '_') {
        if (!base) this.fail(`"${character}" without a base`);
        this.position++;
        const script = this.parseArgument(character === '^' ? 'a superscript' : 'a subscript');
        if (character === '^') {
          if (superscript !== undefined) this.fail('Double superscript');
          superscript = script;
        } else {
          if (subscript !== undefined) this.fail('Double subscript');
          subscript = script;
        }
      } else break;
    }
    if (!base) {
      if (primes === 0) return null;
      this.fail('A prime without a base');
    }
    let markup = base.markup;
    // A prime sits on the baseline after its base: the font draws it raised already.
    if (primes > 0) {
      markup = `<mrow>${markup}${'<mo lspace="0em" rspace="0em">′</mo>'.repeat(primes)}</mrow>`;
    }
    if (superscript !== undefined && subscript !== undefined) {
      markup = `<msubsup>${markup}${subscript}${superscript}</msubsup>`;
    } else if (superscript !== undefined) {
      markup = `<msup>${markup}${superscript}</msup>`;
    } else if (subscript !== undefined) {
      markup = `<msub>${markup}${subscript}</msub>`;
    }
    return markup === base.markup ? base : { markup, kind: base.kind };
  }

  /**
   * One atom. `single` (for arguments and scripts) reads one character of a number, as TeX does:
   * `\tfrac12` is ½ and `x^23` is x² followed by 3.
   */
  private parseAtom(single: boolean): Atom | null {
    const start = this.position;
    const character = this.peek()!;
    if (character === '{') {
      this.position++;
      const children = this.parseSequence('group');
      this.position++; // the "}" that ended the group
      return { markup: row(children.length === 0 ? ['<mrow></mrow>'] : children), kind: 'ord' };
    }
    if (character === '\\') return this.parseCommand();
    if (/[0-9]/.test(character) || (character === '.' && /[0-9]/.test(this.peek(1) ?? ''))) {
      const number = single
        ? character
        : /^(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)/.exec(this.tex.slice(start))![0];
      this.position += number.length;
      return { markup: `<mn>${number}</mn>`, kind: 'ord' };
    }
    if (/[A-Za-z]/.test(character)) {
      this.position++;
      return { markup: identifier(character, false), kind: 'ord' };
    }
    const operator = OPERATOR_CHARACTERS[character];
    if (operator) {
      this.position++;
      const [text, kind] = operator;
      // A plain ( [ ) ] | keeps its size, as in TeX (\left…\right stretches); an ordinary / | .
      // gets no operator spacing, as in TeX.
      const stretchy = kind === 'open' || kind === 'close' || character === '|';
      const attributes =
        (stretchy ? ' stretchy="false"' : '') +
        (kind === 'ord' ? ' lspace="0em" rspace="0em"' : '');
      const markup = `<mo${attributes}>${escapeText(text)}</mo>`;
      return kind === 'bin'
        ? { markup, kind, prefixMarkup: `<mo form="prefix">${text}</mo>` }
        : { markup, kind };
    }
    if (character === "'") return null; // a prime with no base: parseScripts reports it
    if (character === '^' || character === '_') this.fail(`"${character}" without a base`);
    return this.fail(`Unsupported character "${character}"`);
  }

  private parseCommand(): Atom | null {
    const start = this.position;
    const name = this.readCommand();
    const space = SPACES[name];
    if (space !== undefined) {
      return space === null
        ? null
        : { markup: `<mspace width="${space}"></mspace>`, kind: 'space' };
    }
    const escaped = ESCAPED_CHARACTERS[name];
    if (escaped) return escaped;
    const lower = GREEK_LOWER[name];
    if (lower) return { markup: identifier(lower, false), kind: 'ord' };
    const upper = GREEK_UPPER[name];
    if (upper) return { markup: identifier(upper, true), kind: 'ord' };
    const symbol = SYMBOLS[name];
    if (symbol) return { markup: `<mi>${symbol}</mi>`, kind: 'ord' };
    const binary = BINARY[name];
    if (binary) {
      return {
        markup: `<mo>${binary}</mo>`,
        kind: 'bin',
        prefixMarkup: `<mo form="prefix">${binary}</mo>`,
      };
    }
    const relation = RELATIONS[name];
    if (relation) return { markup: `<mo>${relation}</mo>`, kind: 'rel' };
    const large = LARGE_OPERATORS[name];
    if (large) return { markup: `<mo>${large}</mo>`, kind: 'op' };
    const ellipsis = ELLIPSES[name];
    if (ellipsis) return { markup: `<mo>${ellipsis}</mo>`, kind: 'ord' };
    if (FUNCTION_NAMES.has(name)) return { markup: `<mi>${name}</mi>`, kind: 'op' };
    switch (name) {
      case 'frac':
      case 'tfrac':
      case 'dfrac': {
        const numerator = this.parseArgument(`\\${name}`);
        const denominator = this.parseArgument(`\\${name}`);
        const style =
          name === 'tfrac'
            ? ' displaystyle="false"'
            : name === 'dfrac'
              ? ' displaystyle="true"'
              : '';
        return { markup: `<mfrac${style}>${numerator}${denominator}</mfrac>`, kind: 'ord' };
      }
      case 'sqrt': {
        this.skipSpaces();
        if (this.peek() === '[') {
          this.position++;
          const index = this.parseBracketed();
          const radicand = this.parseArgument('\\sqrt');
          return { markup: `<mroot>${radicand}${index}</mroot>`, kind: 'ord' };
        }
        return { markup: `<msqrt>${this.parseArgument('\\sqrt')}</msqrt>`, kind: 'ord' };
      }
      case 'left':
        return this.parseLeftRight();
      case 'begin':
        return this.parseEnvironment();
      case 'text':
      case 'textrm':
      case 'mbox':
        return { markup: `<mtext>${escapeText(this.readRawGroup(name))}</mtext>`, kind: 'ord' };
      case 'mathrm':
      case 'operatorname': {
        const text = this.readRawGroup(name).trim();
        if (!/^[A-Za-z0-9]+$/.test(text)) {
          this.fail(`\\${name}{…} takes letters and digits only, not "${text}"`, start);
        }
        return { markup: identifier(text, true), kind: name === 'operatorname' ? 'op' : 'ord' };
      }
      case 'mathcal': {
        const letter = this.readRawGroup(name).trim();
        if (!/^[A-Z]$/.test(letter))
          this.fail(`\\mathcal takes one capital letter, not "${letter}"`, start);
        return { markup: `<mi>${scriptCapital(letter)}</mi>`, kind: 'ord' };
      }
      case 'mathbb': {
        const letter = this.readRawGroup(name).trim();
        const character = DOUBLE_STRUCK[letter];
        if (!character) {
          this.fail(
            `\\mathbb takes one of ${Object.keys(DOUBLE_STRUCK).join(', ')}, not "${letter}"`,
            start,
          );
        }
        return { markup: `<mi>${character}</mi>`, kind: 'ord' };
      }
      default:
        return this.fail(
          `Unsupported TeX command "\\${name}" (add it to src/ui/math/tex-to-mathml.ts)`,
          start,
        );
    }
  }

  /** The index of \sqrt[n]{…}, up to the closing bracket. */
  private parseBracketed(): string {
    const children: string[] = [];
    for (;;) {
      this.skipSpaces();
      const character = this.peek();
      if (character === undefined) this.fail('Missing "]" after \\sqrt[');
      if (character === ']') break;
      const atom = this.parseScripts(this.parseAtom(false));
      if (atom) children.push(atom.markup);
    }
    this.position++;
    return row(children.length === 0 ? ['<mrow></mrow>'] : children);
  }

  private readDelimiter(command: string): string {
    this.skipSpaces();
    const start = this.position;
    let token = this.peek() ?? '';
    if (token === '\\') token = `\\${this.readCommand()}`;
    else this.position++;
    const delimiter = DELIMITERS[token];
    if (delimiter === undefined) {
      this.fail(
        `Unsupported delimiter "${token}" after \\${command} (allowed: ${Object.keys(DELIMITERS).join(' ')})`,
        start,
      );
    }
    return delimiter;
  }

  /** \left( … \right): fences that stretch to their content. */
  private parseLeftRight(): Atom {
    const open = this.readDelimiter('left');
    const children = this.parseSequence('left');
    this.readCommand(); // \right, which ended the sequence
    const close = this.readDelimiter('right');
    const fence = (text: string, form: string) =>
      text === '' ? '' : `<mo fence="true" form="${form}" stretchy="true">${escapeText(text)}</mo>`;
    return {
      markup: `<mrow>${fence(open, 'prefix')}${children.join('')}${fence(close, 'postfix')}</mrow>`,
      kind: 'inner',
    };
  }

  /** \begin{cases} … \end{cases}: a brace and a left-aligned table of value and condition. */
  private parseEnvironment(): Atom {
    const start = this.position;
    const environment = this.readRawGroup('begin').trim();
    if (environment !== 'cases') {
      this.fail(`Unsupported environment "${environment}" (supported: cases)`, start);
    }
    const rows: string[][] = [];
    let cells: string[] = [];
    for (;;) {
      const content = this.parseSequence('cell');
      cells.push(content.length === 0 ? '<mrow></mrow>' : row(content));
      if (this.peek() === '&') {
        this.position++;
        continue;
      }
      rows.push(cells);
      cells = [];
      const endStart = this.position;
      const command = this.readCommand();
      if (command === 'end') {
        const name = this.readRawGroup('end').trim();
        if (name !== environment)
          this.fail(`\\end{${name}} closes \\begin{${environment}}`, endStart);
        break;
      }
    }
    // A trailing \\ before \end leaves one empty row: TeX draws nothing for it.
    const last = rows[rows.length - 1]!;
    if (rows.length > 1 && last.length === 1 && last[0] === '<mrow></mrow>') rows.pop();
    const table = rows
      .map(
        (cellsOfRow) =>
          `<mtr>${cellsOfRow.map((cell) => `<mtd columnalign="left">${cell}</mtd>`).join('')}</mtr>`,
      )
      .join('');
    return {
      markup: `<mrow><mo fence="true" form="prefix" stretchy="true">{</mo><mtable>${table}</mtable></mrow>`,
      kind: 'inner',
    };
  }
}

/**
 * Joins atoms with TeX's spacing rules that MathML does not infer: a thin space between a function
 * name and an ordinary argument, and + or − as a sign where nothing stands on its left (explicit
 * spaces do not count).
 */
function spaceAtoms(atoms: readonly Atom[]): string[] {
  const out: string[] = [];
  let previous: Atom | undefined;
  atoms.forEach((atom, i) => {
    const isSign =
      atom.kind === 'bin' &&
      (!previous || ['bin', 'rel', 'open', 'punct', 'op'].includes(previous.kind));
    out.push(isSign && atom.prefixMarkup ? atom.prefixMarkup : atom.markup);
    const next = atoms[i + 1];
    if (atom.kind === 'op' && next?.kind === 'ord') {
      out.push(`<mspace width="${THIN_SPACE}"></mspace>`);
    }
    if (atom.kind !== 'space') previous = atom;
  });
  return out;
}
