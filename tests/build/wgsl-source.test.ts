/** Shaders load without comments or layout, the same text in every environment. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compactWgsl } from '../../scripts/wgsl-source.mjs';
import matmul from '../../shaders/matmul.wgsl?raw';

describe('compactWgsl', () => {
  it('drops line and block comments, indentation and blank lines, and nothing else', () => {
    const source = [
      '// header',
      '/* a block',
      '   over lines */',
      'fn f(x: f32) -> f32 {  // trailing',
      '',
      '    return x * 2.0; /* inline */',
      '}',
    ].join('\n');
    expect(compactWgsl(source)).toBe('fn f(x: f32) -> f32 {\nreturn x * 2.0;\n}');
  });

  it('is what a shader import yields here (as in Vite and the Node loader)', () => {
    const file = readFileSync('shaders/matmul.wgsl', 'utf8');
    expect(file).toContain('//');
    expect(matmul).toBe(compactWgsl(file));
    expect(matmul).not.toContain('//');
    expect(matmul.length).toBeLessThan(file.length);
  });
});
