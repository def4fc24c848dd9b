/**
 * `rewind serve` and `rewind demo-repo`. Every failure a user can cause (bad flag, not a repo,
 * missing branch, invalid config) ends with one clear message and exit code 2, never a stack trace.
 */
import { parseArgs } from 'node:util';
import { createRewindServer, type ServeOptions } from '#server/node/rewind-server.ts';
import { writeDemoRepo } from '#server/git/demo-repo.ts';
import { runCheck } from '#server/cli/check-command.ts';
import { runInit } from '#server/cli/init-command.ts';

const USAGE = `Usage:
  rewind serve [--repo PATH] [--config FILE] [--data-dir DIR] [--host H] [--port N]
      Serves the SPA and the API on one port. Without --repo (or repo.path in the config) it creates a
      demo infrastructure repo in <data-dir>/repo once and serves that.
  rewind demo-repo DIR [--size default|large]
      Writes the demo infrastructure repo to DIR (large: adds acme/perf with 50,000 revisions).
  rewind check [--config FILE] [--repo PATH] [--json]
      Prints the targets, services, shared files and warnings a config finds in a repo (rewind check --help).
  rewind init [--repo PATH] [--tenant NAME] [--json]
      Recognises a repo's layout and prints a commented config for it (rewind init --help).
`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'serve') {
    const { values } = parseArgs({
      args: rest,
      options: {
        repo: { type: 'string' },
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        static: { type: 'string' },
      },
      strict: true,
    });
    const port = values.port ?? process.env.PORT;
    if (port !== undefined && !/^\d{1,5}$/.test(port)) throw new UsageError(`--port must be a number, got "${port}"`);
    const options: ServeOptions = {
      repo: values.repo,
      configFile: values.config,
      dataDir: values['data-dir'],
      host: values.host,
      port: port === undefined ? undefined : Number(port),
      staticDir: values.static ?? 'dist',
      prestartFieldDiffWorker: true,
    };
    const server = await createRewindServer(options);
    const stop = async () => {
      await server.close();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return;
  }
  if (command === 'check' || command === 'init') {
    process.exitCode = await (command === 'check' ? runCheck : runInit)(rest);
    return;
  }
  if (command === 'demo-repo') {
    const { values, positionals } = parseArgs({ args: rest, options: { size: { type: 'string', default: 'default' } }, allowPositionals: true, strict: true });
    const dir = positionals[0];
    if (!dir || positionals.length > 1) throw new UsageError('demo-repo needs exactly one DIR');
    if (values.size !== 'default' && values.size !== 'large') throw new UsageError('--size must be default or large');
    const started = performance.now();
    const ids = await writeDemoRepo(dir, { size: values.size });
    console.log(`Wrote the ${values.size} demo repo to ${dir}: ${ids.size} commits in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return;
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  throw new UsageError(`unknown command "${command}"`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    console.error(`rewind: ${error.message}\n\n${USAGE}`);
  } else {
    console.error(`rewind: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.REWIND_DEBUG) console.error(error);
  }
  process.exit(2);
});
