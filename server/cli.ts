/**
 * `rewind serve`, `rewind demo-repo` and `rewind help`; `--help` on each prints its usage. Every failure a user can cause (bad flag, not a repo,
 * missing branch, invalid config) ends with one clear message and exit code 2, never a stack trace.
 */
import { parseArgs } from 'node:util';
import { createRewindServer, type ServeOptions } from '#server/node/rewind-server.ts';
import { writeDemoRepo } from '#server/git/demo-repo.ts';
import { runCheck } from '#server/cli/check-command.ts';
import { runInit } from '#server/cli/init-command.ts';

/**
 * Each command's help, printed by `rewind <command> --help` (exit 0). A new command adds its entry
 * here; USAGE lists them all.
 */
const HELP: Record<string, string> = {
  serve: `rewind serve [--repo PATH] [--branch NAME] [--config FILE] [--data-dir DIR] [--host H] [--port N] [--static DIR]
      Serves the SPA and the API on one port. The repo is --repo, else repo.url (a remote Rewind keeps
      its own bare mirror of in <data-dir>/mirrors/) or repo.path of the config; without any, a demo
      infrastructure repo created once in <data-dir>/repo. A clone with the served branch checked out
      is refused (use a bare clone or repo.url).
      --branch NAME   the branch to serve (default: repo.branch, else the repo's default branch, its HEAD)
      --config FILE   rewind.config.yaml (docs/configuration.md); flags win over the file
      --data-dir DIR  database, mirrors and demo repo (default: server.dataDir, ./.rewind-data)
      --host H        listen address (default 127.0.0.1)
      --port N        listen port (default 4173, or $PORT)
      --static DIR    the built SPA to serve (default dist)
`,
  'demo-repo': `rewind demo-repo DIR [--size default|large]
      Writes the demo infrastructure repo to DIR as a bare repository (large: adds acme/perf with
      50,000 revisions). Serve it with: rewind serve --repo DIR
`,
  check: `rewind check [--config FILE] [--repo PATH] [--json]
      Prints the targets, services, shared files and warnings a config finds in a repo; non-zero on error.
`,
  init: `rewind init [--repo PATH] [--tenant NAME] [--json]
      Recognises a repo's layout and prints a commented config for it.
`,
  help: `rewind help [COMMAND]
      Prints the usage of every command, or of COMMAND.
`,
};

const USAGE = `Usage:\n${Object.values(HELP).map((text) => `  ${text}`).join('')}\nEvery command takes --help.\n`;

/** True (after printing the command's help) when `args` ask for it. */
function printedHelp(command: string, args: readonly string[]): boolean {
  if (!args.includes('--help') && !args.includes('-h')) return false;
  console.log(`Usage:\n  ${HELP[command]}`);
  return true;
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'serve') {
    if (printedHelp('serve', rest)) return;
    const { values } = parseArgs({
      args: rest,
      options: {
        repo: { type: 'string' },
        branch: { type: 'string' },
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
      branch: values.branch,
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
    if (printedHelp('demo-repo', rest)) return;
    const { values, positionals } = parseArgs({ args: rest, options: { size: { type: 'string', default: 'default' } }, allowPositionals: true, strict: true });
    const dir = positionals[0];
    if (!dir || positionals.length > 1) throw new UsageError('demo-repo needs exactly one DIR');
    if (values.size !== 'default' && values.size !== 'large') throw new UsageError('--size must be default or large');
    const started = performance.now();
    const ids = await writeDemoRepo(dir, { size: values.size, bare: true });
    console.log(`Wrote the ${values.size} demo repo to ${dir} (bare): ${ids.size} commits in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return;
  }
  if (command === 'help' && rest[0] !== undefined && HELP[rest[0]]) {
    console.log(`Usage:\n  ${HELP[rest[0]]}`);
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
