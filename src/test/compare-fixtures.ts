/**
 * Crafted compare responses (API.md `Diff`) for tests, e2e journeys (served with `page.route`) and the
 * compare-view benchmark: patches of any length in git's format, hostile names and content.
 * Pure data: no test framework, DOM or Node imports, so Playwright and the bench can load it too.
 */
import type { Diff, FieldChange, FileDiff } from '#core/schemas.ts';

export const FROM_SHA = '1111111111111111111111111111111111111111';
export const TO_SHA = '2222222222222222222222222222222222222222';
export const ROOT = 'tenants/acme/production/';

const CONTEXT = 3;
/** Lines of one generated hunk: header, 3 context, 1 deletion, 1 insertion, 3 context. */
export const HUNK_LINES = 9;

/**
 * A modified file's patch of about `lines` lines (at least one hunk): one edited line every hunk, as a
 * generated manifest with a value bumped all over it. `width` pads content lines to that many characters.
 */
export function makePatch(path: string, lines: number, options: { width?: number; content?: (n: number) => string } = {}): string {
  const content = options.content ?? ((n: number) => `  key${n}: value-${n}`);
  const pad = (text: string) => (options.width ? text.padEnd(options.width, '#') : text);
  const out = [`diff --git a/${path} b/${path}`, `--- a/${path}`, `+++ b/${path}`];
  const hunks = Math.max(1, Math.floor((lines - 3) / HUNK_LINES));
  for (let h = 0; h < hunks; h++) {
    const start = h * 10 + 1;
    out.push(`@@ -${start},7 +${start},7 @@ section-${h}:`);
    for (let i = 0; i < CONTEXT; i++) out.push(` ${pad(content(start + i))}`);
    out.push(`-${pad(content(start + CONTEXT))}`);
    out.push(`+${pad(`${content(start + CONTEXT)}-new`)}`);
    for (let i = CONTEXT + 1; i <= 2 * CONTEXT; i++) out.push(` ${pad(content(start + i))}`);
  }
  return `${out.join('\n')}\n`;
}

export function makeFileDiff(path: string, patch: string, overrides: Partial<FileDiff> = {}): FileDiff {
  let additions = 0;
  let deletions = 0;
  for (const line of patch.split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++ ')) additions++;
    else if (line.startsWith('-') && !line.startsWith('--- ')) deletions++;
  }
  const service = /services\/([^/]+)\//.exec(path)?.[1] ?? null;
  const kind = service ? 'service' : path.endsWith('variables.yaml') ? 'variables' : path.endsWith('kustomization.yaml') ? 'binding' : 'other';
  return { path, service, kind, status: 'modified', additions, deletions, patch, ...overrides };
}

export function makeDiff(files: FileDiff[], fields: FieldChange[] = []): Diff {
  const services = new Set(files.filter((f) => f.kind === 'service').map((f) => f.service));
  return {
    from: FROM_SHA,
    to: TO_SHA,
    files,
    fields,
    impact: {
      services: services.size,
      bindings: files.filter((f) => f.kind === 'binding').length,
      variables: files.filter((f) => f.kind === 'variables').length,
    },
  };
}

const paymentsPath = `${ROOT}services/payments/values.yaml`;

export const paymentsFile = makeFileDiff(
  paymentsPath,
  [
    `diff --git a/${paymentsPath} b/${paymentsPath}`,
    `--- a/${paymentsPath}`,
    `+++ b/${paymentsPath}`,
    '@@ -1,5 +1,5 @@',
    ' image:',
    '   repository: registry.example.com/acme/payments',
    '-  tag: "v2.13.14"',
    '+  tag: "v2.14.0"',
    ' env:',
    '   - name: PAYMENT_PROVIDER_TIMEOUT_MS',
    '',
  ].join('\n'),
);

export const paymentsFields: FieldChange[] = [
  { service: 'payments', file: paymentsPath, path: ['image', 'tag'], from: 'v2.13.14', to: 'v2.14.0' },
  {
    service: 'payments',
    file: paymentsPath,
    path: ['env', '[name=PAYMENT_PROVIDER_TIMEOUT_MS]', 'value'],
    from: '3000',
    to: '800',
  },
];

const secretPath = `${ROOT}services/payments/secret.yaml`;

