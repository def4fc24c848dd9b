/**
 * The schema, as Kysely migrations kept in code (no migration files to ship or find at run time).
 * `migrateToLatest` runs at start; applied migrations are recorded in `kysely_migration`, so running it
 * again on an up-to-date database does nothing. Append new migrations; never edit an applied one.
 *
 * One list of migrations for both dialects (SQLite, PostgreSQL); where they differ, `flavour` says
 * how: sequence columns (`autoincrement` / identity), the append-only triggers (RAISE / a trigger
 * function), and byte-order collation of the columns lists are ordered by (PostgreSQL would otherwise
 * order text by the database's locale, unlike SQLite and the in-memory store). The SQLite DDL is
 * exactly what it was before PostgreSQL existed: databases already migrated stay valid.
 */
import { Migrator, sql, type ColumnDefinitionBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { RewindDatabase } from './database.ts';

export type SqlFlavour = 'sqlite' | 'postgres';

function buildMigrations(flavour: SqlFlavour): Record<string, Migration> {
  const pg = flavour === 'postgres';
  /** A sequence column: the append order of a table. */
  const seq = (c: ColumnDefinitionBuilder) => (pg ? c.generatedByDefaultAsIdentity().primaryKey() : c.primaryKey().autoIncrement());
  /** A text column that lists are ordered by: byte order, as SQLite and the in-memory store compare. */
  const ordered = (c: ColumnDefinitionBuilder) => (pg ? c.modifyFront(sql`collate "C"`) : c);
  return {
    '0001_requests_reviews_notes_audit_break_glass_idempotency': {
      async up(db) {
        await db.schema
          .createTable('requests')
          .addColumn('id', 'text', (c) => ordered(c).primaryKey())
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('environment', 'text', (c) => c.notNull())
          .addColumn('mode', 'text', (c) => c.notNull())
          .addColumn('target_sha', 'text', (c) => c.notNull())
          .addColumn('base_sha', 'text', (c) => c.notNull())
          .addColumn('service', 'text')
          .addColumn('fields', 'text')
          .addColumn('justification', 'text', (c) => c.notNull())
          .addColumn('requested_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('created_key', 'text', (c) => ordered(c).notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('required_approvals', 'integer', (c) => c.notNull())
          .addColumn('break_glass', 'integer', (c) => c.notNull())
          .addColumn('affected_services', 'text', (c) => c.notNull())
          .addColumn('diff_hash', 'text', (c) => c.notNull())
          .addColumn('commit_sha', 'text')
          .addColumn('error', 'text')
          .execute();
        // The list order is (created_key desc, id desc), optionally within a state or a target.
        await db.schema.createIndex('requests_by_created').on('requests').columns(['created_key', 'id']).execute();
        await db.schema
          .createIndex('requests_by_state_created')
          .on('requests')
          .columns(['state', 'created_key', 'id'])
          .execute();
        await db.schema
          .createIndex('requests_by_target_created')
          .on('requests')
          .columns(['tenant', 'environment', 'created_key', 'id'])
          .execute();

        await db.schema
          .createTable('reviews')
          .addColumn('seq', 'integer', seq)
          .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id'))
          .addColumn('reviewer', 'text', (c) => c.notNull())
          .addColumn('decision', 'text', (c) => c.notNull())
          .addColumn('comment', 'text', (c) => c.notNull())
          .addColumn('reviewed_at', 'text', (c) => c.notNull())
          .addColumn('stale', 'integer', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('reviews_by_request').on('reviews').columns(['request_id', 'seq']).execute();

        await db.schema
          .createTable('notes')
          .addColumn('seq', 'integer', seq)
          .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id'))
          .addColumn('author', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('noted_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('notes_by_request').on('notes').columns(['request_id', 'seq']).execute();

        await db.schema
          .createTable('audit_events')
          .addColumn('seq', 'integer', seq)
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('actor_key', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('tenant', 'text')
          .addColumn('environment', 'text')
          .addColumn('request_id', 'text')
          .addColumn('break_glass', 'integer', (c) => c.notNull())
          .addColumn('details', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('audit_events_by_target')
          .on('audit_events')
          .columns(['tenant', 'environment', 'seq'])
          .execute();
        await db.schema.createIndex('audit_events_by_type').on('audit_events').columns(['type', 'seq']).execute();
        await db.schema.createIndex('audit_events_by_actor').on('audit_events').columns(['actor_key', 'seq']).execute();
        // Append-only, enforced by the database too: no statement may change or remove an event.
        if (pg) {
          await sql`create function audit_events_append_only() returns trigger language plpgsql as $$
            begin raise exception 'audit_events is append-only'; end $$`.execute(db);
          await sql`create trigger audit_events_no_change before update or delete or truncate on audit_events
            for each statement execute function audit_events_append_only()`.execute(db);
        } else {
          await sql`create trigger audit_events_no_update before update on audit_events
            begin select raise(abort, 'audit_events is append-only'); end`.execute(db);
          await sql`create trigger audit_events_no_delete before delete on audit_events
            begin select raise(abort, 'audit_events is append-only'); end`.execute(db);
        }

        await db.schema
          .createTable('break_glass_sessions')
          .addColumn('seq', 'integer', seq)
          .addColumn('user_email', 'text', (c) => c.notNull())
          .addColumn('user_key', 'text', (c) => c.notNull())
          .addColumn('justification', 'text', (c) => c.notNull())
          .addColumn('opened_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('closed_at', 'text')
          .execute();
        // At most one open session per user; closed ones stay as history.
        await db.schema
          .createIndex('break_glass_one_open_per_user')
          .on('break_glass_sessions')
          .column('user_key')
          .unique()
          .where(sql.ref('closed_at'), 'is', null)
          .execute();
        await db.schema
          .createIndex('break_glass_by_user')
          .on('break_glass_sessions')
          .columns(['user_key', 'seq'])
          .execute();

        await db.schema
          .createTable('idempotency_keys')
          .addColumn('user_key', 'text', (c) => c.notNull())
          .addColumn('idempotency_key', 'text', (c) => c.notNull())
          .addColumn('request_id', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('idempotency_keys_pk', ['user_key', 'idempotency_key'])
          .execute();
      },
      async down(db) {
        for (const table of ['idempotency_keys', 'break_glass_sessions', 'audit_events', 'notes', 'reviews', 'requests']) {
          await db.schema.dropTable(table).execute();
        }
        if (pg) await sql`drop function audit_events_append_only()`.execute(db);
      },
    },
    // Decision 016: `GET /api/audit?requestId=` reads one request's events newest first.
    '0002_audit_events_by_request': {
      async up(db) {
        await db.schema.createIndex('audit_events_by_request').on('audit_events').columns(['request_id', 'seq']).execute();
      },
      async down(db) {
        await db.schema.dropIndex('audit_events_by_request').execute();
      },
    },
    '0003_request_hints_and_incident': {
      async up(db) {
        await db.schema.alterTable('requests').addColumn('hints', 'text').execute();
        await db.schema.alterTable('requests').addColumn('incident_id', 'text').execute();
        await db.schema.alterTable('requests').addColumn('incident_url', 'text').execute();
        await db.schema.createIndex('requests_by_incident_id').on('requests').columns(['incident_id', 'created_key', 'id']).execute();
        await db.schema.createIndex('requests_by_incident_url').on('requests').columns(['incident_url', 'created_key', 'id']).execute();
      },
      async down(db) {
        await db.schema.dropIndex('requests_by_incident_url').execute();
        await db.schema.dropIndex('requests_by_incident_id').execute();
        for (const column of ['incident_url', 'incident_id', 'hints']) await db.schema.alterTable('requests').dropColumn(column).execute();
      },
    },
    // Decision 037: webhook replay memory survives a restart.
    '0004_webhook_deliveries': {
      async up(db) {
        await db.schema
          .createTable('webhook_deliveries')
          .addColumn('delivery_key', 'text', (c) => c.primaryKey())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('webhook_deliveries_by_expiry').on('webhook_deliveries').column('expires_at').execute();
      },
      async down(db) {
        await db.schema.dropTable('webhook_deliveries').execute();
      },
    },
    // Decision 037: a closed break-glass session lists the targets it touched (and shows under them).
    '0005_audit_event_targets': {
      async up(db) {
        await db.schema.alterTable('audit_events').addColumn('targets', 'text').execute();
      },
      async down(db) {
        await db.schema.alterTable('audit_events').dropColumn('targets').execute();
      },
    },
    // Decision 038: the notification outbox, written in the transaction of the state change.
    '0006_notification_outbox': {
      async up(db) {
        await db.schema
          .createTable('notification_outbox')
          .addColumn('seq', 'integer', seq)
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('event_id', 'text', (c) => c.notNull())
          .addColumn('request_id', 'text')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('channel_type', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('next_attempt_at', 'text', (c) => ordered(c).notNull())
          .addColumn('last_error', 'text')
          .addColumn('last_attempt_at', 'text')
          .addColumn('lease_owner', 'text')
          .addColumn('lease_until', 'text', (c) => ordered(c))
          .execute();
        await db.schema.createIndex('notification_outbox_due').on('notification_outbox').columns(['status', 'next_attempt_at']).execute();
        await db.schema.createIndex('notification_outbox_by_request').on('notification_outbox').columns(['request_id', 'seq']).execute();
      },
      async down(db) {
        await db.schema.dropTable('notification_outbox').execute();
      },
    },
    // Decision 039: withdrawn, superseded and closed requests say why, and link both ways.
    '0007_request_lifecycle': {
      async up(db) {
        for (const column of ['closed_reason', 'supersedes', 'superseded_by']) await db.schema.alterTable('requests').addColumn(column, 'text').execute();
      },
      async down(db) {
        for (const column of ['superseded_by', 'supersedes', 'closed_reason']) await db.schema.alterTable('requests').dropColumn(column).execute();
      },
    },
    // Decision 047: the per-service version change read at creation, so titles can say "to 2.13.12".
    '0008_request_versions': {
      async up(db) {
        await db.schema.alterTable('requests').addColumn('versions', 'text').execute();
      },
      async down(db) {
        await db.schema.alterTable('requests').dropColumn('versions').execute();
      },
    },
  };
}

export function migrationProviderFor(flavour: SqlFlavour): MigrationProvider {
  const migrations = buildMigrations(flavour);
  return { getMigrations: async () => migrations };
}

export const migrationProvider: MigrationProvider = migrationProviderFor('sqlite');

/** Session advisory lock key of migrations (PostgreSQL): any constant no other lock of ours uses. */
const MIGRATION_LOCK_KEY = 0x52574d31; // "RWM1"

/**
 * Brings the schema up to date; returns the names of the migrations it applied (none when current).
 * On PostgreSQL, replicas starting together take turns on one connection holding a session advisory
 * lock: kysely's own migration lock comes after it creates its tables, which two replicas creating
 * them at once would race on.
 */
export async function migrateToLatest(db: Kysely<RewindDatabase>, flavour: SqlFlavour = 'sqlite'): Promise<string[]> {
  if (flavour === 'sqlite') return migrateOn(db, flavour);
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
    try {
      return await migrateOn(conn, flavour);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn);
    }
  });
}

async function migrateOn(db: Kysely<RewindDatabase>, flavour: SqlFlavour): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProviderFor(flavour) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
