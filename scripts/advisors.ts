/**
 * npm run advisors — Supabase's security and performance lints (`supabase db
 * advisors`) on DATABASE_URL, or on a fresh embedded database built from the
 * migrations. Exits non-zero when anything is above INFO.
 */
import { runSupabase } from './lib/supabase-cli.ts';
import { freshSchemaTarget } from './lib/targets.ts';

interface Finding {
  name: string;
  level: string;
  detail: string;
}

async function main(): Promise<number> {
  const target = await freshSchemaTarget((line) => console.error(`advisors  ${line}`));
  try {
    const result = await runSupabase(['db', 'advisors', `--remote=${target.url}`, '--level', 'info', '--output-format', 'json']);
    if (result.code !== 0) {
      console.error(result.stderr || result.stdout);
      return 1;
    }
    const findings = parseFindings(result.stdout);
    const counts = new Map<string, number>();
    for (const f of findings) counts.set(f.level, (counts.get(f.level) ?? 0) + 1);
    for (const f of findings) console.log(`${f.level.padEnd(5)} ${f.name}: ${f.detail}`);
    const serious = findings.filter((f) => f.level !== 'INFO');
    console.log(
      `advisors on ${target.label}: ${findings.length} findings (${[...counts].map(([l, n]) => `${n} ${l}`).join(', ') || 'none'}); ${serious.length} above INFO`,
    );
    return serious.length > 0 ? 1 : 0;
  } finally {
    await target.close();
  }
}

/** `--output-format json` prints one envelope: `{ "results": [...], "message", "target" }`. */
function parseFindings(stdout: string): Finding[] {
  const envelope = JSON.parse(stdout) as { results?: Finding[] | null };
  return envelope.results ?? [];
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`advisors failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
