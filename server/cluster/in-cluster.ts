/**
 * Running in a pod (decision 037): the Kubernetes API server from KUBERNETES_SERVICE_HOST/PORT, the
 * service account's token and CA from its mounted directory, and a token that is read again when the
 * kubelet rotates it (projected tokens expire; the file is swapped, the process keeps running).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ConfigError } from '#server/config/load-config.ts';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** `https://<KUBERNETES_SERVICE_HOST>:<KUBERNETES_SERVICE_PORT>`, as client-go's in-cluster config builds it. */
export function inClusterApiServer(env: NodeJS.ProcessEnv): string {
  const host = env.KUBERNETES_SERVICE_HOST?.trim();
  const port = env.KUBERNETES_SERVICE_PORT?.trim() || '443';
  if (!host) {
    throw new ConfigError('cluster.flux: no apiServer is set and KUBERNETES_SERVICE_HOST is not (Rewind is not running in a pod): set cluster.flux.apiServer and a token');
  }
  if (!/^\d{1,5}$/.test(port)) throw new ConfigError(`cluster.flux: KUBERNETES_SERVICE_PORT is not a port: ${port}`);
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * A token file read at start (a missing or empty one stops the start) and again whenever it changes
 * (modification time, inode or size), so a rotated service-account token is used from the next call.
 * A rotation caught half-written (empty file) keeps the previous token until the next call.
 */
export function fileToken(key: string, path: string): () => string {
  if (!existsSync(path)) throw new ConfigError(`${key}: the file ${path} does not exist`);
  const stampOf = () => {
    const stat = statSync(path);
    return `${stat.mtimeMs}:${stat.ino}:${stat.size}`;
  };
  let stamp = stampOf();
  let token = readFileSync(path, 'utf8').trim();
  if (!token) throw new ConfigError(`${key}: the file ${path} is empty`);
  return () => {
    try {
      const now = stampOf();
      if (now !== stamp) {
        const fresh = readFileSync(path, 'utf8').trim();
        if (fresh) {
          token = fresh;
          stamp = now;
        }
      }
    } catch {
      // Mid-rotation the file may be briefly absent: the previous token is still the best guess.
    }
    return token;
  };
}
