#!/usr/bin/env node
// `npm run build` (types, after tsc -p tsconfig.types.json): dist/types/elements/<tag>.d.ts for
// each element, so `import 'gradlab/elements/grad-depth-sweep.js'` is typed as the module it is:
// it defines the tag (its HTMLElementTagNameMap entry) and exports the element's class.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { elementModules } from './element-modules.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'dist', 'types', 'elements');
mkdirSync(out, { recursive: true });
for (const [tag, module] of Object.entries(elementModules())) {
  const folder = `../${dirname(module).replace(/^src\//, '')}`;
  writeFileSync(
    join(out, `${tag}.d.ts`),
    `import '${folder}/define.js';\nexport * from '${folder}/${tag}.js';\n`,
  );
}
