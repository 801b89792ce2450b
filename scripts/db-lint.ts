/**
 * npm run db:lint — `supabase db lint` (plpgsql_check) over the schemas the
 * migrations own, on DATABASE_URL. Exits non-zero on any warning or error.
 *
 * plpgsql_check is a server extension (Debian: postgresql-15-plpgsql-check),
 * so this needs a PostgreSQL server; PGlite does not ship it. The CLI enables
 * the extension inside its own transaction and leaves the database unchanged.
 */
import { redactDatabaseUrl } from '@wallai/db-client';
import { runSupabase } from './lib/supabase-cli.ts';

const SCHEMAS = ['public', 'private'];

interface FunctionReport {
  function: string;
  issues: Array<{ level: string; message: string; statement?: { lineNumber?: string }; detail?: string; sqlState?: string }>;
}

async function main(): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('db:lint needs DATABASE_URL: plpgsql_check is a PostgreSQL server extension that PGlite does not have.');
    return 2;
  }
  const result = await runSupabase([
    'db',
    'lint',
    `--remote=${url}`,
    '--schema',
    SCHEMAS.join(','),
    '--level',
    'warning',
    '--fail-on',
    'none',
  ]);
  if (result.code !== 0) {
    console.error(result.stderr || result.stdout);
    return 1;
  }
  const reports = parseReports(result.stdout);
  for (const report of reports) {
    for (const issue of report.issues) {
      const line = issue.statement?.lineNumber ? ` line ${issue.statement.lineNumber}` : '';
      console.log(`${issue.level.padEnd(7)} ${report.function}${line}: ${issue.message}${issue.detail ? ` (${issue.detail})` : ''}`);
    }
  }
  const count = reports.reduce((n, r) => n + r.issues.length, 0);
  console.log(`db:lint on ${redactDatabaseUrl(url)} (${SCHEMAS.join(', ')}): ${count} issues`);
  return count > 0 ? 1 : 0;
}

/** The CLI prints a JSON array of per-function reports (or nothing when all is clean). */
function parseReports(stdout: string): FunctionReport[] {
  const start = stdout.indexOf('[');
  if (start < 0) return [];
  return JSON.parse(stdout.slice(start)) as FunctionReport[];
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`db:lint failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
