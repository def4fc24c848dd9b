// The compare feature's query keys, apart from its query options, so the app's live-update
// invalidation does not pull the options into the first bundle.
export const compareKeys = {
  all: ['compare'] as const,
  pair: (tenant: string, environment: string, from: string, to: string) =>
    ['compare', tenant, environment, from, to] as const,
  fields: (tenant: string, environment: string, from: string, to: string) =>
    ['compare', 'fields', tenant, environment, from, to] as const,
  file: (tenant: string, environment: string, from: string, to: string, path: string, context: number) =>
    ['compare', 'file', tenant, environment, from, to, path, context] as const,
  revision: (tenant: string, environment: string, sha: string) =>
    ['compare', 'revision', tenant, environment, sha] as const,
};
