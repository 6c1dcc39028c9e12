/**
 * The command line under random argv: it exits 0 or 2, a usage error is one line on stderr that
 * names the flag (or the token) at fault, never a stack trace, and nothing hangs. Most cases call
 * the CLI's library entry in-process (runCli: about a millisecond each); a few are spawned as a
 * user runs them, through src/cli/main.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../src/cli/cli.ts';
import { cli } from '../cli/run-cli.ts';
import { cliArgv, KNOWN_FLAGS } from './cli-arbitraries.ts';
import { PROPERTY_SEED, propertyRuns } from './config.ts';

/**
 * Longest any one generated command may take before it counts as a hang. The slowest valid
 * command (a default run, which starts and ends two threads) takes about 0.5 s on an idle
 * machine, and took 10 s on this 2-core machine at a load average above 20.
 */
const HANG_MS = 30_000;

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function runInProcess(argv: readonly string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    // Vitest's forks already have the GPU environment (vitest.config.ts); never spawn here.
    rerunWithGpuEnvironment: () => null,
  };
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`hung: ${JSON.stringify(argv)} ran over ${HANG_MS} ms`)),
      HANG_MS,
    );
  });
  try {
    const code = await Promise.race([runCli(argv, io), hang]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** The outcome's obligations, as a list of what is wrong (empty when it is right). */
function violations(argv: readonly string[], outcome: Outcome): string[] {
  const problems: string[] = [];
  const { code, stdout, stderr } = outcome;
  if (code !== 0 && code !== 2) problems.push(`exit ${code}`);
  if (/\n\s+at /.test(stderr) || /\n\s+at /.test(stdout)) problems.push('a stack trace');
  if (code === 0) {
    if (stderr !== '') problems.push(`stderr on success: ${stderr}`);
    const help = argv.includes('--help') || argv.includes('-h') || argv[0] === 'help';
    if (argv.includes('--json') && !help) {
      const lines = argv[0] === 'sweep' ? stdout.trim().split('\n') : [stdout];
      for (const line of lines) {
        try {
          JSON.parse(line);
        } catch {
          problems.push(`--json output is not JSON: ${line.slice(0, 80)}`);
        }
      }
    }
  }
  if (code === 2) {
    if (!/^gradlab: [^\n]+\n$/.test(stderr))
      problems.push(`not one line: ${JSON.stringify(stderr)}`);
    const flagsGiven = argv
      .filter((token) => token.startsWith('--'))
      .map((token) => token.slice(2).split('=')[0]!);
    const namesAFlag = [...flagsGiven, ...KNOWN_FLAGS].some((name) => stderr.includes(`--${name}`));
    const namesAToken = argv.some((token) => stderr.includes(JSON.stringify(token)));
    // A command's own argument (import's FILE) is named with the command.
    const namesTheCommand =
      argv.length === 0 ||
      stderr.includes('command') ||
      stderr.startsWith(`gradlab: ${argv[0]} takes`);
    if (!namesAFlag && !namesAToken && !namesTheCommand)
      problems.push(`names neither a flag nor a token: ${stderr}`);
  }
  return problems;
}

describe('CLI under random argv', () => {
  it('exits 0 or 2 with one line naming the flag, in-process', async () => {
    let slowest = { ms: 0, argv: [] as readonly string[] };
    await fc.assert(
      fc.asyncProperty(cliArgv, async (argv) => {
        const start = performance.now();
        const outcome = await runInProcess(argv);
        const ms = performance.now() - start;
        if (ms > slowest.ms) slowest = { ms, argv };
        expect(violations(argv, outcome), JSON.stringify({ argv, ...outcome })).toEqual([]);
      }),
      propertyRuns(300),
    );
    console.info(
      `CLI property: slowest case ${slowest.ms.toFixed(0)} ms: ${slowest.argv.join(' ')}`,
    );
  }, 300_000);

  it('behaves the same when spawned as a user runs it', async () => {
    const samples = fc.sample(cliArgv, { seed: PROPERTY_SEED, numRuns: 4 });
    // Always one that is certainly a usage error, and one that certainly succeeds.
    samples.push(['run', '--depth', '0'], ['run', '--depth', '2', '--width', '4', '--json']);
    const outcomes = await Promise.all(samples.map((argv) => cli(...argv)));
    outcomes.forEach((outcome, i) => {
      expect(violations(samples[i]!, outcome), JSON.stringify(samples[i])).toEqual([]);
    });
    expect(outcomes.at(-2)!.stderr).toBe(
      'gradlab: --depth: got "0"; allowed: an integer from 1 to 1000\n',
    );
    expect(outcomes.at(-1)!.code).toBe(0);
  }, 120_000);
});
