import type { FieldChange, FileDiff } from '#core/schemas.ts';
import { measurePatch, planAutoLoad, type PatchSize } from '#src/components/diff-view/diff-limits.ts';

export type FileGroupKind = 'service' | 'binding' | 'variables' | 'other';

export interface CompareFile {
  file: FileDiff;
  /** Element id of the file's diff: the anchor the file list links to. */
  anchor: string;
  /** The path without the directories every changed file shares. */
  shortPath: string;
  size: PatchSize;
  autoLoad: boolean;
}

export interface FileGroup {
  key: string;
  kind: FileGroupKind;
  label: string;
  files: CompareFile[];
}

const KIND_LABEL: Record<Exclude<FileGroupKind, 'service'>, string> = {
  binding: 'Bindings',
  variables: 'Variables',
  other: 'Other files',
};
const KIND_ORDER: FileGroupKind[] = ['service', 'binding', 'variables', 'other'];

export function groupKeyOf(file: Pick<FileDiff, 'kind' | 'service'>): { key: string; kind: FileGroupKind; label: string } {
  if (file.kind === 'service' && file.service) return { key: `service:${file.service}`, kind: 'service', label: file.service };
  const kind = file.kind === 'service' ? 'other' : file.kind;
  return { key: kind, kind, label: KIND_LABEL[kind] };
}

/**
 * The files of a compare in reading order: one group per service (by name), then bindings, variables
 * and other files; by path inside a group. Also decides which diffs render without a click.
 */
export function groupFiles(files: readonly FileDiff[]): FileGroup[] {
  const groups = new Map<string, FileGroup>();
  for (const file of files) {
    const { key, kind, label } = groupKeyOf(file);
    let group = groups.get(key);
    if (!group) {
      group = { key, kind, label, files: [] };
      groups.set(key, group);
    }
    group.files.push({ file, anchor: '', shortPath: file.path, size: measurePatch(file.patch), autoLoad: false });
  }
  const ordered = [...groups.values()].sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.label.localeCompare(b.label),
  );
  for (const group of ordered) group.files.sort((a, b) => a.file.path.localeCompare(b.file.path));

  const all = ordered.flatMap((group) => group.files);
  const prefix = commonDirectory(all.map((entry) => entry.file.path));
  const autoLoad = planAutoLoad(all.map((entry) => entry.size));
  const anchors = new Set<string>();
  all.forEach((entry, index) => {
    entry.shortPath = entry.file.path.slice(prefix.length) || entry.file.path;
    entry.autoLoad = autoLoad[index] ?? false;
    entry.anchor = uniqueAnchor(entry.file.path, anchors);
  });
  return ordered;
}

/** `a/b/c.yaml`, `a/b/d/e.yaml` → `a/b/`; a single file keeps its last directory for context. */
function commonDirectory(paths: readonly string[]): string {
  const first = paths[0];
  if (first === undefined) return '';
  let prefix = first.slice(0, first.lastIndexOf('/') + 1);
  for (const path of paths) {
    while (prefix && !path.startsWith(prefix)) prefix = prefix.slice(0, prefix.lastIndexOf('/', prefix.length - 2) + 1);
  }
  if (paths.length === 1) prefix = prefix.slice(0, prefix.lastIndexOf('/', prefix.length - 2) + 1);
  return prefix;
}

function uniqueAnchor(path: string, taken: Set<string>): string {
  const base = `file-${path.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`.slice(0, 120);
  let anchor = base;
  for (let n = 2; taken.has(anchor); n++) anchor = `${base}-${n}`;
  taken.add(anchor);
  return anchor;
}

export interface FieldGroup {
  key: string;
  label: string;
  fields: FieldChange[];
}

/** Field changes in the same order and groups as the files they belong to. */
export function groupFields(fields: readonly FieldChange[], groups: readonly FileGroup[]): FieldGroup[] {
  const kindOfFile = new Map<string, Pick<FileDiff, 'kind' | 'service'>>();
  for (const group of groups) for (const entry of group.files) kindOfFile.set(entry.file.path, entry.file);
  const order = new Map(groups.map((group, index) => [group.key, index]));

  const byKey = new Map<string, FieldGroup>();
  for (const field of fields) {
    const file = kindOfFile.get(field.file) ?? { kind: field.service ? 'service' : 'other', service: field.service };
    const { key, label } = groupKeyOf(file);
    let group = byKey.get(key);
    if (!group) {
      group = { key, label, fields: [] };
      byKey.set(key, group);
    }
    group.fields.push(field);
  }
  return [...byKey.values()].sort(
    (a, b) => (order.get(a.key) ?? Infinity) - (order.get(b.key) ?? Infinity) || a.label.localeCompare(b.label),
  );
}
