/**
 * Commit message conventions (docs/decisions/002-commit-conventions.md).
 *
 * A rollback commit carries a metadata block that Rewind writes and reads back. The justification is
 * user text, so it is escaped onto one line: a newline in it can never start a forged metadata line.
 */
import type { RevisionSource, RollbackMode } from './schemas.ts';

export const ROLLBACK_HEADER_PREFIX = 'Rollback: ';
const SOURCE_TRAILER = 'Rewind-Source';

export interface RollbackMetadata {
  tenant: string;
  environment: string;
  targetSha: string;
  mode: RollbackMode;
  service?: string;
  justification: string;
  author: string;
  approval: string;
  requestId: string;
  breakGlass?: boolean;
  /**
   * What the rollback restores per service (decision 031's versions, decision 044): written as a
   * paragraph of its own before the metadata block, never read back (the block stays last).
   */
  versions?: readonly RestoredVersion[];
}

/** A service's version now and after the rollback; `null` when the manifests do not say. */
export interface RestoredVersion {
  service: string;
  from: string | null;
  to: string | null;
}

/** "payments 2.13.14 → 2.13.12"; "version unknown" for a side the manifests do not name. */
export function restoredVersionLine(v: RestoredVersion): string {
  const label = (version: string | null) => (version === null ? 'version unknown' : oneLine(version));
  if (v.from !== null && v.from === v.to) return `${oneLine(v.service)} ${label(v.to)} (version unchanged)`;
  return `${oneLine(v.service)} ${label(v.from)} → ${label(v.to)}`;
}

/**
 * What a metadata line may not carry raw: C0 and C1 controls (U+0085 NEL among them), the Unicode line
 * and paragraph separators (U+2028, U+2029), and the bidi controls (U+061C, U+200E, U+200F,
 * U+202A-U+202E, U+2066-U+2069). Many readers split lines on NEL or U+2028 (Python's `splitlines`, JS
 * line terminators, editors), and bidi controls make a line display as something else, so either
 * could show a forged `Approval:` line to someone reading the commit.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_IN_LINE = /[\\\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** Escape to a single printable line (`\u0085` etc.); `unescapeLine` restores the exact text. */
