import { describe, expect, it } from 'vitest';
import { demoFile } from './fixtures/demo.ts';
import { openBankFile, parseBankFile } from './index.ts';

describe('format detection and the reader', () => {
  it('detects every demo file from its content alone', async () => {
    const cases: Array<[string, string]> = [
      ['checking-2025-01.csv', 'csv'],
      ['sparkasse-2025-01.csv', 'csv'],
      ['card-2025-01.ofx', 'ofx'],
      ['savings-2025-01.qfx', 'ofx'],
      ['wallet-2025-01.qif', 'qif'],
      ['giro-2025-01.camt053.xml', 'camt053'],
      ['plaid-sync-pages.json', 'plaid'],
      ['plaid-get.json', 'plaid'],
    ];
    for (const [name, format] of cases) {
      const reader = await openBankFile(demoFile(name), { defaultCurrency: 'USD' });
      expect(reader.format, name).toBe(format);
      expect(reader.detection.format.source).toBe('content');
    }
  });

  it('honours an explicit format the content agrees with and refuses one it contradicts', async () => {
    const reader = await openBankFile(demoFile('card-2025-01.ofx'), { format: 'ofx' });
    expect(reader.detection.format).toMatchObject({ value: 'ofx', source: 'option' });
    await expect(openBankFile(demoFile('card-2025-01.ofx'), { format: 'csv' })).rejects.toMatchObject({ code: 'format_mismatch' });
    await expect(openBankFile('x', { format: 'xls' as never })).rejects.toMatchObject({ code: 'invalid_option' });
  });

  it('fails empty and unreadable files with their codes', async () => {
    await expect(openBankFile(new Uint8Array())).rejects.toMatchObject({ code: 'empty_file' });
    await expect(openBankFile('  \n\n')).rejects.toMatchObject({ code: 'empty_file' });
    await expect(openBankFile('%PDF-1.7 binary')).rejects.toMatchObject({ code: 'unknown_format' });
    await expect(openBankFile('{"hello": "world"}')).rejects.toMatchObject({ code: 'unknown_format' });
  });

  it('has detection ready before the first event, yields accounts before their lines, and counts as it goes', async () => {
    const reader = await openBankFile(demoFile('checking-2025-01.csv'), { defaultCurrency: 'USD', accountExternalId: 'chk-4821' });
    expect(reader.detection.headerRow?.value).toBe(4);
    expect(reader.stats.rows).toBe(0);
    const kinds: string[] = [];
    for await (const event of reader) kinds.push(event.type);
    expect(kinds[0]).toBe('account');
    expect(kinds.filter((kind) => kind === 'line')).toHaveLength(16);
    expect(reader.stats).toMatchObject({ rows: 16, lines: 16, accounts: 1 });
    expect(() => reader[Symbol.asyncIterator]()).toThrow(/iterated once/);
  });

  it('builds the content key from account, date, cents, currency and the normalized description', async () => {
    const file = await parseBankFile('Date,Description,Amount\n2025-01-03,SQ *BLUE BOTTLE COFFEE #12 OAKLAND CA,-6.75\n', {
      defaultCurrency: 'USD',
      accountExternalId: 'a1',
    });
    expect(file.lines[0]!.contentKey).toBe('a1|2025-01-03|675|USD|blue bottle coffee oakland');
  });

  it('reads a one-shot async iterable by buffering it', async () => {
    const bytes = demoFile('wallet-2025-01.qif');
    const once = (async function* () {
      yield bytes.subarray(0, 50);
      yield bytes.subarray(50);
    })();
    const file = await parseBankFile(once, { defaultCurrency: 'USD' });
    expect(file.lines).toHaveLength(6);
  });
});
