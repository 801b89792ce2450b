/**
 * The database a command-line tool works on (`npm run categorize -- --space`,
 * `npm run import`, `npm run insights`): DATABASE_URL when set, else the
 * embedded PGlite database of `npm run dev` and `npm run db:reset`. PGlite
 * allows one process at a time, so while a running `npm run dev` holds the
 * embedded directory the tool is told to go through that stack's server
 * instead, and while the tool holds it `npm run dev` is told to wait.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { embeddedDataDir, openPglite, pgliteClient, postgresClient, redactDatabaseUrl, type SqlClient } from '@wallai/db-client';
import { acquireLock, readLiveLock } from '../dev/lock.ts';

export interface CliDatabase {
  readonly client: SqlClient;
  /** What to print: never a password. */
  readonly label: string;
  close(): Promise<void>;
}

/** Why the tool cannot open its database; the tools report it on stderr with exit code 2. */
export class CliDatabaseError extends Error {
  override name = 'CliDatabaseError';
}

export interface CliDatabaseOptions {
  /** The npm script, for the messages: `categorize`, `import`, `insights`. */
  readonly command: string;
  /** Said before "there is no database in …" (e.g. which option needs one). */
  readonly missingPrefix?: string;
  readonly dataDir?: string;
}

export async function openCliDatabase(
  env: Readonly<Record<string, string | undefined>>,
  options: CliDatabaseOptions,
): Promise<CliDatabase> {
  const dataDir = options.dataDir ?? embeddedDataDir;
  const url = env.DATABASE_URL;
  if (url) {
    const client = postgresClient(url, { max: 1 });
    return { client, label: redactDatabaseUrl(url), close: () => client.close() };
  }
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    throw new CliDatabaseError(
      `${options.missingPrefix ?? ''}there is no database in ${dataDir}. Run \`npm run db:reset\` (or \`npm run dev\`), or set DATABASE_URL.`,
    );
  }
  const holder = readLiveLock(dataDir);
  if (holder !== null) {
    throw new CliDatabaseError(
      `the embedded database is in use by a running \`npm run dev\` (pid ${holder.pid}). ` +
        `Go through that stack's server instead:\n  DATABASE_URL=${holder.databaseUrl} npm run ${options.command} -- ...`,
    );
  }
  const release = acquireLock(dataDir, `none (held by npm run ${options.command})`);
  try {
    const client = pgliteClient(await openPglite({ dataDir }));
    return {
      client,
      label: `embedded PGlite (${dataDir})`,
      async close() {
        await client.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
