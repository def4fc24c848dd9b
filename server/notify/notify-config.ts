/**
 * `notifications:` of rewind.config.yaml (decision 038). URLs and secrets are never in the file:
 * `urlEnv`/`urlFile` and `secretEnv`/`secretFile` name where they are (a Slack webhook URL is itself
 * a secret). `resolveChannels` reads them at start and fails with a clear error when one is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { notificationKindSchema, type ChannelType } from '#core/notification-schemas.ts';
import type { NotificationRouting } from '#core/notifications.ts';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
const targetPattern = z.string().regex(/^[A-Za-z0-9*_.-]+(\/[A-Za-z0-9*_.-]+)?$/, 'must be tenant/environment, * matching within a part (e.g. acme/*)');

const channelSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9#_.-]{1,64}$/, 'must be 1-64 letters, digits, #, _, . or -'),
    type: z.enum(['slack', 'webhook']),
    urlEnv: envName.optional(),
    urlFile: z.string().min(1).optional(),
    secretEnv: envName.optional(),
    secretFile: z.string().min(1).optional(),
    events: z.array(notificationKindSchema).min(1).optional(),
    targets: z.array(targetPattern).min(1).optional(),
  })
  .strict()
  .refine((c) => (c.urlEnv === undefined) !== (c.urlFile === undefined), { message: 'set exactly one of urlEnv and urlFile' })
  .refine((c) => !(c.secretEnv && c.secretFile), { message: 'set at most one of secretEnv and secretFile' })
  .refine((c) => c.type === 'slack' || c.secretEnv !== undefined || c.secretFile !== undefined, {
    message: 'a webhook channel needs secretEnv or secretFile (its deliveries are signed)',
  });

export const notificationsConfigSchema = z
  .object({
    /** Rewind's public URL, for links in messages, e.g. https://rewind.example.com */
    baseUrl: z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL'),
    channels: z.array(channelSchema).max(50).default([]),
    /** Per target: the first matching entry replaces the channel list (e.g. a tenant's own Slack). */
    targets: z.array(z.object({ target: targetPattern, channels: z.array(z.string()) }).strict()).default([]),
    /** Attempts before a message is `failed` (default 8). */
    maxAttempts: z.number().int().min(1).max(100).default(8),
    /** Per attempt (default 5000 ms). */
    timeoutMs: z.number().int().min(100).max(120_000).default(5000),
    /** Days a delivered or failed message is kept after its last attempt (default 7; decision 045). */
    retentionDays: z.number().positive().max(3650).default(7),
  })
  .strict()
  .superRefine((config, ctx) => {
    const names = new Set<string>();
    config.channels.forEach((channel, i) => {
      if (names.has(channel.name)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'name'], message: `channel ${channel.name} is defined twice` });
      names.add(channel.name);
    });
    config.targets.forEach((override, i) =>
      override.channels.forEach((name, j) => {
        if (!names.has(name)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'channels', j], message: `no channel is named ${name}` });
      }),
    );
  });

export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;

export interface ResolvedChannel {
  name: string;
  type: ChannelType;
  /** A secret (it carries a token): never logged; `redactUrl` shows its origin only. */
  url: string;
  secret: string | null;
}

export function routingOf(config: NotificationsConfig): NotificationRouting {
  return {
    baseUrl: config.baseUrl,
    channels: config.channels.map((c) => ({ name: c.name, type: c.type, events: c.events, targets: c.targets })),
    overrides: config.targets,
  };
}

export class NotificationConfigError extends Error {
  override name = 'ConfigError';
}

function readSecret(what: string, env: string | undefined, file: string | undefined, baseDir: string, environment: NodeJS.ProcessEnv): string | null {
  if (env !== undefined) {
    const value = environment[env];
    if (value === undefined || value === '') throw new NotificationConfigError(`${what}Env names ${env}, which is not set`);
    return value;
  }
  if (file !== undefined) {
    const path = isAbsolute(file) ? file : resolve(baseDir, file);
    if (!existsSync(path)) throw new NotificationConfigError(`${what}File ${file} does not exist`);
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  }
  return null;
}

/** Reads every channel's URL and secret; a missing one stops the start with the channel's name. */
export function resolveChannels(config: NotificationsConfig, baseDir: string, environment: NodeJS.ProcessEnv = process.env): Map<string, ResolvedChannel> {
  const channels = new Map<string, ResolvedChannel>();
  for (const channel of config.channels) {
    const prefix = `notifications channel ${channel.name}: `;
    try {
      const url = readSecret('url', channel.urlEnv, channel.urlFile, baseDir, environment)!;
      if (!/^https?:\/\/[^\s]+$/.test(url)) throw new NotificationConfigError(`the URL in ${channel.urlEnv ?? channel.urlFile} is not an http(s) URL`);
      channels.set(channel.name, { name: channel.name, type: channel.type, url, secret: readSecret('secret', channel.secretEnv, channel.secretFile, baseDir, environment) });
    } catch (error) {
      throw new NotificationConfigError(prefix + (error as Error).message);
    }
  }
  return channels;
}

/** What a log may say about a webhook URL: scheme and host, never the path or query (tokens). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/…`;
  } catch {
    return '(invalid URL)';
  }
}
