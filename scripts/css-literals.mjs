// How the styles of gradlab's elements (Lit's css`…` tagged templates in src/) are built: comments
// and layout are dropped, as a CSS minifier would, so a page that embeds a figure downloads less.
// The sources stay laid out and commented. Only what cannot change a rule's meaning goes: comments,
// runs of white space (kept as one space), the white space beside `{`, `}`, `;` and `,`, and after
// `:` (`color: red`, `(max-width: 40rem)`). White space before `:` and beside `>`, `+` and `-`
// stays (`a :hover` is not `a:hover`, and calc() needs its spaces around + and -), and quoted
// strings are left as they are.

/** CSS outside strings and comments: white space runs as one space, none beside { } ; , or after : */
function compactCode(text) {
  return text
    .replace(/\s+/g, ' ')
    .replace(/ ?([{};,]) ?/g, '$1')
    .replace(/: /g, ':');
}

/** One static part of a css`…` template (between two `${…}`), compacted. */
export function compactCss(text) {
  let out = '';
  let code = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === "'") {
      // A quoted string, to its closing quote (or the end of this part), untouched.
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += compactCode(code) + text.slice(i, j + 1);
      code = '';
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      code += ' ';
    } else {
      code += c;
      i++;
    }
  }
  return out + compactCode(code);
}

/**
 * The template literal that starts at `start` (its opening backtick): its static parts as
 * [from, to) ranges, and the index after its closing backtick; null when an expression holds a
 * template literal of its own (left alone).
 */
function templateParts(source, start) {
  const parts = [];
  let from = start + 1;
  let i = from;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') i += 2;
    else if (c === '`') {
      parts.push([from, i]);
      return { parts, end: i + 1 };
    } else if (c === '$' && source[i + 1] === '{') {
      parts.push([from, i]);
      let depth = 1;
      i += 2;
      while (i < source.length && depth > 0) {
        const d = source[i];
        if (d === '`') return null;
        if (d === '{') depth++;
        else if (d === '}') depth--;
        i++;
      }
      from = i;
    } else i++;
  }
  return null;
}

/** A module's source with the static text of each css`…` template compacted. */
export function compactCssLiterals(source) {
  let out = '';
  let last = 0;
  for (const match of source.matchAll(/\bcss`/g)) {
    const start = match.index + 3;
    if (start < last) continue;
    const template = templateParts(source, start);
    if (!template) continue;
    out += source.slice(last, start + 1);
    let cursor = start + 1;
    template.parts.forEach(([from, to], k) => {
      out += source.slice(cursor, from);
      let text = compactCss(source.slice(from, to));
      if (k === 0) text = text.trimStart();
      if (k === template.parts.length - 1) text = text.trimEnd();
      out += text;
      cursor = to;
    });
    out += source.slice(cursor, template.end);
    last = template.end;
  }
  return out + source.slice(last);
}

/** A Vite plugin: compacts the css`…` templates of gradlab's own TypeScript modules. */
export function cssLiteralsPlugin() {
  return {
    name: 'gradlab-css-literals',
    enforce: 'pre',
    apply: 'build',
    transform(code, id) {
      if (!/\/src\/.*\.ts$/.test(id) || !code.includes('css`')) return null;
      return { code: compactCssLiterals(code), map: null };
    },
  };
}
