/**
 * The demo's bank step: Alice uploads the demo bank files (scripts/demo/bank:
 * CSV in two banks' layouts, OFX, QFX, QIF, CAMT.053, Plaid pages) to the
 * import-transactions edge function, as an app would (multipart, her access
 * token), then uploads one again to show that a replay changes nothing.
 * A module of its own so that scripts/demo.ts only calls it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEMO_BANK_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bank');

export interface BankStepContext {
  /** What supabase-js calls SUPABASE_URL: functions are at `${apiUrl}/functions/v1/<name>`. */
  readonly apiUrl: string;
  /** Alice's access token. */
  readonly token: string;
  readonly spaceId: string;
  /** Units of the space currency per unit of the other currencies in the files. */
  readonly rates: Readonly<Record<string, number>>;
  readonly heading: (title: string) => void;
  readonly say: (text: string) => void;
}

interface Report {
  status: string;
  format: string | null;
  counts: { rows: number; added: number; updated: number; removed: number; unchanged: number; duplicates: number; invalid: number };
  errors: Array<{ code: string; severity: string }>;
  expenses_created: number;
  detection: Record<string, { value?: unknown } | undefined>;
}

/** One multipart upload to import-transactions; throws with the function's answer when it is not 200. */
export async function uploadBankFile(ctx: BankStepContext, file: string, idempotencyKey?: string): Promise<Report> {
  const form = new FormData();
  form.set('space_id', ctx.spaceId);
  form.set('exchange_rates', JSON.stringify(ctx.rates));
  form.set('file', new Blob([readFileSync(path.join(DEMO_BANK_DIR, file))]), file);
  const res = await fetch(`${ctx.apiUrl}/functions/v1/import-transactions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ctx.token}`, ...(idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey }) },
    body: form,
  });
  const body = (await res.json()) as Report & { error?: { code: string; message: string } };
  if (res.status !== 200)
    throw new Error(`import-transactions answered ${res.status} for ${file}: ${body.error?.message ?? JSON.stringify(body)}`);
  return body;
}

export async function bankStep(ctx: BankStepContext): Promise<void> {
  ctx.heading('Alice imports her bank files through the import-transactions function');
  const files = readdirSync(DEMO_BANK_DIR).sort();
  const rateText = Object.entries(ctx.rates)
    .map(([currency, rate]) => `1 ${currency} = ${rate}`)
    .join(', ');
  ctx.say(`${files.length} files (CSV, OFX/QFX, QIF, CAMT.053 and Plaid pages), each format detected from its content; rates ${rateText}.`);
  let expenses = 0;
  let originalsKept = true;
  for (const file of files) {
    const report = await uploadBankFile(ctx, file, `demo-${ctx.spaceId}-${file}`);
    if (report.errors.some((e) => e.code === 'original_not_stored')) originalsKept = false;
    const c = report.counts;
    // Warnings the service raises on purpose in these files (another currency, a duplicate id...), by code.
    const codes = [...new Set(report.errors.filter((e) => e.code !== 'original_not_stored').map((e) => e.code))];
    const encoding = report.detection.encoding?.value;
    expenses += report.expenses_created;
    ctx.say(
      `${file.padEnd(26)} ${String(report.format ?? '?').padEnd(7)}${typeof encoding === 'string' ? ` ${encoding}` : ''}: ${c.rows} rows, ` +
        `${c.added} added, ${c.updated} updated, ${c.removed} removed, ${c.duplicates} duplicates, ${c.invalid} invalid; ` +
        `${report.expenses_created} expenses${codes.length > 0 ? `; reported: ${codes.join(', ')}` : ''}`,
    );
  }
  if (!originalsKept) ctx.say('(This stack has no Storage API: the originals were not kept, and each report says so.)');
  ctx.say(`${expenses} spending lines became expenses in the budget; income, transfers, card payments and refunds stay in the bank layer.`);
  const [first] = files;
  if (first !== undefined) {
    const again = await uploadBankFile(ctx, first);
    ctx.say(
      `${first} uploaded once more: ${again.counts.added} added, ${again.counts.updated} updated, ${again.counts.unchanged} unchanged. A replay changes nothing.`,
    );
    if (again.counts.added + again.counts.updated + again.counts.removed !== 0) throw new Error(`replaying ${first} changed rows`);
  }
}
