/**
 * The build compacts the elements' html`…` templates (scripts/html-literals.mjs) without changing
 * what a browser renders: in every template of src/, the static text keeps the same words in the
 * same places, and only a white space run that held a line break becomes one space. Templates
 * with a <pre> or a <textarea>, where white space is kept, are untouched.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { compactHtml, compactHtmlLiterals } from '../../scripts/html-literals.mjs';

/** The static parts of every html`…` template of a module, in source order. */
function templates(source: string): string[][] {
  const file = ts.createSourceFile('m.ts', source, ts.ScriptTarget.Latest, true);
  const found: string[][] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isTaggedTemplateExpression(node) && node.tag.getText(file) === 'html') {
      const t = node.template;
      found.push(
        ts.isNoSubstitutionTemplateLiteral(t)
          ? [t.rawText ?? '']
          : [t.head.rawText ?? '', ...t.templateSpans.map((span) => span.literal.rawText ?? '')],
      );
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const sourceFiles = (readdirSync('src', { recursive: true }) as string[])
  .filter((name) => name.endsWith('.ts'))
  .map((name) => join('src', name))
  .filter((file) => readFileSync(file, 'utf8').includes('html`'));

describe('compactHtml', () => {
  it('turns each white space run that holds a line break into one space', () => {
    expect(compactHtml('\n  <p class="a"\n     id="b">\n    text\n  </p>\n')).toBe(
      ' <p class="a" id="b"> text </p> ',
    );
  });

  it('leaves runs without a line break, and a line continuation, as they are', () => {
    expect(compactHtml('<b>a</b>  <i>b</i>')).toBe('<b>a</b>  <i>b</i>');
    expect(compactHtml('a\\\n  b')).toBe('a\\\n  b');
  });
});

describe('compactHtmlLiterals', () => {
  it('compacts nested templates, and no other template literal', () => {
    const source = [
      'const a = html`<ul>',
      '  ${items.map((i) => html`<li>',
      '    ${i}',
      '  </li>`)}',
      '</ul>`;',
      'const b = `keep',
      '  this`;',
    ].join('\n');
    expect(compactHtmlLiterals(source)).toBe(
      'const a = html`<ul> ${items.map((i) => html`<li> ${i} </li>`)} </ul>`;\nconst b = `keep\n  this`;',
    );
  });

  it('leaves a template with a <pre> alone', () => {
    const source = 'html`<pre>\n  ${code}\n</pre>`';
    expect(compactHtmlLiterals(source)).toBe(source);
  });

  it('finds the templates it compacts', () => {
    expect(sourceFiles.length).toBeGreaterThan(40);
  });

  it.each(sourceFiles)('%s: the same markup, in fewer bytes', (file) => {
    const source = readFileSync(file, 'utf8');
    const compacted = compactHtmlLiterals(source, file);
    const before = templates(source);
    const after = templates(compacted);
    expect(after.length).toBe(before.length);
    const words = (text: string) => text.split(/\s+/).filter(Boolean);
    before.forEach((parts, t) => {
      expect(after[t]!.length).toBe(parts.length);
      const preserving = parts.some((part) => /<(pre|textarea)\b/i.test(part));
      parts.forEach((part, k) => {
        const now = after[t]![k]!;
        if (preserving) expect(now).toBe(part);
        else {
          expect(words(now)).toEqual(words(part));
          // Where there was white space there still is, so no two words or tags run together.
          expect(/^\s/.test(now)).toBe(/^\s/.test(part));
          expect(/\s$/.test(now)).toBe(/\s$/.test(part));
          expect(now.includes('\n')).toBe(false);
        }
      });
    });
    // Nothing outside the templates changed.
    const outside = (text: string) => text.replace(/\s+/g, ' ');
    expect(outside(compacted)).toBe(outside(source));
  });
});
