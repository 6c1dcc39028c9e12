/**
 * gradlab's command line: the same engine, headless.
 *
 *   npm run cli -- run [--activation A] [--depth N] ... [--json]
 *   npm run cli -- notebook [--backend cpu64|cpu] [--json]
 *   npm run cli -- theory --activation A --sigma-w S --sigma-b B [--depth N] [--json]
 *   npm run cli -- sweep [--activation A] [--sigma-w2-min …] … [--backend B]   (JSON lines)
 *   npm run cli -- jacobian [run flags] [--sample I] [--json]
 *   npm run cli -- train [run flags] [--task T] [--optimizer O] [--lr X] [--steps N] ... [--json]
 *
 * Errors exit non-zero with one line on stderr that names the bad flag. The commands live in
 * cli.ts (runCli), which tests call in-process.
 */
import { runCli } from './cli.ts';

process.exitCode = await runCli(process.argv.slice(2));
