/**
 * The page of e2e/import.spec.ts: the import section and the export element, from the sources,
 * on their own (as a blog would place them), outside the lab.
 */
import '../../src/ui/grad-import/define.ts';
import '../../src/ui/grad-export-pytorch/define.ts';
