/**
 * `npm run insights -- --space <uuid> [--json]`: generates one space's
 * insights with the insights service (as the service role, offline
 * templates) against DATABASE_URL or the embedded database, and prints what
 * was generated: the profile (persona, signals), the insights with their
 * decision traces, and the guardrail outcomes (consent, tone, eligibility).
 */
import { pathToFileURL } from 'node:url';
import { transactionsAs } from '@wallai/db-client';
import { generateSpaceInsights, type SpaceRun, type Transact } from '@wallai/insights-service';
import { CliDatabaseError, openCliDatabase, type CliDatabase } from './lib/cli-database.ts';

export const USAGE = `Usage: npm run insights -- --space <space_id> [--json]

Generates the insights of one space, exactly as the generate-insights function
does for the service role (offline templates, no LLM), writes them (profile,
persona history, recurring series, insights; idempotent: running it twice
changes nothing the second time), and prints what was generated.

Reads and writes the database at DATABASE_URL, else the embedded one in
.wallai/pglite (while \`npm run dev\` runs, pass its DATABASE_URL).

Options:
  --space <space_id>  The space to analyse (required).
  --json              Print one JSON document: {"space_id", "outcome",
                      "profile", "recurring_series", "insights",
                      "guardrails"}.
  -h, --help          Show this help.

Exit codes: 0 generated (or not analysed because consent is missing, which is
printed with its reason), 2 usage error, database or space not usable.`;

export interface CliOptions {
  readonly space: string | null;
  readonly json: boolean;
  readonly help: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseCliArgs(argv: readonly string[]): CliOptions | { readonly error: string } {
  let space: string | null = null;
  let json = false;
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '-h' || arg === '--help') help = true;
    else if (arg === '--space' || arg.startsWith('--space=')) {
      const value = arg === '--space' ? argv[++i] : arg.slice('--space='.length);
      if (value === undefined || value === '') return { error: '--space needs a space id' };
      if (!UUID.test(value)) return { error: `--space must be a space id (a UUID), not ${JSON.stringify(value)}` };
      space = value.toLowerCase();
    } else return { error: `unknown option ${arg}` };
  }
  if (!help && space === null) return { error: '--space <space_id> is required' };
  return { space, json, help };
}

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Default: DATABASE_URL, else the embedded database. */
  readonly openDatabase?: () => Promise<CliDatabase>;
  /** The run's instant; default now. */
  readonly now?: () => Date;
}

/** DATABASE_URL, else the embedded one (see scripts/lib/cli-database.ts). */
export function openInsightsDatabase(env: Readonly<Record<string, string | undefined>>, dataDir?: string): Promise<CliDatabase> {
  return openCliDatabase(env, { command: 'insights', ...(dataDir ? { dataDir } : {}) });
}

