import { describe, expect, it } from 'vitest';
import { demoFile } from './fixtures/demo.ts';
import { parseBankFile } from './index.ts';

describe('QIF', () => {
  it("reads a cash account: QIF's 01/03'25 dates, payee and memo, categories, transfers, identical records", async () => {
    const file = await parseBankFile(demoFile('wallet-2025-01.qif'), { defaultCurrency: 'USD' });
    expect(file.format).toBe('qif');
    expect(file.detection.dateFormat).toMatchObject({ value: 'MM/DD/YY', ambiguous: false });
    expect(file.accounts[0]).toMatchObject({
      externalId: 'qif:Household Wallet',
      name: 'Household Wallet',
      type: 'depository',
      subtype: 'cash',
    });
    expect(file.lines[0]).toMatchObject({
      row: 6,
      date: '2025-01-03',
      amountCents: 1840,
      description: 'Farmers Market Grand Lake Vegetables and eggs',
      providerCategory: 'Groceries',
    });
    const sushi = file.lines.filter((line) => line.description.startsWith('Sushi'));
    expect(sushi.map((line) => line.occurrence)).toEqual([1, 2]);
    expect(file.lines.find((line) => line.description === 'ATM Withdrawal')).toMatchObject({
      amountCents: -20000,
      transactionType: 'transfer',
      providerCategory: null,
    });
  });

  it('reads a day-first QIF with decimal commas and rejects a record with a bad date', async () => {
    const text = '!Type:Bank\nD13/01/2025\nT-1.234,50\nPMiete\n^\nD31/02/2025\nT-3,00\nPBad\n^\nD02/01/2025\nT2.000,00\nPGehalt\n^\n';
    const file = await parseBankFile(text, { defaultCurrency: 'EUR', accountExternalId: 'giro' });
    expect(file.detection.dateFormat?.value).toBe('DD/MM/YYYY');
    expect(file.detection.numberFormat?.value).toBe('1.234,56');
    expect(file.lines.map((line) => [line.accountExternalId, line.date, line.amountCents])).toEqual([
      ['giro', '2025-01-13', 123450],
      ['giro', '2025-01-02', -200000],
    ]);
    expect(file.issues).toMatchObject([{ code: 'invalid_calendar_date', row: 6, field: 'D', value: '31/02/2025' }]);
  });

  it('reports ambiguous QIF dates', async () => {
    const file = await parseBankFile('!Type:Bank\nD01/02/2025\nT-3.00\nPCoffee\n^\n', { defaultCurrency: 'USD' });
    expect(file.detection.dateFormat).toMatchObject({ value: 'MM/DD/YYYY', ambiguous: true });
    expect(file.issues[0]).toMatchObject({ code: 'ambiguous_date_format', type: 'file' });
  });

  it('needs a currency from the caller', async () => {
    const file = await parseBankFile('!Type:Bank\nD01/13/2025\nT-3.00\nPCoffee\n^\n');
    expect(file.issues).toMatchObject([{ code: 'missing_currency' }]);
  });
});
