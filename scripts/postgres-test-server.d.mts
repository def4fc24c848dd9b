export type PostgresTestAvailability =
  | { mode: 'url'; url: string }
  | { mode: 'throwaway'; bin: string }
  | { mode: 'skip'; reason: string };

export interface ThrowawayPostgres {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
  pause(): string;
  resume(): string;
}

export function findPostgresBin(): string | null;
export function postgresTestAvailability(): PostgresTestAvailability;
export function startThrowawayPostgres(bin?: string | null): Promise<ThrowawayPostgres>;