/** A masked Secret as core/secret-masking.ts writes it: markers in the patch and in the fields. */
export const secretFile = makeFileDiff(
  secretPath,
  [
    `diff --git a/${secretPath} b/${secretPath}`,
    `--- a/${secretPath}`,
    `+++ b/${secretPath}`,
    '@@ -1,5 +1,6 @@',
    ' kind: Secret',
    ' data:',
    '-  password: <redacted>',
    '+  password: <redacted:changed>',
    '   user: <redacted>',
    '+  token: <redacted>',
    '',
  ].join('\n'),
  { redacted: 'values' },
);

export const secretFields: FieldChange[] = [
  { service: 'payments', file: secretPath, path: ['data', 'password'], from: '<redacted>', to: '<redacted:changed>', redacted: true },
  { service: 'payments', file: secretPath, path: ['data', 'token'], to: '<redacted>', redacted: true },
];

export const LARGE_PATH = `${ROOT}services/search/generated.yaml`;
export const HUGE_PATH = `${ROOT}services/search/snapshot.yaml`;

/** For the "Load diff" and download journeys: a small file, a 1,200-line one and a 21,000-line one. */
export function largeCompare(): Diff {
  return makeDiff(
    [paymentsFile, makeFileDiff(LARGE_PATH, makePatch(LARGE_PATH, 1_200)), makeFileDiff(HUGE_PATH, makePatch(HUGE_PATH, 21_000))],
    paymentsFields,
  );
}

/** Sets `window.__xss` if it ever runs; alert() would also open a dialog the journey fails on. */
const SCRIPT = '<script>window.__xss = "script"; alert(1)</script>';
const IMG = '<img src=x onerror="window.__xss = \'img\'; alert(2)">';
const JS_URL = 'javascript:window.__xss=\'url\';alert(3)';
export const HOSTILE_TEXTS = [SCRIPT, IMG, JS_URL];

export const HOSTILE_PATH = `${ROOT}services/payments/${IMG}"'.yaml"><svg onload=alert(4)>`;

/** Every attacker-controlled string of a compare: path, service, hunk header, lines, field path and values. */
export function hostileCompare(): Diff {
  const patch = [
    `diff --git a/${HOSTILE_PATH} b/${HOSTILE_PATH}`,
    `--- a/${HOSTILE_PATH}`,
    `+++ b/${HOSTILE_PATH}`,
    `@@ -1,4 +1,4 @@ ${IMG}`,
    ` description: ${SCRIPT}`,
    `-link: ${JS_URL}`,
    `+link: <a href="${JS_URL}">click</a>`,
    ` image: ${IMG}`,
    ` style: <div style="position:fixed;inset:0;background:red">covered</div>`,
    '',
  ].join('\n');
  const file = makeFileDiff(HOSTILE_PATH, patch, { service: `payments${SCRIPT}` });
  return makeDiff(
    [file],
    [
      { service: file.service, file: HOSTILE_PATH, path: [IMG, `[name=${SCRIPT}]`, 'link'], from: JS_URL, to: `<a href="${JS_URL}">click</a>` },
      { service: file.service, file: HOSTILE_PATH, path: ['annotations', SCRIPT], from: { [IMG]: SCRIPT } },
    ],
  );
}

/**
 * About 100,000 lines of patch over 26 files, as a big generated-manifest release might be: 20 small
 * service files (rendered at once), five long ones (behind "Load diff", virtualised once loaded) and
 * one past the download-only limit. With 1,000 field changes.
 */
export function hundredThousandLineCompare(): Diff {
  const files: FileDiff[] = [];
  const fields: FieldChange[] = [];
  for (let i = 0; i < 20; i++) {
    const path = `${ROOT}services/svc-${String(i).padStart(2, '0')}/values.yaml`;
    files.push(makeFileDiff(path, makePatch(path, 48)));
  }
  for (const [name, lines] of [['alpha', 15_000], ['beta', 15_000], ['gamma', 15_000], ['delta', 15_000], ['omega', 19_500]] as const) {
    const path = `${ROOT}services/bulk-${name}/manifest.yaml`;
    files.push(makeFileDiff(path, makePatch(path, lines)));
  }
  const hugePath = `${ROOT}services/bulk-zeta/manifest.yaml`;
  files.push(makeFileDiff(hugePath, makePatch(hugePath, 20_600)));
  for (let i = 0; i < 1_000; i++) {
    const file = files[20 + (i % 5)]!;
    fields.push({ service: file.service, file: file.path, path: [`section-${i}`, `key${i * 10 + 4}`], from: `value-${i}`, to: `value-${i}-new` });
  }
  return makeDiff(files, fields);
}
