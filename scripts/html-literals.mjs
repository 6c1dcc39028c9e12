// How the markup of gradlab's elements (Lit's html`…` tagged templates in src/) is built: each run
// of white space that holds a line break becomes one space, so the layout of the sources (their
// indentation, one attribute a line) is not shipped. A browser renders the markup the same: HTML
// collapses such runs to one space wherever white space is not preserved, and inside tags one
// space separates attributes as well as a line break does. Templates that hold a <pre> or a
// <textarea>, where white space is kept, are left as they are, and so is a line continuation
// (a backslash before the line break). The sources stay laid out.
import ts from 'typescript';

/** One static part of an html`…` template, its multi-line white space runs as one space each. */
export function compactHtml(text) {
  return text.replace(/(^|[^\\])[^\S\n]*\n\s*/g, '$1 ');
}

/** Where white space is kept: such a template is not compacted. */
const PRESERVING = /<(pre|textarea)\b/i;

/**
 * The static parts of a tagged template as [from, to) ranges of the source (between the backtick
 * or `}` and the next `${` or backtick).
 */
function staticRanges(template, file) {
  if (ts.isNoSubstitutionTemplateLiteral(template)) {
    return [[template.getStart(file) + 1, template.end - 1]];
  }
  const literals = [template.head, ...template.templateSpans.map((span) => span.literal)];
  return literals.map((literal) => {
    const closing = ts.isTemplateTail(literal) ? 1 : 2;
    return [literal.getStart(file) + 1, literal.end - closing];
  });
}

/** A module's source with the static text of each html`…` template compacted. */
export function compactHtmlLiterals(source, fileName = 'module.ts') {
  const file = ts.createSourceFile(
    fileName,
    source,
    ts.ScriptTarget.Latest,
    true,
    ts.ScriptKind.TS,
  );
  const ranges = [];
  const visit = (node) => {
    if (
      ts.isTaggedTemplateExpression(node) &&
      ts.isIdentifier(node.tag) &&
      node.tag.text === 'html'
    ) {
      const parts = staticRanges(node.template, file);
      if (!parts.some(([from, to]) => PRESERVING.test(source.slice(from, to))))
        ranges.push(...parts);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let last = 0;
  for (const [from, to] of ranges) {
    out += source.slice(last, from) + compactHtml(source.slice(from, to));
    last = to;
  }
  return out + source.slice(last);
}

/** A Vite plugin: compacts the html`…` templates of gradlab's own TypeScript modules. */
export function htmlLiteralsPlugin() {
  return {
    name: 'gradlab-html-literals',
    enforce: 'pre',
    apply: 'build',
    transform(code, id) {
      if (!/\/src\/.*\.ts$/.test(id) || !code.includes('html`')) return null;
      return { code: compactHtmlLiterals(code, id), map: null };
    },
  };
}