export function escapeLine(text: string): string {
  return text.replace(UNSAFE_IN_LINE, (ch) => {
    if (ch === '\\') return '\\\\';
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

export function unescapeLine(line: string): string {
  return line.replace(/\\(u[0-9a-f]{4}|[\\nrt])/g, (_, code: string) => {
    if (code === '\\') return '\\';
    if (code === 'n') return '\n';
    if (code === 'r') return '\r';
    if (code === 't') return '\t';
    return String.fromCharCode(parseInt(code.slice(1), 16));
  });
}

/** Values Rewind controls (names, ids, emails) are still sanitised: one line, no control characters. */
function oneLine(value: string): string {
  return escapeLine(value);
}

export function formatRollbackMessage(meta: RollbackMetadata): string {
  const lines = [
    `${ROLLBACK_HEADER_PREFIX}tenant/${oneLine(meta.tenant)} env/${oneLine(meta.environment)} → revision ${meta.targetSha.slice(0, 7)}`,
    '',
  ];
  // "Restores " starts no metadata key, so no version text can stand for a metadata line.
  if (meta.versions?.length) lines.push(...meta.versions.map((v) => `Restores ${restoredVersionLine(v)}`), '');
  lines.push(`Mode: ${meta.mode}`);
  if (meta.service) lines.push(`Service: ${oneLine(meta.service)}`);
  lines.push(
    `Target Revision: ${oneLine(meta.targetSha)}`,
    `Justification: ${escapeLine(meta.justification)}`,
    `Author: ${oneLine(meta.author)}`,
    `Approval: ${oneLine(meta.approval)}`,
  );
  if (meta.breakGlass) lines.push('Break-Glass: true');
  lines.push(`Rollback Request ID: ${oneLine(meta.requestId)}`);
  return `${lines.join('\n')}\n`;
}

const METADATA_KEYS = [
  'Mode',
  'Service',
  'Target Revision',
  'Justification',
  'Author',
  'Approval',
  'Break-Glass',
  'Rollback Request ID',
] as const;
type MetadataKey = (typeof METADATA_KEYS)[number];

/**
 * Reads the metadata block back. Each key counts once, at its first occurrence, so even a message
 * edited by hand cannot override a value by repeating a key further down.
 */
export function parseRollbackMessage(message: string): RollbackMetadata | null {
  const lines = message.split('\n');
  const header = lines[0] ?? '';
  if (!header.startsWith(ROLLBACK_HEADER_PREFIX)) return null;
  const scope = /^Rollback: tenant\/(\S+) env\/(\S+) → revision [0-9a-f]+$/.exec(header);
  if (!scope) return null;
  const values = new Map<MetadataKey, string>();
  for (const line of lines.slice(1)) {
    const key = METADATA_KEYS.find((k) => line.startsWith(`${k}: `));
    if (key && !values.has(key)) values.set(key, line.slice(key.length + 2));
  }
  const mode = values.get('Mode');
  const targetSha = values.get('Target Revision');
  const requestId = values.get('Rollback Request ID');
  if (!mode || !targetSha || !requestId) return null;
  if (mode !== 'full' && mode !== 'service' && mode !== 'field') return null;
  if (!/^[0-9a-f]{40}$/.test(targetSha)) return null;
  const service = values.get('Service');
  return {
    tenant: scope[1]!,
    environment: scope[2]!,
    mode,
    targetSha,
    ...(service ? { service: unescapeLine(service) } : {}),
    justification: unescapeLine(values.get('Justification') ?? ''),
    author: unescapeLine(values.get('Author') ?? ''),
    approval: unescapeLine(values.get('Approval') ?? ''),
    requestId: unescapeLine(requestId),
    breakGlass: values.get('Break-Glass') === 'true',
  };
}

/** Git-style trailers: `Key: value` lines in the last paragraph of the message. */
export function parseTrailers(message: string): Map<string, string> {
  const paragraphs = message.trimEnd().split(/\n\s*\n/);
  const trailers = new Map<string, string>();
  if (paragraphs.length < 2) return trailers;
  for (const line of paragraphs[paragraphs.length - 1]!.split('\n')) {
    const match = /^([A-Za-z][A-Za-z0-9-]*): (.*)$/.exec(line);
    if (match && !trailers.has(match[1]!)) trailers.set(match[1]!, match[2]!);
  }
  return trailers;
}

const SOURCES: readonly RevisionSource[] = ['release', 'promotion', 'rollback', 'hotfix'];

/**
 * Where a revision came from: a Rewind rollback block; else a `Rewind-Source:` trailer; else the
 * subject's conventional prefix (`hotfix…`, `promote…`); else a release.
 */
export function classifySource(message: string): RevisionSource {
  if (parseRollbackMessage(message)) return 'rollback';
  const trailer = parseTrailers(message).get(SOURCE_TRAILER)?.trim().toLowerCase();
  if (trailer && (SOURCES as readonly string[]).includes(trailer)) return trailer as RevisionSource;
  const subject = summaryOf(message).toLowerCase();
  if (/^(\[hotfix\]|hotfix\b)/.test(subject)) return 'hotfix';
  if (/^(\[promot(e|ion)\]|promot(e|ion)\b)/.test(subject)) return 'promotion';
  return 'release';
}

export function subjectOf(message: string): string {
  return (message.split('\n')[0] ?? '').trim();
}

/**
 * Subjects the hosting services write on merge commits, with the pull request's number when they name
 * one: GitHub, Bitbucket, GitLab.
 */
const MERGE_SUBJECTS: readonly RegExp[] = [
  /^Merge pull request #(\d+) from \S+$/,
  /^Merged in \S+ \(pull request #(\d+)\)$/,
  /^Merge branch '[^']*'(?: of \S+)? into '?[^']*'?$/,
];

/**
 * What a history row shows for a commit: its subject, or for a merge commit whose subject only says
 * "Merge pull request #N from …", the pull request's title (the body's first line) with its number.
 */
export function summaryOf(message: string): string {
  const subject = subjectOf(message);
  for (const pattern of MERGE_SUBJECTS) {
    const match = pattern.exec(subject);
    if (!match) continue;
    const title = message
      .split('\n')
      .slice(1)
      .map((line) => line.trim())
      .find((line) => line !== '');
    // A body that is only trailers (Signed-off-by: …) or GitLab's "See merge request" has no title.
    if (!title || /^(signed-off-by|co-authored-by|reviewed-by|change-id|rewind-source):/i.test(title) || /^See merge request /.test(title)) return subject;
    const number = match[1];
    return number && !title.includes(`#${number}`) ? `${title} (#${number})` : title;
  }
  return subject;
}
