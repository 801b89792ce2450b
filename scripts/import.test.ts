/** `npm run import` in-process against the test database: exit codes, the JSON report, dry runs and replays. */
import { addMember, createSpace, inMemoryCli, useTestDatabase, type TestSpace } from '@wallai/testing';
import { describe, expect, it } from 'vitest';
import { parseImportArgs, runImportCli, type ImportIo } from './import.ts';

const db = useTestDatabase();

interface Report {
  status: string;
  counts: Record<string, number>;
  errors: Array<Record<string, unknown>>;
  detection: Record<string, { value: unknown }>;
}

const CSV = [
  'Buchungstag;Verwendungszweck;Betrag',
  '02.10.2025;REWE SAGT DANKE 4411;-45,23',
  '01.10.2025;GEHALT OKTOBER ACME GMBH;2.500,00',
  '03.10.2025;DB VERTRIEB GMBH;-12,50',
  '31.09.2025;UNGUELTIGES DATUM;-1,00',
].join('\n');

function cli(files: Record<string, string | Uint8Array>) {
  return inMemoryCli<ImportIo>(runImportCli, {
    openSource: async (file) => {
      const content = files[file];
      if (content === undefined) throw new Error(`ENOENT: no such file ${file}`);
      const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
      return { source: bytes, size: bytes.length };
    },
    openDatabase: async () => ({ client: db(), label: 'test database', close: async () => {} }),
  });
}

async function spaceInEur(): Promise<TestSpace> {
  return createSpace(db(), { currency: 'EUR', timezone: 'Europe/Berlin' });
}

describe('npm run import', () => {
  it('imports a file as the space owner and prints the JSON report: status, counts, detection, errors, rows', async () => {
    const space = await spaceInEur();
    const run = cli({ 'konto.csv': CSV });
    const { code, stdout } = await run(['konto.csv', '--space', space.id, '--json'], '');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(Object.keys(report).slice(0, 5)).toEqual(['status', 'counts', 'detection', 'errors', 'rows']);
    expect(report).toMatchObject({ status: 'completed', counts: { rows: 4, added: 3, invalid: 1 } });
    expect(report.errors).toContainEqual(expect.objectContaining({ row: 5, code: 'invalid_calendar_date' }));
    expect(report.detection.dateFormat?.value).toBe('DD.MM.YYYY');
    expect(report.detection.numberFormat?.value).toBe('1.234,56');

    const replay = JSON.parse((await run(['konto.csv', '--space', space.id, '--json'], '')).stdout) as Report;
    expect(replay.counts).toMatchObject({ added: 0, unchanged: 3 });
  });

  it('--dry-run reports the same and writes nothing; the human summary lists every rejected row with its code', async () => {
    const space = await spaceInEur();
    const { code, stdout } = await cli({ 'konto.csv': CSV })(['konto.csv', '--space', space.id, '--dry-run'], '');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Dry run \(nothing written\): completed/);
    expect(stdout).toMatch(/row 5: error invalid_calendar_date/);
    const [count] = await db().query<{ n: number }>(`select count(*)::int as n from public.imports where space_id = $1`, [space.id]);
    expect(count?.n).toBe(0);
  });

  it('exits 1 for a file no format reads (the failed import is recorded), 2 for a viewer or an unknown space', async () => {
    const space = await spaceInEur();
    const viewer = await addMember(db(), space, 'viewer');
    const run = cli({ 'konto.csv': CSV, 'empty.csv': '' });
    const unreadable = await run(['empty.csv', '--space', space.id, '--json'], '');
    expect(unreadable.code).toBe(1);
    expect(JSON.parse(unreadable.stdout)).toMatchObject({ status: 'failed', failure: { code: 'empty_file' } });
    const refused = await run(['konto.csv', '--space', space.id, '--user', viewer.id], '');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cannot import into space/);
    const unknown = await run(['konto.csv', '--space', '00000000-0000-4000-8000-000000000000'], '');
    expect(unknown.code).toBe(2);
    const [rows] = await db().query<{ n: number }>(`select count(*)::int as n from public.bank_transactions where space_id = $1`, [
      space.id,
    ]);
    expect(rows?.n).toBe(0);
  });

  it('draws progress on stderr only when it is a terminal', async () => {
    const space = await spaceInEur();
    const quiet = await cli({ 'konto.csv': CSV })(['konto.csv', '--space', space.id], '');
    expect(quiet.stderr).toBe('');
    const drawn = await cli({ 'konto.csv': CSV })(['konto.csv', '--space', space.id], '', { stderrIsTTY: true });
    // A streamed file: the lines applied so far (how many there are is known once it is read).
    expect(drawn.stderr).toMatch(/import \d+ lines/);
  });
});

describe('parseImportArgs', () => {
  it('needs a file and a space id, and checks every option', () => {
    expect(parseImportArgs(['a.csv'])).toEqual({ error: '--space is required' });
    expect(parseImportArgs(['--space', 'x'])).toMatchObject({ error: expect.stringContaining('uuid') });
    expect(parseImportArgs(['a.csv', '--space', '00000000-0000-4000-8000-000000000000', '--format', 'xls'])).toMatchObject({
      error: expect.stringContaining('--format'),
    });
    expect(
      parseImportArgs(['a.csv', '--space=00000000-0000-4000-8000-000000000000', '--rate', 'usd=0.92', '--format=qif', '--json']),
    ).toEqual({
      file: 'a.csv',
      space: '00000000-0000-4000-8000-000000000000',
      user: null,
      format: 'qif',
      rates: { USD: 0.92 },
      dryRun: false,
      json: true,
    });
  });
});
