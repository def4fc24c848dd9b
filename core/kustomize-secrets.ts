/**
 * What Kustomize turns into Secrets is masked like a Secret (decision 036): the values of a
 * `secretGenerator`'s `literals` (`KEY=value` → `KEY=<redacted>`), and the contents of the files its
 * `envs` / `env` / `files` name (an env file line by line, `KEY=<redacted>`; any other file withheld).
 * Texts are user content: parsed with the same limits as Secret masking, wherever that runs.
 */
import { isMap, isScalar, isSeq, visit } from 'yaml';
import { REDACTED, REDACTED_CHANGED, MASKING_LIMITS, type MaskedTexts } from './secret-masking.ts';
import { isPlainObject, parseYamlDocuments, parseYamlValues } from './yaml-documents.ts';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export function isKustomizationPath(path: string): boolean {
  return KUSTOMIZATION_FILES.includes(path.slice(path.lastIndexOf('/') + 1));
}

/** Pathspecs of every kustomization file under a target's paths. */
export function kustomizationPathspecs(paths: readonly string[]): string[] {
  return paths.flatMap((p) => (p.endsWith('/') ? KUSTOMIZATION_FILES.map((name) => `${p}**/${name}`) : isKustomizationPath(p) ? [p] : []));
}

/** The literal directory a pathspec starts with (`apps/prod/` for `apps/prod/*.yaml`), without the slash. */
function literalDir(spec: string): string {
  const glob = spec.search(/[*?[]/);
  const literal = glob === -1 ? spec : spec.slice(0, glob);
  return literal.includes('/') ? literal.slice(0, literal.lastIndexOf('/')) : '';
}

/**
 * The kustomization files that may sit in a directory above a target's paths (up to the repo root).
 * Such a parent can have a `secretGenerator` reading files inside the target (decision 042).
 */
export function ancestorKustomizationPaths(paths: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const spec of paths) {
    // From the pathspec's own directory (already read when it is a directory of the target) up.
    let dir = literalDir(spec);
    for (;;) {
      dirs.add(dir);
      if (dir === '') break;
      dir = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
    }
  }
  return [...dirs].sort().flatMap((dir) => KUSTOMIZATION_FILES.map((name) => (dir ? `${dir}/${name}` : name)));
}

const RESOURCE_KEYS = ['resources', 'components', 'bases'];

/**
 * The kustomization files of the directories these kustomizations name in `resources`, `components`
 * or `bases` (relative paths only; an entry with a YAML or JSON file extension is a file, not a
 * kustomization), except those in `known`. A base shared by overlays can hold a `secretGenerator`.
 */
export function referencedKustomizationPaths(kustomizations: Iterable<readonly [string, string]>, known: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  for (const [path, text] of kustomizations) {
    const parsed = parseYamlValues(text, MASKING_LIMITS);
    if (!parsed.ok) continue;
    const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    for (const value of parsed.values) {
      if (!isPlainObject(value)) continue;
      for (const key of RESOURCE_KEYS) {
        const entries = value[key];
        if (!Array.isArray(entries)) continue;
        for (const entry of entries) {
          if (typeof entry !== 'string' || /\.(ya?ml|json)$/i.test(entry)) continue;
          const target = joinRelative(dir, entry);
          if (target === null) continue;
          for (const name of KUSTOMIZATION_FILES) {
            const candidate = target ? `${target}/${name}` : name;
            if (!known.has(candidate)) found.add(candidate);
          }
        }
      }
    }
  }
  return [...found].sort();
}

