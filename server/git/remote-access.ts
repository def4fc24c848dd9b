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

/**
 * Reads the credentials (and checks `repo.caFile`) now; throws an Error naming the key when a
 * variable or file is missing. `caFile`: the CAs git trusts for an https remote instead of the
 * system's (`http.sslCAInfo` and `GIT_SSL_CAINFO`, for the commands that talk to the remote only).
 */
export function remoteAccess(credentials: RepoCredentials | undefined, env: NodeJS.ProcessEnv = process.env, tls: { caFile?: string | undefined } = {}): RemoteAccess {
  const access: RemoteAccess = { config: [], env: {} };
  if (tls.caFile !== undefined) {
    checkCaFile(tls.caFile);
    // GIT_SSL_CAINFO in the inherited environment (many base images set it to the system bundle)
    // beats `http.sslCAInfo`, so the variable is set for the command too: repo.caFile always wins.
    access.config.push('-c', `http.sslCAInfo=${tls.caFile}`);
    access.env.GIT_SSL_CAINFO = tls.caFile;
  }
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

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';

/** Throws an Error naming `repo.caFile` unless `file` is a readable PEM file with a certificate in it. */
export function checkCaFile(file: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`repo.caFile ${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`}`);
  }
  if (!text.includes(PEM_CERTIFICATE)) throw new Error(`repo.caFile ${file} holds no PEM certificate (${PEM_CERTIFICATE} …)`);
}

/**
 * The line of git's stderr that says why a remote command failed: its last `fatal:` line (git prints
 * what the server said, `remote: …`, before it), else its first line; without `fatal: `.
 */
export function remoteFailureLine(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  const fatal = lines.filter((line) => line.startsWith('fatal: ')).at(-1);
  return (fatal ?? lines[0] ?? '').replace(/^fatal: /, '');
}

/**
 * What to set when git's message about `remote` says its TLS certificate is not trusted or its
 * credentials were refused: a sentence to append to the error, or '' when neither.
 */
export function remoteFailureHint(message: string, remote: string, caFile: string | undefined): string {
  if (/certificate verification failed|SSL certificate problem|certificate verify failed|self[- ]signed certificate|unable to get local issuer/i.test(message)) {
    return caFile === undefined
      ? ` The TLS certificate of ${remote} is not signed by a CA this system trusts: set repo.caFile to a PEM file of the CA that signed it.`
      : ` The TLS certificate of ${remote} is not signed by a CA of repo.caFile ${caFile}: put the CA that signed it in that file.`;
  }
  if (/could not read Username/i.test(message)) return ` ${remote} asks for credentials: set repo.credentials (passwordEnv or tokenFile).`;
  if (/Authentication failed|could not read Password|HTTP(\/[\d.]+)? 40[13]|returned error: 40[13]/i.test(message)) {
    return ` ${remote} refused the credentials: check repo.credentials (the token in passwordEnv or tokenFile, and usernameEnv).`;
  }
  return '';
}

/**
 * `text` with the user information of every URL in it hidden: `https://user:secret@host/x` →
 * `https://***@host/x`. ssh's `git@host:path` carries no secret and stays.
 */
export function redactGitUrls(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@');
}
