import { LineCounter, isNode, parseDocument } from 'yaml';
import type { ZodError } from 'zod';
import { configSchema, type RewindConfig } from './config-schema.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Largest config we read: a config is a few KB; anything bigger is a mistake or an attack. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Parses and validates a config. Every problem names the file, the line and the key, e.g.
 * `rewind.config.yaml:12: targets.list.0.plan: Invalid option: expected one of "free"|"pro"|"enterprise"`.
 */
export function parseConfig(text: string, file: string): RewindConfig {
  if (text.length > MAX_CONFIG_BYTES) throw new ConfigError(`${file}: the config is over 1 MiB`);
  const lineCounter = new LineCounter();
  // maxAliasCount guards against alias bombs ("billion laughs").
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const line = error.linePos?.[0]?.line ?? lineCounter.linePos(error.pos[0]).line;
    const sourceLine = text.split('\n')[line - 1] ?? '';
    // `{tenant}` unquoted in YAML starts a flow mapping: the most likely mistake in this file.
    const hint = /\{(tenant|environment|service)\}/.test(sourceLine) ? ' (quote values that contain {placeholders})' : '';
    throw new ConfigError(`${file}:${line}: ${error.message.split('\n')[0]}${hint}`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    throw new ConfigError(`${file}: ${(error as Error).message}`);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(describeIssues(result.error, doc, lineCounter, file));
  return result.data;
}

function describeIssues(error: ZodError, doc: ReturnType<typeof parseDocument>, lines: LineCounter, file: string): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      // The deepest node that exists gives the line (a missing key points at its parent).
      let line: number | null = null;
      for (let depth = path.length; depth >= 0 && line === null; depth--) {
        const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
        if (isNode(node) && node.range) line = lines.linePos(node.range[0]).line;
      }
      const key = path.length ? path.join('.') : '(top level)';
      return `${file}${line ? `:${line}` : ''}: ${key}: ${issue.message}`;
    })
    .join('\n');
}
