/**
 * Which audit events notify whom, and what the message says (decision 038). Pure: the outbox
 * (notification-outbox.ts) calls it inside the transaction of the state change, the sender
 * (server/notify) only POSTs the body built here.
 *
 * A new request state needs one line in `EVENT_KINDS` (e.g. `'rollback.withdrawn': () => 'withdrawn'`).
 */
import type { ChannelType, NotificationKind } from './notification-schemas.ts';
import { reviewEligibility } from './review-rules.ts';
import type { AuditEvent, RollbackRequest, User } from './schemas.ts';
import type { TargetConfig } from './target-config.ts';

/** Audit event type → the notification it sends, or null for none (e.g. a request that needs no review). */
export const EVENT_KINDS: Readonly<Record<string, (event: AuditEvent) => NotificationKind | null>> = {
  'rollback.requested': (e) => (e.details['state'] === 'pending' ? 'requested' : null),
  'rollback.reviewed': (e) => (e.details['state'] === 'approved' ? 'approved' : e.details['state'] === 'rejected' ? 'rejected' : null),
  'rollback.executed': () => 'executed',
  'rollback.failed': () => 'failed',
  'rollback.withdrawn': () => 'withdrawn',
  'rollback.superseded': () => 'superseded',
  'rollback.closed': () => 'closed',
  'break-glass.opened': () => 'break-glass-opened',
};

export function notificationKindOf(event: AuditEvent): NotificationKind | null {
  return Object.hasOwn(EVENT_KINDS, event.type) ? EVENT_KINDS[event.type]!(event) : null;
}

export interface NotificationChannelRoute {
  name: string;
  type: ChannelType;
  /** The kinds it receives; every kind when absent. */
  events?: readonly NotificationKind[] | undefined;
  /** `tenant/environment` patterns (`*` matches within a segment); every target when absent. */
  targets?: readonly string[] | undefined;
}

export interface NotificationRouting {
  /** Rewind's public URL, for links to a request (`<baseUrl>/rollbacks/<id>`). */
  baseUrl: string;
  channels: readonly NotificationChannelRoute[];
  /** Per-target overrides: the first whose pattern matches replaces the channel list for that target. */
  overrides?: readonly { target: string; channels: readonly string[] }[] | undefined;
}