function joinRelative(dir: string, relative: string): string | null {
  if (relative.startsWith('/') || /^[a-z]+:\/\//i.test(relative)) return null;
  const parts = dir ? dir.split('/') : [];
  for (const part of relative.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

/** Repo paths of the files the `secretGenerator`s of these kustomizations read. */
export function secretGeneratorSources(kustomizations: Iterable<readonly [string, string]>): Set<string> {
  const sources = new Set<string>();
  for (const [path, text] of kustomizations) {
    if (!text.includes('secretGenerator')) continue;
    const parsed = parseYamlDocuments(text, MASKING_LIMITS);
    if (!parsed.ok) continue;
    const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    for (const value of parsed.values) {
      const generators = isPlainObject(value) ? value['secretGenerator'] : undefined;
      if (!Array.isArray(generators)) continue;
      for (const generator of generators) {
        if (!isPlainObject(generator)) continue;
        const named = [
          ...(Array.isArray(generator['envs']) ? generator['envs'] : []),
          ...(typeof generator['env'] === 'string' ? [generator['env']] : []),
          // `files` entries are `path` or `key=path`.
          ...(Array.isArray(generator['files']) ? generator['files'].map((f) => (typeof f === 'string' ? f.slice(f.indexOf('=') + 1) : f)) : []),
        ];
        for (const relative of named) {
          const resolved = typeof relative === 'string' ? joinRelative(dir, relative) : null;
          if (resolved) sources.add(resolved);
        }
      }
    }
  }
  return sources;
}

const ENV_LINE = /^(\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=)(.*)$/;
const BLANK_OR_COMMENT = /^\s*(#.*)?$/;

/** An env file's `KEY=value` lines, or null when the text is not one. */
function envEntries(text: string): Map<string, string> | null {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const bare = line.replace(/\r$/, '');
    if (BLANK_OR_COMMENT.test(bare)) continue;
    const match = ENV_LINE.exec(bare);
    if (!match) return null;
    entries.set(match[1]!.replace(/[\s=]|export\s+/g, ''), match[2]!);
  }
  return entries;
}

function maskEnv(text: string, old: Map<string, string> | null): string {
  return text
    .split('\n')
    .map((line) => {
      const cr = line.endsWith('\r') ? '\r' : '';
      const match = ENV_LINE.exec(line.replace(/\r$/, ''));
      if (!match || BLANK_OR_COMMENT.test(line)) return line;
      const key = match[1]!.replace(/[\s=]|export\s+/g, '');
      const changed = old !== null && old.has(key) && old.get(key) !== match[2];
      return `${match[1]}${changed ? REDACTED_CHANGED : REDACTED}${cr}`;
    })
    .join('\n');
}

interface Literal {
  start: number;
  end: number;
  id: string;
  key: string;
  value: string;
}

/** The `literals` of every `secretGenerator` in a kustomization text; null when it cannot be parsed. */
function literalsOf(text: string): Literal[] | null {
  const parsed = parseYamlDocuments(text, MASKING_LIMITS);
  if (!parsed.ok) return null;
  const found: Literal[] = [];
  let reliable = true;
  parsed.documents.forEach((doc, docIndex) => {
    const root = doc.contents;
    if (!isMap(root)) return;
    visit(doc, { Alias: () => void (reliable = false) });
    const generators = root.get('secretGenerator', true);
    if (!isSeq(generators)) return;
    generators.items.forEach((generator, index) => {
      if (!isMap(generator)) return;
      const name = generator.get('name');
      const literals = generator.get('literals', true);
      if (literals === undefined || literals === null) return;
      if (!isSeq(literals)) return void (reliable = false);
      for (const item of literals.items) {
        if (!isScalar(item) || typeof item.value !== 'string' || !item.range) return void (reliable = false);
        const value = item.value;
        const eq = value.indexOf('=');
        const key = eq === -1 ? value : value.slice(0, eq);
        const id = JSON.stringify([docIndex, typeof name === 'string' ? name : index, key]);
        found.push({ start: item.range[0], end: item.range[1], id, key, value: eq === -1 ? '' : value.slice(eq + 1) });
      }
    });
  });
  return reliable ? found : null;
}

function applyLiterals(text: string, literals: Literal[], marker: (l: Literal) => string): string {
  let out = '';
  let at = 0;
  for (const literal of [...literals].sort((a, b) => a.start - b.start)) {
    // A plain scalar: the marker has no quote, colon-space or hash that would need quoting.
    out += `${text.slice(at, literal.start)}${JSON.stringify(`${literal.key}=${marker(literal)}`)}`;
    at = literal.end;
  }
  return out + text.slice(at);
}

/**
 * Masks both sides of a changed file the way `maskSecretTexts` masks a Secret: `sources` are the
 * files secretGenerators read (see secretGeneratorSources). `clean` when nothing is sensitive.
 */
export function maskKustomizeTexts(path: string, fromText: string | null, toText: string | null, sources: ReadonlySet<string>): MaskedTexts {
  if (sources.has(path)) {
    const before = fromText === null ? null : envEntries(fromText);
    const after = toText === null ? null : envEntries(toText);
    if ((fromText !== null && before === null) || (toText !== null && after === null)) return { kind: 'withheld' };
    return { kind: 'masked', from: fromText === null ? null : maskEnv(fromText, null), to: toText === null ? null : maskEnv(toText, before) };
  }
  const mentions = (text: string | null) => text !== null && text.includes('secretGenerator');
  if (!mentions(fromText) && !mentions(toText)) return { kind: 'clean' };
  const before = fromText === null || !mentions(fromText) ? [] : literalsOf(fromText);
  const after = toText === null || !mentions(toText) ? [] : literalsOf(toText);
  if (before === null || after === null) return { kind: 'withheld' };
  if (before.length === 0 && after.length === 0) return { kind: 'clean' };
  const old = new Map(before.map((l) => [l.id, l.value]));
  return {
    kind: 'masked',
    from: fromText === null ? null : applyLiterals(fromText, before, () => REDACTED),
    to: toText === null ? null : applyLiterals(toText, after, (l) => (old.has(l.id) && old.get(l.id) !== l.value ? REDACTED_CHANGED : REDACTED)),
  };
}
