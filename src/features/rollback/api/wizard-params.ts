import { NAME_PATTERN, SHA_INPUT_PATTERN } from '#core/names.ts';
import type { FieldSelection, RollbackMode } from '#core/schemas.ts';

/**
 * The wizard's choices as they live in the URL, so a half-filled wizard can be pasted into an incident
 * channel and reopen where it was. The target comes first: which modes exist, and what each would
 * touch, depend on the target's plan, flags and services (docs/decisions/011-rollback-wizard.md).
 */
export const WIZARD_STEPS = ['target', 'scope', 'revision', 'preview', 'submit'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export const STEP_TITLES: Record<WizardStep, string> = {
  target: 'Target',
  scope: 'Scope',
  revision: 'Revision',
  preview: 'Preview',
  submit: 'Justify and submit',
};

export interface WizardParams {
  tenant?: string;
  environment?: string;
  mode?: RollbackMode;
  /** A full or abbreviated commit id. */
  revision?: string;
  service?: string;
  fields: FieldSelection[];
  step?: WizardStep;
}

const MODES: readonly string[] = ['full', 'service', 'field'];
const MAX_FIELDS = 500;

const isMode = (value: string | null): value is RollbackMode => value !== null && MODES.includes(value);
const isStep = (value: string | null): value is WizardStep =>
  value !== null && (WIZARD_STEPS as readonly string[]).includes(value);
const validName = (value: string | null) => (value !== null && NAME_PATTERN.test(value) ? value : undefined);

/**
 * Reads the wizard from a URL someone may have edited or truncated: a value the API would reject is
 * dropped (that step then asks again) rather than turned into an error page.
 */
export function parseWizardParams(search: URLSearchParams): WizardParams {
  const params: WizardParams = { fields: [] };
  const tenant = validName(search.get('tenant'));
  const environment = validName(search.get('environment'));
  if (tenant && environment) {
    params.tenant = tenant;
    params.environment = environment;
  }
  const mode = search.get('mode');
  if (isMode(mode)) params.mode = mode;
  const revision = search.get('revision')?.toLowerCase() ?? null;
  if (revision !== null && SHA_INPUT_PATTERN.test(revision)) params.revision = revision;
  const service = validName(search.get('service'));
  if (service && (params.mode === 'service' || params.mode === 'field')) params.service = service;
  if (params.mode === 'field' && params.service) params.fields = decodeFields(search.get('fields'));
  const step = search.get('step');
  if (isStep(step)) params.step = step;
  return params;
}

/** The URL form, in a fixed order so the same choices always give the same link. */
export function wizardSearchParams(params: WizardParams): URLSearchParams {
  const search = new URLSearchParams();
  if (params.tenant && params.environment) {
    search.set('tenant', params.tenant);
    search.set('environment', params.environment);
  }
  if (params.mode) search.set('mode', params.mode);
  if (params.revision) search.set('revision', params.revision);
  if (params.service && params.mode !== 'full') search.set('service', params.service);
  if (params.fields.length > 0 && params.mode === 'field') search.set('fields', encodeFields(params.fields));
  if (params.step) search.set('step', params.step);
  return search;
}

/**
 * A later choice depends on the earlier ones: another target has other revisions and services,
 * another revision other changed fields. Changing a choice drops the ones that no longer apply.
 */
export function withChoice(params: WizardParams, patch: Partial<WizardParams>): WizardParams {
  const next: WizardParams = { ...params, ...patch };
  const changed = <K extends keyof WizardParams>(key: K) => key in patch && patch[key] !== params[key];
  if (changed('tenant') || changed('environment')) {
    delete next.revision;
    delete next.service;
    next.fields = [];
  }
  if (changed('mode')) {
    if (next.mode === 'full') delete next.service;
    if (next.mode !== 'field') next.fields = [];
  }
  if ((changed('revision') || changed('service')) && !('fields' in patch)) next.fields = [];
  for (const key of Object.keys(next) as (keyof WizardParams)[]) {
    if (next[key] === undefined) delete next[key];
  }
  return next;
}

/** Equality of two field selections (file and path). */
export function fieldKey(field: FieldSelection): string {
  return `${field.file}\u0000${JSON.stringify(field.path)}`;
}

/**
 * Field selections travel as base64url of `[[file, ...path], ...]`: about a third of the length of the
 * percent-encoded JSON, and safe in chat tools that mangle brackets and quotes.
 */
export function encodeFields(fields: readonly FieldSelection[]): string {
  const json = JSON.stringify(fields.map((field) => [field.file, ...field.path]));
  const bytes = new TextEncoder().encode(json);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeFields(encoded: string | null): FieldSelection[] {
  if (!encoded || !/^[A-Za-z0-9_-]+$/.test(encoded)) return [];
  try {
    const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    if (!Array.isArray(value)) return [];
    const fields: FieldSelection[] = [];
    const seen = new Set<string>();
    for (const item of value.slice(0, MAX_FIELDS)) {
      const field = toFieldSelection(item);
      if (field && !seen.has(fieldKey(field))) {
        seen.add(fieldKey(field));
        fields.push(field);
      }
    }
    return fields;
  } catch {
    return [];
  }
}

function toFieldSelection(item: unknown): FieldSelection | null {
  if (!Array.isArray(item) || item.length < 2 || item.length > 65) return null;
  const [file, ...path] = item as unknown[];
  if (typeof file !== 'string' || file === '' || file.length > 1024) return null;
  const validElement = (element: unknown) =>
    typeof element === 'string' || (typeof element === 'number' && Number.isInteger(element) && element >= 0);
  if (!path.every(validElement)) return null;
  return { file, path: path as (string | number)[] };
}
