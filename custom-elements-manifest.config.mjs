// `npm run docs`: the Custom Elements Manifest analyzer reads the elements' JSDoc (summary,
// attributes, properties, events, CSS properties, parts and slots) into docs/custom-elements.json;
// scripts/elements-docs.ts turns it into docs/elements.md.

/**
 * Lit's `static properties = { x: { state: true } }` (internal state) and `{ attribute: false }`
 * (property only) are not attributes; the analyzer lists them as if they were. Drop them.
 */
function litInternalProperties() {
  return {
    name: 'gradlab-lit-internal-properties',
    analyzePhase({ ts, node, moduleDoc }) {
      if (!ts.isClassDeclaration(node) || !node.name) return;
      const internal = new Set();
      for (const member of node.members) {
        const isProperties =
          ts.isPropertyDeclaration(member) &&
          member.name?.getText() === 'properties' &&
          member.initializer &&
          ts.isObjectLiteralExpression(member.initializer);
        if (!isProperties) continue;
        for (const property of member.initializer.properties) {
          if (!ts.isPropertyAssignment(property)) continue;
          const options = property.initializer.getText();
          if (/state:\s*true|attribute:\s*false/.test(options))
            internal.add(property.name.getText());
        }
      }
      const declaration = moduleDoc.declarations?.find((d) => d.name === node.name.getText());
      if (!declaration?.attributes) return;
      declaration.attributes = declaration.attributes.filter((a) => !internal.has(a.fieldName));
      for (const member of declaration.members ?? []) {
        if (internal.has(member.name)) delete member.attribute;
      }
    },
  };
}

/**
 * Modules in path order: the analyzer lists them in the order the file system gives the globs'
 * files, which differs from one checkout to another, so every `npm run docs` reordered the file.
 */
function modulesInPathOrder() {
  return {
    name: 'gradlab-modules-in-path-order',
    packageLinkPhase({ customElementsManifest }) {
      customElementsManifest.modules.sort((a, b) =>
        a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
      );
    },
  };
}

export default {
  // The elements themselves: one module per element (src/ui/grad-x/grad-x.ts, and each figure's
  // src/ui/figures/grad-x/grad-x.ts).
  globs: ['src/ui/grad-*/grad-*.ts', 'src/ui/figures/grad-*/grad-*.ts'],
  exclude: ['src/ui/**/*.styles.ts'],
  // The docs test writes a fresh manifest elsewhere to compare it with the committed one.
  outdir: process.env.CEM_OUTDIR ?? 'docs',
  litelement: true,
  // package.json names docs/custom-elements.json itself; the analyzer must not rewrite it.
  packagejson: false,
  plugins: [litInternalProperties(), modulesInPathOrder()],
};
