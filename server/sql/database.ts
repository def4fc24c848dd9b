/**
 * The SQL database of the server: SQLite embedded (better-sqlite3) behind Kysely, so the store's
 * queries are dialect-neutral and a Postgres dialect can follow. Row types of every table live here.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type Generated,
  type SqliteDatabase,
  type SqliteDialectConfig,
} from 'kysely';

/** Booleans are stored as 0/1 integers, JSON as text, timestamps as ISO 8601 text. */
export interface RequestsTable {
  id: string;
  tenant: string;
  environment: string;
  mode: string;
  target_sha: string;
  base_sha: string;
  service: string | null;
  /** JSON: FieldSelection[] */
  fields: string | null;
  justification: string;
  requested_by: string;
  /** As given. */
  created_at: string;
  /** `created_at` normalised to UTC milliseconds: the list order (see orderKey). */
  created_key: string;
  state: string;
  required_approvals: number;
  break_glass: number;
  /** JSON: string[] */
  affected_services: string;
  diff_hash: string;
  commit_sha: string | null;
  error: string | null;
  /** JSON: RollForwardHint[] (migration 0003) */
  hints: string | null;
  /** Decision 047: JSON of the request's `versions`. */
  versions: string | null;
  incident_id: string | null;
  incident_url: string | null;
  /** Why a withdrawn, superseded or closed request ended (migration 0004, decision 039). */
  closed_reason: string | null;
  /** JSON string[] / an id: the requests this one replaced, the one that replaced it (migration 0004). */
  supersedes: string | null;
  superseded_by: string | null;
}

export interface ReviewsTable {
  /** Order of creation. */
  seq: Generated<number>;
  request_id: string;
  reviewer: string;
  decision: string;
  comment: string;
  reviewed_at: string;
  stale: number;
}

export interface NotesTable {
  seq: Generated<number>;
  request_id: string;
  author: string;
  body: string;
  noted_at: string;
}

export interface AuditEventsTable {
  /** Append order: the list order and the cursor, never the timestamps. */
  seq: Generated<number>;
  id: string;
  at: string;
  actor: string;
  /** Lower-cased actor, for the case-insensitive filter. */
  actor_key: string;
  type: string;
  tenant: string | null;
  environment: string | null;
  request_id: string | null;
  break_glass: number;
  /** JSON object */
  details: string;
  /** JSON array of `tenant/environment` a break-glass session touched (decision 037), or null. */
  targets: string | null;
}

export interface BreakGlassSessionsTable {
  seq: Generated<number>;
  user_email: string;
  user_key: string;
  justification: string;
  opened_at: string;
  expires_at: string;
  closed_at: string | null;
}

/** Accepted webhook deliveries, by signature, until they expire (decision 037). */
export interface WebhookDeliveriesTable {
  delivery_key: string;
  expires_at: string;
}

export interface IdempotencyKeysTable {
  user_key: string;
  idempotency_key: string;
  request_id: string;
}

/** Decision 038. Timestamps are ISO 8601 UTC text (`toISOString`), so they compare as text. */
export interface NotificationOutboxTable {
  seq: Generated<number>;
  id: string;
  event_id: string;
  request_id: string | null;
  kind: string;
  channel: string;
  channel_type: string;
  body: string;
  created_at: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  last_attempt_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
}

export interface RewindDatabase {
  requests: RequestsTable;
  reviews: ReviewsTable;
  notes: NotesTable;
  audit_events: AuditEventsTable;
  break_glass_sessions: BreakGlassSessionsTable;
  idempotency_keys: IdempotencyKeysTable;
  webhook_deliveries: WebhookDeliveriesTable;
  notification_outbox: NotificationOutboxTable;
}

export interface OpenDatabaseOptions {
  /** A connection that only reads (`query_only`), with plain deferred transactions. */
  queryOnly?: boolean;
  /** How long a statement waits for another process's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating it and its directory if needed) a SQLite database file: WAL journal, busy timeout,
 * foreign keys on. Kysely runs everything over this one connection, one transaction at a time; write
 * transactions start with BEGIN IMMEDIATE so that another process writing the same file makes us wait
 * at BEGIN (busy timeout) instead of failing when a read turns into a write.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Kysely<RewindDatabase> {
  if (file !== ':memory:' && file !== '') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  try {
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    if (options.queryOnly) sqlite.pragma('query_only = ON');
  } catch (error) {
    sqlite.close();
    throw error;
  }
  return new Kysely<RewindDatabase>({ dialect: new RewindSqliteDialect({ database: withStatementCache(sqlite) }, !options.queryOnly) });
}

/** Prepared statements kept per connection (most recently used first out last). */
const STATEMENT_CACHE_MAX = 256;

/**
 * Kysely's SQLite driver prepares every query again; preparing was the largest single cost of a
 * review under load (decision 049). Statements are reused by their SQL text: the driver runs one query
 * at a time on the connection and reads every row at once, so a statement is never in use twice.
 */
function withStatementCache(sqlite: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (statement) {
        statements.delete(text);
      } else {
        statement = sqlite.prepare(text);
        if (statements.size >= STATEMENT_CACHE_MAX) statements.delete(statements.keys().next().value!);
      }
      statements.set(text, statement);
      return statement;
    },
  };
}

class RewindSqliteDialect extends SqliteDialect {
  constructor(
    private readonly settings: SqliteDialectConfig,
    private readonly immediate: boolean,
  ) {
    super(settings);
  }

  override createDriver(): Driver {
    return this.immediate ? new ImmediateSqliteDriver(this.settings) : new SqliteDriver(this.settings);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}
