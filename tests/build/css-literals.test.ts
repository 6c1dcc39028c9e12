/**
 * The build compacts the elements' css`…` templates (scripts/css-literals.mjs) without changing a
 * rule: every template in src/, parsed by PostCSS before and after, has the same rules,
 * selectors, declarations and values, and the expressions in the same places.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import postcss, { type ChildNode } from 'postcss';
import { describe, expect, it } from 'vitest';
import { compactCss, compactCssLiterals } from '../../scripts/css-literals.mjs';

/** Each css`…` template of a module's source, its expressions replaced by a marker. */
function templates(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/\bcss`/g)) {
    let i = match.index + 4;
    let text = '';
    while (source[i] !== '`') {
      if (source[i] === '$' && source[i + 1] === '{') {
        let depth = 1;
        i += 2;
        while (depth > 0) {
          if (source[i] === '{') depth++;
          else if (source[i] === '}') depth--;
          i++;
        }
        text += 'var(--expression)';
      } else text += source[i++];
    }
    found.push(text);
  }
  return found;
}

/** A rule tree as data, its white space normalized (what a browser's parser also ignores). */
function shape(nodes: ChildNode[]): unknown[] {
  // White space after a colon carries no meaning in a selector or an at-rule's condition.
  const words = (text: string) =>
    text.replace(/\s+/g, ' ').replace(/ ?, ?/g, ',').replace(/: /g, ':').trim();
  return nodes
    .filter((node) => node.type !== 'comment')
    .map((node) => {
      if (node.type === 'decl') return ['decl', node.prop, words(node.value), node.important];
      if (node.type === 'rule') return ['rule', words(node.selector), shape(node.nodes)];
      return ['atrule', node.name, words(node.params), shape(node.nodes ?? [])];
    });
}

const sourceFiles = (readdirSync('src', { recursive: true }) as string[])
  .filter((name) => name.endsWith('.ts'))
  .map((name) => join('src', name))
  .filter((file) => readFileSync(file, 'utf8').includes('css`'));

describe('compactCssLiterals', () => {
  it('finds the templates it compacts', () => {
    expect(sourceFiles.length).toBeGreaterThan(20);
  });

  it.each(sourceFiles)('%s: the same rules, in fewer bytes', (file) => {
    const source = readFileSync(file, 'utf8');
    const compacted = compactCssLiterals(source);
    const before = templates(source);
    const after = templates(compacted);
    expect(after.length).toBe(before.length);
    before.forEach((css, k) => {
      expect(shape(postcss.parse(after[k]!).nodes)).toEqual(shape(postcss.parse(css).nodes));
    });
    // Only the templates change: the code around them is the same.
    expect(compacted.replace(/css`[^`]*`/g, '')).toBe(source.replace(/css`[^`]*`/g, ''));
    expect(compacted.length).toBeLessThanOrEqual(source.length);
  });

  it('keeps what carries meaning: strings, descendant pseudo-classes, calc() operators', () => {
    const css = `
      /* a comment */
      a :hover , b > c {
        content: 'a;  b , c';
        width: calc(100% - 2px + 1em);
      }
    `;
    expect(compactCss(css)).toBe(
      " a :hover,b > c{content:'a;  b , c';width:calc(100% - 2px + 1em);}",
    );
  });

  it('leaves a template alone where an expression holds a template of its own', () => {
    const source = 'const s = css`a { color: ${`red`}; }`;';
    expect(compactCssLiterals(source)).toBe(source);
  });
});
