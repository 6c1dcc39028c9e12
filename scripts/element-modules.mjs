// Every element's module: src/ui/figures/<tag>/define.ts and src/ui/<tag>/define.ts. The library
// build makes each an entry (dist/lib/elements/<tag>.js), and the types step gives each its
// declaration (dist/types/elements/<tag>.d.ts), for the package's per-element exports.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** tag → its define module, relative to the repository root. */
export function elementModules() {
  const modules = {};
  for (const folder of ['src/ui/figures', 'src/ui']) {
    for (const tag of readdirSync(join(root, folder))) {
      const module = `${folder}/${tag}/define.ts`;
      if (tag.startsWith('grad-') && tag !== 'grad-chart' && existsSync(join(root, module))) {
        modules[tag] = module;
      }
    }
  }
  return modules;
}
