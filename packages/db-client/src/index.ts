export {
  openPglite,
  pgliteClient,
  postgresClient,
  transactionsAs,
  PGLITE_EXTENSIONS,
  type QueryFn,
  type Queryable,
  type Row,
  type SqlClient,
} from './sql-client.ts';
export { databaseUrlWithName, redactDatabaseUrl } from './database-url.ts';
export { freePort, serveEmbedded, type EmbeddedServer } from './embedded-server.ts';
export {
  applySchemaDirectly,
  isSupabaseDatabase,
  readCompatLayer,
  readMigrations,
  readSeed,
  schemaFingerprint,
  type Migration,
} from './schema.ts';
export { compatLayerFile, embeddedDataDir, localStateDir, migrationsDir, repoRoot, seedFile, supabaseDir } from './repo-paths.ts';