/** The whole CLI; returns the exit code. */
export async function runInsightsCli(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseCliArgs(argv);
  if ('error' in options) {
    io.stderr.write(`insights: ${options.error}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help || options.space === null) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let database: CliDatabase;
  try {
    database = await (io.openDatabase ?? (() => openInsightsDatabase(process.env)))();
  } catch (error) {
    const message = error instanceof CliDatabaseError ? error.message : `cannot open the database: ${(error as Error).message}`;
    io.stderr.write(`insights: ${message}\n`);
    return 2;
  }
  try {
    // The service role, explicitly: the CLI is an operator's tool with no signed-in user.
    const service = transactionsAs(database.client, { role: 'service_role' }) as Transact;
    const run = await generateSpaceInsights({ load: service, write: service }, options.space, { now: io.now?.() ?? new Date() });
    if (run.kind === 'not_found') {
      io.stderr.write(`insights: no space ${options.space} in ${database.label}\n`);
      return 2;
    }
    if (run.kind === 'inactive') {
      io.stderr.write(`insights: space ${options.space} is inactive (read-only); it is not analysed\n`);
      return 2;
    }
    io.stdout.write(options.json ? `${JSON.stringify(asJson(run), null, 2)}\n` : describeRun(run));
    return 0;
  } catch (error) {
    io.stderr.write(`insights: generating the insights of space ${options.space} failed: ${(error as Error).message}\n`);
    return 2;
  } finally {
    await database.close();
  }
}

type Generated = Extract<SpaceRun, { kind: 'analysed' | 'consent_missing' }>;

/** The --json document. */
export function asJson(run: Generated): Record<string, unknown> {
  return {
    space_id: run.space_id,
    outcome: run.kind,
    generated_at: run.generated_at,
    profile: run.kind === 'analysed' ? run.profile : null,
    recurring_series: run.kind === 'analysed' ? run.recurring_series : [],
    insights: run.kind === 'analysed' ? run.insights : [],
    expired: run.expired,
    guardrails: run.guardrails,
  };
}

const pct = (value: number) => `${Math.round(value * 100)}%`;

/** The human-readable report. */
export function describeRun(run: Generated): string {
  const lines: string[] = [];
  if (run.kind === 'consent_missing') {
    lines.push(`Space ${run.space_id}: not analysed.`, `  ${run.reason}`);
    if (run.expired > 0) lines.push(`  ${run.expired} insight${run.expired === 1 ? '' : 's'} no longer shown.`);
    lines.push(
      '',
      'Guardrails',
      `  consent   missing (${run.missing_consents}; version ${run.guardrails.consent.required_version} required)`,
    );
    return `${lines.join('\n')}\n`;
  }
  const p = run.profile;
  lines.push(
    `Space ${run.space_id}: analysed at ${run.generated_at} (engine ${run.engine_version})`,
    `Persona   ${p.persona_id} ${p.persona_name}${p.persona_changed ? ' (changed: recorded in persona_history)' : ''}`,
  );
  lines.push('', `Recurring series (${run.recurring_series.length})`);
  for (const s of run.recurring_series) {
    const changes = s.price_changes.map((c) => c.label).join(', ');
    lines.push(
      `  ${s.merchant.padEnd(24)} ${s.cadence.padEnd(9)} ${s.typical_amount.toFixed(2).padStart(9)} ${s.currency}  next ${s.next_expected_date}  ${s.status}${changes ? `  price ${changes}` : ''}`,
    );
  }
  lines.push('', `Insights (${run.insights.length}; ${run.expired} expired because their condition cleared)`);
  for (const i of run.insights) {
    const review = i.review_status === null ? '' : `  review: ${i.review_status}`;
    lines.push(
      `  ${i.type.padEnd(14)} ${i.priority.padEnd(6)} ${i.confidence.toFixed(2)}  ${i.title}`,
      `  ${''.padEnd(14)} ${i.rule} · ${i.subject}${i.period ? ` · ${i.period}` : ''} · ${i.action}${i.is_dismissed ? ' (dismissed)' : ''}${review}`,
    );
  }
  const g = run.guardrails;
  const phrasing = g.phrasing.sent ? `${g.phrasing.accepted}/${g.phrasing.attempted} LLM phrasings accepted` : 'offline templates';
  lines.push(
    '',
    'Guardrails',
    `  consent   ok (version ${g.consent.required_version})`,
    `  tone      every stored text passed the checker; ${g.discarded.length} candidate${g.discarded.length === 1 ? '' : 's'} discarded`,
  );
  for (const d of g.discarded) lines.push(`            - ${d.subject_key}: ${d.reason}`);
  lines.push(`  phrasing  ${phrasing}`);
  const subs = (p.signals_30d as { subscriptions?: { monthly_recurring_spend: number; subscription_share: number } }).subscriptions;
  if (subs !== undefined) {
    lines.push('', `Subscriptions: ${subs.monthly_recurring_spend.toFixed(2)} a month, ${pct(subs.subscription_share)} of spending`);
  }
  return `${lines.join('\n')}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runInsightsCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
}
