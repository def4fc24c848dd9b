/**
 * How Rewind reaches a remote (`repo.url`): the credentials of `repo.credentials` handed to git for
 * one command at a time, and URLs made safe to print.
 *
 * Secrets never go into a URL, an argument list, a log line or the mirror's config: git gets them
 * from environment variables of its own process, read by an inline credential helper (https) or by
 * ssh through `GIT_SSH_COMMAND` (a key file's path, not the key). Files are read on every use, so a
 * rotated token (a mounted secret) applies at the next fetch.
 */
import { readFileSync } from 'node:fs';

export interface RepoCredentials {
  /** Environment variable holding the https user name (default `x-access-token`, what GitHub/Gitea accept with a token). */
  usernameEnv?: string | undefined;
  /** Environment variable holding the https password or token. */
  passwordEnv?: string | undefined;
  /** File holding the https password or token (one trailing newline is ignored). */
  tokenFile?: string | undefined;
  /** Private key for ssh URLs (`ssh://…` or `git@host:path`). */
  sshKeyFile?: string | undefined;
}

/** What one git command talking to the remote needs: `-c` settings before the subcommand, and its environment. */
export interface RemoteAccess {
  config: string[];
  env: Record<string, string>;
}

/**
 * The credential helper: answers `get` from two environment variables and ignores `store`/`erase`,
 * so nothing is written anywhere. An empty `credential.helper=` first drops helpers from the user's
 * or system config (a credential store would otherwise keep the token on disk).
 */
const HELPER = '!f() { test "$1" = get || exit 0; echo "username=${REWIND_GIT_USERNAME}"; echo "password=${REWIND_GIT_PASSWORD}"; }; f';

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Reads the credentials now; throws an Error naming the key when a variable or file is missing. */
export function remoteAccess(credentials: RepoCredentials | undefined, env: NodeJS.ProcessEnv = process.env): RemoteAccess {
  const access: RemoteAccess = { config: [], env: {} };
  if (!credentials) return access;
  const fromEnv = (key: 'usernameEnv' | 'passwordEnv'): string | undefined => {
    const name = credentials[key];
    if (name === undefined) return undefined;
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`repo.credentials.${key} names ${name}, which is not set`);
    return value;
  };
  let secret = fromEnv('passwordEnv');
  if (credentials.tokenFile !== undefined) {
    try {
      secret = readFileSync(credentials.tokenFile, 'utf8').replace(/\r?\n$/, '');
    } catch {
      throw new Error(`repo.credentials.tokenFile ${credentials.tokenFile} cannot be read`);
    }
  }
  if (secret !== undefined) {
    access.config.push('-c', 'credential.helper=', '-c', `credential.helper=${HELPER}`);
    access.env.REWIND_GIT_USERNAME = fromEnv('usernameEnv') ?? 'x-access-token';
    access.env.REWIND_GIT_PASSWORD = secret;
  }
  if (credentials.sshKeyFile !== undefined) {
    access.env.GIT_SSH_COMMAND = `ssh -i ${shellQuote(credentials.sshKeyFile)} -o IdentitiesOnly=yes -o BatchMode=yes`;
  }
  return access;
}

/**
 * `text` with the user information of every URL in it hidden: `https://user:secret@host/x` →
 * `https://***@host/x`. ssh's `git@host:path` carries no secret and stays.
 */
export function redactGitUrls(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@');
}
