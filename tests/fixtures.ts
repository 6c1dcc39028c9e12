/** Typed access to the fixtures written by scripts/make_fixtures.py (numpy, scipy, mpmath). */
import { readFileSync } from 'node:fs';

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}