export function targetMatches(pattern: string, tenant: string, environment: string): boolean {
  const [t = '', e = '*'] = pattern.split('/');
  const segment = (p: string, value: string) => new RegExp(`^${p.split('*').map(escapeRegExp).join('[^/]*')}$`).test(value);
  return segment(t, tenant) && segment(e, environment);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The channels that receive `kind` for this target (break-glass has no target: channels without `targets`). */
export function channelsFor(routing: NotificationRouting, kind: NotificationKind, target: { tenant: string; environment: string } | null): NotificationChannelRoute[] {
  const override = target ? routing.overrides?.find((o) => targetMatches(o.target, target.tenant, target.environment)) : undefined;
  return routing.channels.filter((channel) => {
    if (channel.events && !channel.events.includes(kind)) return false;
    if (override) return override.channels.includes(channel.name);
    if (!channel.targets) return true;
    return target !== null && channel.targets.some((p) => targetMatches(p, target.tenant, target.environment));
  });
}

/** The users who may review the request now, by the rules the server applies (review-rules.ts). */
export function eligibleApprovers(request: RollbackRequest, target: TargetConfig | null, users: readonly User[], now: number): User[] {
  return users.filter((user) => reviewEligibility(request, { user, breakGlass: null }, target?.policy, now).kind === 'can-review');
}

export interface NotificationContext {
  kind: NotificationKind;
  event: AuditEvent;
  request: RollbackRequest | null;
  /** Only for `requested`: who may review it. */
  approvers: readonly User[];
  /** The event's actor as the user directory knows them (decision 047: people by name); absent when unknown. */
  actor?: User | null | undefined;
  baseUrl: string;
}

const HEADLINES: Record<NotificationKind, string> = {
  requested: 'Rollback awaiting review',
  approved: 'Rollback approved',
  rejected: 'Rollback rejected',
  executed: 'Rollback committed',
  failed: 'Rollback failed',
  withdrawn: 'Rollback withdrawn',
  superseded: 'Rollback superseded',
  closed: 'Rollback closed',
  'break-glass-opened': 'Break-glass session opened',
};

export function requestUrl(baseUrl: string, requestId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/rollbacks/${encodeURIComponent(requestId)}`;
}

/** One line saying what the rollback changes: mode, target, revision, services. */
export function diffSummary(request: RollbackRequest): string {
  const scope = request.mode === 'full' ? 'full' : request.mode === 'service' ? `service ${request.service ?? ''}` : `${request.fields?.length ?? 0} field(s) of ${request.service ?? ''}`;
  const services = request.affectedServices.length > 0 ? request.affectedServices.join(', ') : 'no service';
  return `${scope} rollback of ${request.tenant}/${request.environment} to ${request.targetSha.slice(0, 7)} (from ${request.baseSha.slice(0, 7)}); services: ${services}`;
}

/** The generic webhook's JSON body. */
export function webhookBody(context: NotificationContext, messageId: string): Record<string, unknown> {
  const { event, request } = context;
  return {
    id: messageId,
    kind: context.kind,
    event: { id: event.id, type: event.type, at: event.at, actor: event.actor, breakGlass: event.breakGlass },
    request: request
      ? {
          id: request.id,
          url: requestUrl(context.baseUrl, request.id),
          tenant: request.tenant,
          environment: request.environment,
          state: request.state,
          mode: request.mode,
          requestedBy: request.requestedBy,
          justification: request.justification,
          targetSha: request.targetSha,
          baseSha: request.baseSha,
          affectedServices: request.affectedServices,
          diffSummary: diffSummary(request),
          ...(request.commitSha !== undefined ? { commitSha: request.commitSha } : {}),
          ...(request.error !== undefined ? { error: request.error } : {}),
          ...(request.closedReason !== undefined ? { closedReason: request.closedReason } : {}),
          ...(request.supersededBy !== undefined ? { supersededBy: request.supersededBy, supersededByUrl: requestUrl(context.baseUrl, request.supersededBy) } : {}),
        }
      : null,
    approvers: context.approvers.map((user) => user.email),
    ...(context.kind === 'break-glass-opened' ? { breakGlass: event.details } : {}),
  };
}

/** Slack's `<`, `>` and `&` are control characters in message text. */
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Who acted, as people read it: `Name (email)` when the directory knows them, else the email as recorded. */
const actorText = (context: NotificationContext) =>
  slackEscape(context.actor && context.actor.name.trim() !== '' ? `${context.actor.name} (${context.event.actor})` : context.event.actor);

/** Slack links a mention only by user id (`<@U123>`); without one, the name is plain text. */
export const slackMention = (user: User): string => (user.slackId !== undefined ? `<@${user.slackId}>` : slackEscape(`@${user.name}`));

/** Kinds that end a request without a rollback: the message says why (decision 039's `closedReason`). */
const ENDING_KINDS: ReadonlySet<NotificationKind> = new Set(['withdrawn', 'superseded', 'closed']);

function endingLine(context: NotificationContext, request: RollbackRequest): string {
  const reason = slackEscape(request.closedReason ?? '');
  if (context.kind === 'superseded' && request.supersededBy !== undefined) {
    return `${reason} (<${requestUrl(context.baseUrl, request.supersededBy)}|${request.supersededBy}>)`;
  }
  return reason;
}

/** A Slack-compatible incoming-webhook body (`text` in mrkdwn). */
export function slackBody(context: NotificationContext): { text: string } {
  const { event, request } = context;
  const lines: string[] = [];
  if (request) {
    lines.push(`*${HEADLINES[context.kind]}*: <${requestUrl(context.baseUrl, request.id)}|${request.id}> on ${slackEscape(`${request.tenant}/${request.environment}`)} by ${actorText(context)}`);
    lines.push(slackEscape(diffSummary(request)));
    lines.push(`> ${slackEscape(request.justification)}`);
    if (request.error !== undefined && context.kind === 'failed') lines.push(`Error: ${slackEscape(request.error)}`);
    if (ENDING_KINDS.has(context.kind) && request.closedReason !== undefined) lines.push(endingLine(context, request));
    if (context.kind === 'requested') {
      lines.push(context.approvers.length > 0 ? `Approvers: ${context.approvers.map(slackMention).join(', ')}` : 'Approvers: nobody in the user directory may review it');
    }
  } else {
    const details = event.details;
    lines.push(`*${HEADLINES[context.kind]}* by ${actorText(context)}${typeof details['expiresAt'] === 'string' ? ` until ${details['expiresAt']}` : ''}`);
    if (typeof details['justification'] === 'string') lines.push(`> ${slackEscape(details['justification'])}`);
  }
  if (event.breakGlass && context.kind !== 'break-glass-opened') lines.push(':rotating_light: break-glass');
  return { text: lines.join('\n') };
}

export function messageBody(type: ChannelType, context: NotificationContext, messageId: string): string {
  return JSON.stringify(type === 'slack' ? slackBody(context) : webhookBody(context, messageId));
}
