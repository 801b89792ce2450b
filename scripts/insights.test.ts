import { addMember, inMemoryCli, insightsHousehold, useTestDatabase } from '@wallai/testing';
import { describe, expect, it } from 'vitest';
import { parseCliArgs, runInsightsCli, type CliIo } from './insights.ts';

const db = useTestDatabase();

const run = (argv: string[]) =>
  inMemoryCli(
    (args, io: CliIo & { stdin: NodeJS.ReadableStream }) => runInsightsCli(args, io),
    // The test database, left open for the next test: close is the suite's.
    { openDatabase: async () => ({ client: db(), label: 'the test database', close: async () => {} }) },
  )(argv, '');

describe('insights CLI', () => {
  it('--json prints the profile, the insights with their traces and the guardrail outcomes, and writes them', async () => {
    const home = await insightsHousehold(db());
    const { code, stdout, stderr } = await run(['--space', home.space.id, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as {
      outcome: string;
      profile: { persona_id: number; signals_30d: unknown };
      insights: Array<{ id: string; decision_trace: { rule: string } }>;
      guardrails: { consent: { ok: boolean } };
    };
    expect(doc.outcome).toBe('analysed');
    expect(doc.profile.persona_id).toBeGreaterThanOrEqual(1);
    expect(doc.insights.length).toBeGreaterThan(0);
    expect(doc.insights.every((i) => typeof i.decision_trace.rule === 'string')).toBe(true);
    expect(doc.guardrails.consent.ok).toBe(true);
    const [{ n }] = (await db().query<{ n: number }>(`select count(*)::int as n from public.financial_insights where space_id = $1`, [
      home.space.id,
    ])) as [{ n: number }];
    expect(n).toBe(doc.insights.length);
  });

  it('prints a readable report, and the reason when consent is missing', async () => {
    const home = await insightsHousehold(db());
    const report = await run(['--space', home.space.id]);
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/^Space .*: analysed/);
    expect(report.stdout).toMatch(/Persona {3}\d /);
    expect(report.stdout).toMatch(/Guardrails\n {2}consent {3}ok/);

    await addMember(db(), home.space, 'member');
    const refused = await run(['--space', home.space.id]);
    expect(refused.code).toBe(0);
    expect(refused.stdout).toMatch(/not analysed/);
    expect(refused.stdout).toMatch(/consent {3}missing \(1;/);
  });

  it('an unknown space and bad arguments exit 2 with the reason', async () => {
    expect(await run(['--space', '00000000-0000-4000-8000-000000000000'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no space/),
    });
    expect(parseCliArgs([])).toEqual({ error: '--space <space_id> is required' });
    expect(parseCliArgs(['--space', 'abc'])).toMatchObject({ error: expect.stringMatching(/UUID/) });
    expect((await run(['--bogus'])).code).toBe(2);
  });
});
