/**
 * A real smart-HTTP git server over HTTPS for tests of `repo.url` (decision 051): Node's `https`
 * server in front of `git http-backend`, run as CGI the way Apache or nginx + fcgiwrap run it in
 * front of a Gitea or GitLab. HTTP Basic auth accepts one user and token and answers 401 with
 * `WWW-Authenticate` otherwise, as those hosts do, so git asks its credential helper and tries again.
 *
 * Served repositories live under `root` (`https://127.0.0.1:<port>/<name>.git` is `<root>/<name>.git`).
 * `http.receivepack` must be enabled in a repository for pushes (`serveBareRepo` does it).
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** What one request asked and how it was answered (no header values: they may hold the token). */
export interface GitHttpRequest {
  method: string;
  /** Path without the query, e.g. `/infra.git/info/refs`. */
  path: string;
  /** `git-upload-pack` (fetch, ls-remote) or `git-receive-pack` (push), when the request names one. */
  service: string | null;
  /** The request body's Content-Encoding (`gzip` for larger negotiation requests), or null. */
  encoding: string | null;
  /** Whether the body came chunked (no Content-Length: a large push). */
  chunked: boolean;
  status: number;
}

export interface HttpsGitServerOptions {
  /** GIT_PROJECT_ROOT: the directory holding the served bare repositories. */
  root: string;
  user: string;
  token: string;
  tls: { key: Buffer; cert: Buffer };
  /** Runs for every request, before its credentials are checked (while the client's git process waits). */
  onRequest?: () => void;
  /**
   * Runs for every authenticated request before git sees it, while the client's git process waits
   * for the answer (a test can look at that process, or move the branch under a push in flight).
   */
  beforeBackend?: (request: Omit<GitHttpRequest, 'status'>) => Promise<void> | void;
}

/** The CGI program: `git --exec-path`/git-http-backend (Debian: /usr/lib/git-core/git-http-backend). */
export function httpBackendPath(): string | null {
  try {
    const path = join(execFileSync('git', ['--exec-path'], { encoding: 'utf8', timeout: 10_000 }).trim(), 'git-http-backend');
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** Lets clients push to a bare repository served over HTTP, and keeps a reflog of every branch move. */
export function serveBareRepo(gitDir: string): void {
  const git = (...args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args], { stdio: 'ignore', timeout: 30_000 });
  git('config', 'http.receivepack', 'true');
  // Bare repositories keep no reflog by default; with one, a test can prove every move was a fast-forward.
  git('config', 'core.logAllRefUpdates', 'always');
}

function serviceOf(path: string, query: URLSearchParams): string | null {
  const named = query.get('service') ?? /\/(git-upload-pack|git-receive-pack)$/.exec(path)?.[1] ?? null;
  return named === 'git-upload-pack' || named === 'git-receive-pack' ? named : null;
}

function sameText(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

export class HttpsGitServer {
  readonly requests: GitHttpRequest[] = [];
  private server: Server | null = null;
  private port = 0;
  private readonly backend: string;

  constructor(private readonly options: HttpsGitServerOptions) {
    const backend = httpBackendPath();
    if (!backend) throw new Error('git-http-backend is not installed next to git (git --exec-path)');
    this.backend = backend;
  }

  /** The URL of a repository under the root, e.g. `url('infra.git')`. */
  url(name: string): string {
    return `https://127.0.0.1:${this.port}/${name}`;
  }

  async start(): Promise<void> {
    const server = createServer({ key: this.options.tls.key, cert: this.options.tls.cert }, (req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`test git server: ${error instanceof Error ? error.message : String(error)}\n`);
      });
    });
    // A client that gives up on an untrusted certificate resets the handshake: not this server's failure.
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private authorised(header: string | undefined): boolean {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
    if (!match) return false;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon > 0 && sameText(decoded.slice(0, colon), this.options.user) && sameText(decoded.slice(colon + 1), this.options.token);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const request = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      service: serviceOf(url.pathname, url.searchParams),
      encoding: req.headers['content-encoding'] ?? null,
      chunked: req.method === 'POST' && req.headers['content-length'] === undefined,
    };
    this.options.onRequest?.();
    if (!this.authorised(req.headers.authorization)) {
      req.resume();
      this.requests.push({ ...request, status: 401 });
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="rewind test git"', 'content-type': 'text/plain' });
      res.end('Authentication required\n');
      return;
    }
    await this.options.beforeBackend?.(request);
    await this.runBackend(req, res, request, url);
  }

  /** Runs git http-backend as CGI: the request body on its stdin, its CGI headers and body back. */
  private runBackend(req: IncomingMessage, res: ServerResponse, request: Omit<GitHttpRequest, 'status'>, url: URL): Promise<void> {
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : (value ?? '');
    };
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: this.options.root,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_HTTP_MAX_REQUEST_BUFFER: '100M',
      GATEWAY_INTERFACE: 'CGI/1.1',
      PATH_INFO: request.path,
      REQUEST_METHOD: request.method,
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: header('content-type'),
      REMOTE_USER: this.options.user,
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      // http-backend inflates a gzip-encoded request body itself when told so.
      HTTP_CONTENT_ENCODING: header('content-encoding'),
      // Protocol v2 (git's default) is asked for with this header.
      HTTP_GIT_PROTOCOL: header('git-protocol'),
    };
    // Without CONTENT_LENGTH (a chunked body) http-backend reads its stdin to the end.
    if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = header('content-length');
    const child = spawn(this.backend, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    req.pipe(child.stdin);
    child.stdin.on('error', () => {});
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

    return new Promise<void>((resolve, reject) => {
      let head = Buffer.alloc(0);
      let headersDone = false;
      child.stdout.on('data', (chunk: Buffer) => {
        if (headersDone) {
          res.write(chunk);
          return;
        }
        head = Buffer.concat([head, chunk]);
        const crlf = head.indexOf('\r\n\r\n');
        const lf = head.indexOf('\n\n');
        const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
        if (end < 0) return;
        headersDone = true;
        const headers: Record<string, string> = {};
        let status = 200;
        for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
          const colon = line.indexOf(':');
          if (colon <= 0) continue;
          const [name, value] = [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
          if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
          else headers[name] = value;
        }
        this.requests.push({ ...request, status });
        res.writeHead(status, headers);
        res.write(head.subarray(end + (end === crlf ? 4 : 2)));
      });
      child.once('error', reject);
      child.once('close', (code) => {
        if (!headersDone) {
          this.requests.push({ ...request, status: 500 });
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`git http-backend exited ${code} without an answer: ${stderr}`);
        } else {
          res.end();
        }
        resolve();
      });
    });
  }
}

/**
 * A private CA and a certificate for 127.0.0.1 signed by it, made with `openssl` in `dir`; null when
 * openssl is not installed (tests then skip, saying so).
 */
export function makeTestCertificates(dir: string): { caFile: string; key: Buffer; cert: Buffer } | null {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    return null;
  }
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore', timeout: 60_000 });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Rewind test git CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
  return { caFile: join(dir, 'ca.pem'), key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) };
}
