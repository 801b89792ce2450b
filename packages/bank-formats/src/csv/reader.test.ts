import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { chunkedSource, demoFile } from '../fixtures/demo.ts';
import { BankFormatError, parseBankFile } from '../index.ts';

const usd = { defaultCurrency: 'USD' } as const;
const eur = { defaultCurrency: 'EUR' } as const;

describe('CSV: layout and detection', () => {
  it('finds the header after preamble lines and keeps identical purchases apart by occurrence', async () => {
    const file = await parseBankFile(demoFile('checking-2025-01.csv'), usd);
    expect(file.format).toBe('csv');
    expect(file.detection.headerRow?.value).toBe(4);
    expect(file.detection.preambleLines).toBe(3);
    expect(file.detection.delimiter?.value).toBe(',');
    expect(file.detection.dateFormat).toMatchObject({ value: 'MM/DD/YYYY', ambiguous: false });
    expect(file.detection.numberFormat?.value).toBe('1,234.56');
    expect(file.stats).toMatchObject({ rows: 16, lines: 16, invalid: 0 });
    const coffees = file.lines.filter((line) => line.description.includes('BLUE BOTTLE'));
    expect(coffees.map((line) => [line.row, line.amountCents, line.occurrence])).toEqual([
      [6, 675, 1],
      [7, 675, 2],
    ]);
    expect(coffees[0]!.contentKey).toBe(coffees[1]!.contentKey);
    const payroll = file.lines.find((line) => line.description.startsWith('PAYROLL'))!;
    expect(payroll).toMatchObject({ amountCents: -325000, amount: '-3250.00', currency: 'USD' });
  });

  it('reads a Windows-1252 Sparkasse export without mojibake, with its preset, DD.MM.YY dates and decimal commas', async () => {
    const file = await parseBankFile(demoFile('sparkasse-2025-01.csv'), eur);
    expect(file.detection.encoding.value).toBe('windows-1252');
    expect(file.detection.encoding.evidence).toContain('0x80-0x9F');
    expect(file.detection.delimiter?.value).toBe(';');
    expect(file.detection.preset?.value).toBe('sparkasse-camt');
    expect(file.detection.dateFormat?.value).toBe('DD.MM.YY');
    expect(file.detection.numberFormat?.value).toBe('1234,56');
    const rent = file.lines.find((line) => line.description.includes('Miete'))!;
    expect(rent).toMatchObject({ date: '2025-01-10', amountCents: 124000, currency: 'EUR', accountExternalId: 'DE44500105175407324931' });
    expect(rent.description).toBe('Hausverwaltung Weiß Miete Januar – Wohnung 3');
    expect(file.lines.find((line) => line.description.includes('REWE'))!.description).toContain('„Danke“');
    expect(file.lines.at(-1)).toMatchObject({ pending: true, amountCents: 495 });
  });

  it('reads UTF-8 with a byte-order mark and Latin-1 text the same way', async () => {
    const text = 'Date;Description;Amount\n02.01.2025;Café Müller;-3,50\n15.01.2025;Crème brûlée;-7,20\n';
    const bom = await parseBankFile(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]), eur);
    expect(bom.detection).toMatchObject({ bom: true, encoding: { value: 'utf-8' } });
    const latin1 = await parseBankFile(iconv.encode(text, 'latin1'), eur);
    expect(latin1.detection.encoding.value).toBe('windows-1252');
    expect(latin1.detection.encoding.evidence).toContain('Latin-1 and Windows-1252 read it the same way');
    expect(latin1.lines.map((line) => line.description)).toEqual(['Café Müller', 'Crème brûlée']);
    expect(bom.lines.map((line) => [line.description, line.amountCents])).toEqual(
      latin1.lines.map((line) => [line.description, line.amountCents]),
    );
  });

  it('reads tab-separated files and grouped decimal-comma amounts (1 234,56 and 1.234,56)', async () => {
    const tsv = await parseBankFile('Date\tDescription\tAmount\n2025-03-01\tLoyer mars\t-1 234,56\n2025-03-02\tSalaire\t2 500,00\n', eur);
    expect(tsv.detection.delimiter?.value).toBe('\t');
    expect(tsv.detection.numberFormat?.value).toBe('1 234,56');
    expect(tsv.lines.map((line) => line.amountCents)).toEqual([123456, -250000]);
    const dotted = await parseBankFile('Datum;Beschreibung;Betrag\n01.03.2025;Miete;-1.234,56\n02.03.2025;Gehalt;2.500,00\n', eur);
    expect(dotted.detection.numberFormat?.value).toBe('1.234,56');
    expect(dotted.lines.map((line) => line.amountCents)).toEqual([123456, -250000]);
  });

  it('reads parentheses and trailing minus as money out', async () => {
    const file = await parseBankFile(
      'Date,Description,Amount\n2025-03-01,Rent,"(1,200.00)"\n2025-03-02,Groceries,45.10-\n2025-03-03,Refund,12.00\n',
      usd,
    );
    expect(file.lines.map((line) => line.amountCents)).toEqual([120000, 4510, -1200]);
  });

  it('reads debit and credit columns, and refuses a row with both', async () => {
    const file = await parseBankFile(
      'Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit\n2025-01-03,2025-01-04,1234,STARBUCKS,Dining,5.25,\n2025-01-05,2025-01-06,1234,PAYMENT RECEIVED,Payment,,300.00\n2025-01-07,2025-01-08,1234,ODD ROW,Other,1.00,2.00\n2025-01-09,2025-01-10,1234,EMPTY ROW,Other,,\n',
      usd,
    );
    expect(file.detection.preset?.value).toBe('capital-one');
    expect(file.detection.signConvention?.value).toBe('debit_credit_columns');
    expect(file.lines.map((line) => [line.date, line.authorizedDate, line.amountCents, line.accountExternalId])).toEqual([
      ['2025-01-04', '2025-01-03', 525, '1234'],
      ['2025-01-06', '2025-01-05', -30000, '1234'],
    ]);
    expect(file.issues.map((i) => [i.code, i.row])).toEqual([
      ['debit_and_credit', 4],
      ['missing_amount', 5],
    ]);
  });

  it('reads an amount with an S/H direction column (Volksbank) and with a DR/CR column', async () => {
    const vr = await parseBankFile(
      'Buchungstag;Valuta;Empfänger/Zahlungspflichtiger;Vorgang/Verwendungszweck;Währung;Umsatz;Soll/Haben\n02.01.2025;02.01.2025;Arbeitgeber AG;Lohn;EUR;2.100,00;H\n03.01.2025;03.01.2025;Edeka;Einkauf;EUR;34,20;S\n04.01.2025;04.01.2025;X;Y;EUR;1,00;Q\n',
    );
    expect(vr.detection.preset?.value).toBe('vr-bank');
    expect(vr.detection.signConvention?.value).toBe('direction_column');
    expect(vr.lines.map((line) => line.amountCents)).toEqual([-210000, 3420]);
    expect(vr.issues).toMatchObject([{ code: 'unknown_direction', row: 4, value: 'Q', severity: 'error' }]);
    const drcr = await parseBankFile('Date,Narrative,Amount,Type\n2025-01-02,Salary,1000.00,CR\n2025-01-03,Coffee,4.00,DR\n', usd);
    expect(drcr.detection.signConvention?.value).toBe('direction_column');
    expect(drcr.lines.map((line) => line.amountCents)).toEqual([-100000, 400]);
  });

  it('reports ambiguous dates as a file warning and reads them the way the hint says', async () => {
    const file = await parseBankFile('Date,Description,Amount\n09/02/2025,Coffee,-4.00\n10/02/2025,Lunch,-12.00\n', usd);
    expect(file.detection.dateFormat).toMatchObject({
      value: 'MM/DD/YYYY',
      ambiguous: true,
      alternatives: ['DD/MM/YYYY'],
      confidence: 0.5,
    });
    expect(file.issues[0]).toMatchObject({ type: 'file', code: 'ambiguous_date_format', severity: 'warning', row: null });
    expect(file.lines[0]!.date).toBe('2025-09-02');
    const dayFirst = await parseBankFile('Date,Description,Amount\n09/02/2025,Coffee,-4.00\n10/02/2025,Lunch,-12.00\n', {
      ...usd,
      csv: { dateFormat: 'DD/MM/YYYY' },
    });
    expect(dayFirst.detection.dateFormat).toMatchObject({ value: 'DD/MM/YYYY', source: 'option', ambiguous: false });
    expect(dayFirst.lines[0]!.date).toBe('2025-02-09');
    await expect(
      parseBankFile('Date,Description,Amount\n09/02/2025,Coffee,-4.00\n', { ...usd, onAmbiguousDate: 'fail' }),
    ).rejects.toMatchObject({
      code: 'ambiguous_date_format',
    });
  });

  it('rejects bad rows with their code and keeps the others', async () => {
    const file = await parseBankFile(
      'Date,Description,Amount\n2025-01-31,Fine,-1.00\n2025-02-30,No such day,-2.00\n2025-13-01,No such month,-3.00\nyesterday,Words,-4.00\n2025-02-01,,-5.00\n2025-02-02,Not money,lots\n2025-02-03,Too precise,1.005\n2025-02-04,Short row\n,No date,-6.00\n',
      usd,
    );
    expect(file.lines.map((line) => line.description)).toEqual(['Fine']);
    expect(file.issues.map((i) => [i.code, i.row, i.field])).toEqual([
      ['invalid_calendar_date', 3, 'Date'],
      ['invalid_calendar_date', 4, 'Date'],
      ['unparseable_date', 5, 'Date'],
      ['missing_description', 6, 'Description'],
      ['unparseable_amount', 7, 'Amount'],
      ['amount_precision', 8, 'Amount'],
      ['malformed_row', 9, null],
      ['missing_date', 10, 'Date'],
    ]);
    expect(file.issues.every((i) => i.severity === 'error' && i.type === 'transaction')).toBe(true);
    expect(file.stats).toMatchObject({ rows: 9, lines: 1, invalid: 8 });
  });

  it('signs charges positive for an Amex export and confirms a generic file from its salary lines', async () => {
    const amex = await parseBankFile(
      'Date,Description,Card Member,Account #,Amount\n01/05/2025,WHOLE FOODS,J DOE,-41005,54.20\n01/20/2025,PAYMENT RECEIVED - THANK YOU,J DOE,-41005,-300.00\n',
    );
    expect(amex.detection.preset?.value).toBe('amex');
    expect(amex.detection.signConvention).toMatchObject({ value: 'positive_is_money_out', source: 'preset' });
    expect(amex.lines.map((line) => line.amountCents)).toEqual([5420, -30000]);
    const generic = await parseBankFile(
      'Date,Description,Amount\n2025-01-01,SALARY ACME,-2000.00\n2025-01-15,SALARY ACME,-2000.00\n2025-01-03,GROCERIES,54.20\n2025-01-04,REFUND SHOES,-20.00\n',
      usd,
    );
    expect(generic.detection.signConvention).toMatchObject({ value: 'positive_is_money_out', source: 'content' });
    expect(generic.lines.map((line) => line.amountCents)).toEqual([-200000, -200000, 5420, -2000]);
  });

  it('takes an explicit mapping and refuses one that names a missing column', async () => {
    const text = 'When;What;Out;In;Who\n2025-01-02;Coffee;3,20;;acct-1\n2025-01-03;Refund;;9,99;acct-1\n';
    const file = await parseBankFile(text, {
      ...eur,
      csv: { mapping: { date: 'When', description: 'What', debit: 'Out', credit: 'In', account: 'Who' } },
    });
    expect(file.detection.preset).toMatchObject({ value: null, source: 'option' });
    expect(file.lines.map((line) => [line.accountExternalId, line.amountCents])).toEqual([
      ['acct-1', 320],
      ['acct-1', -999],
    ]);
    await expect(
      parseBankFile(text, { ...eur, csv: { mapping: { date: 'When', description: 'Nope', amount: 'Out' } } }),
    ).rejects.toMatchObject({ code: 'unmapped_columns' });
  });

  it('reads a headerless Wells Fargo export through its preset', async () => {
    const file = await parseBankFile(
      '"01/02/2025","-45.00","*","","SAFEWAY STORE 1711"\n"01/03/2025","1500.00","*","","DIRECT DEP ACME"\n',
    );
    expect(file.detection.headerRow?.value).toBeNull();
    expect(file.detection.preset?.value).toBe('wells-fargo');
    expect(file.lines.map((line) => [line.date, line.amountCents, line.description, line.currency])).toEqual([
      ['2025-01-02', 4500, 'SAFEWAY STORE 1711', 'USD'],
      ['2025-01-03', -150000, 'DIRECT DEP ACME', 'USD'],
    ]);
  });

  it('rejects a row without a currency when neither the file nor the caller gives one', async () => {
    const file = await parseBankFile('Date,Description,Amount\n2025-01-02,Coffee,-3.00\n');
    expect(file.issues).toMatchObject([{ code: 'missing_currency', row: 2 }]);
    const withColumn = await parseBankFile('Date,Description,Amount,Currency\n2025-01-02,Coffee,-3.00,eur\n2025-01-03,Tea,-2.00,EURO\n');
    expect(withColumn.lines[0]).toMatchObject({ currency: 'EUR' });
    expect(withColumn.issues).toMatchObject([{ code: 'invalid_currency', row: 3, value: 'EURO' }]);
  });

  it('streams from a source opened afresh for each pass, in small chunks, with the same result', async () => {
    const bytes = demoFile('sparkasse-2025-01.csv');
    const source = chunkedSource(bytes, 5);
    const streamed = await parseBankFile(source.open, eur);
    const whole = await parseBankFile(bytes, eur);
    expect(streamed.lines).toEqual(whole.lines);
    expect(source.opened()).toBeGreaterThanOrEqual(3);
  });

  it('fails a file that is not a table with a clear code', async () => {
    await expect(parseBankFile('just some words\n')).rejects.toBeInstanceOf(BankFormatError);
    await expect(parseBankFile('Name,Note\nAnna,hello\nBen,bye\n', usd)).rejects.toMatchObject({ code: 'no_header_row' });
    await expect(parseBankFile('Date,Description,Note\n2025-01-01,Coffee,hello\n2025-01-02,Tea,bye\n', usd)).rejects.toMatchObject({
      code: 'unmapped_columns',
    });
  });
});
