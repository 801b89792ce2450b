import { describe, expect, it } from 'vitest';
import { chunkedSource, demoFile } from './fixtures/demo.ts';
import { parseBankFile } from './index.ts';
import { ofxTimestamp } from './ofx.ts';

const sgml = (transactions: string, curdef = 'USD'): string => `OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS><STMTRS><CURDEF>${curdef}<BANKACCTFROM><BANKID>021000021<ACCTID>99887766<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST><DTSTART>20250101<DTEND>20250131${transactions}</BANKTRANLIST><LEDGERBAL><BALAMT>1520.00<DTASOF>20250131</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>`;

describe('OFX / QFX', () => {
  it('reads an SGML 1.x card statement: FITIDs, signs, the card balance as what is owed', async () => {
    const file = await parseBankFile(demoFile('card-2025-01.ofx'));
    expect(file.format).toBe('ofx');
    expect(file.detection).toMatchObject({
      version: 'OFX 102 (SGML)',
      currency: 'USD',
      encoding: { value: 'windows-1252', evidence: 'OFX header CHARSET:1252' },
    });
    expect(file.stats).toMatchObject({ rows: 8, lines: 8, invalid: 0 });
    expect(file.lines[0]).toMatchObject({
      accountExternalId: '4111XXXXXXXX9012',
      date: '2025-01-05',
      authorizedDate: '2025-01-04',
      amountCents: 6420,
      providerId: '2025010524692165',
      providerIdKind: 'fitid',
      transactionType: 'DEBIT',
      description: 'WHOLE FOODS MKT #10234 OAKLAND CA',
    });
    expect(file.lines.find((line) => line.description === 'PAYMENT THANK YOU')!.amountCents).toBe(-41290);
    expect(file.lines.find((line) => line.description.startsWith('CHEZ'))!.description).toBe('CHEZ PANISSE & CAFE');
    const philz = file.lines.filter((line) => line.description === 'PHILZ COFFEE');
    expect(philz.map((line) => [line.providerId, line.occurrence])).toEqual([
      ['2025012024692170', 1],
      ['2025012024692171', 2],
    ]);
    expect(file.accounts.at(-1)).toMatchObject({
      type: 'credit',
      currentBalanceCents: 84516,
      availableBalanceCents: 415484,
      balancesAsOf: '2025-01-31T23:59:59-08:00',
    });
  });

  it('reads an XML 2.x QFX savings statement the same way', async () => {
    const file = await parseBankFile(demoFile('savings-2025-01.qfx'));
    expect(file.detection.version).toBe('OFX 211 (XML)');
    expect(file.detection.encoding).toMatchObject({ value: 'utf-8', evidence: 'XML declaration says encoding="UTF-8"' });
    expect(file.lines.map((line) => [line.transactionType, line.amountCents])).toEqual([
      ['XFER', -50000],
      ['INT', -318],
      ['FEE', 500],
    ]);
    expect(file.accounts[0]).toMatchObject({
      externalId: '000007731',
      type: 'depository',
      subtype: 'savings',
      institutionRef: '121000358',
    });
    expect(file.accounts.at(-1)).toMatchObject({ currentBalanceCents: 1249818 });
  });

  it('gives the same lines when the SGML arrives in tiny chunks', async () => {
    const bytes = demoFile('card-2025-01.ofx');
    const whole = await parseBankFile(bytes);
    const streamed = await parseBankFile(chunkedSource(bytes, 3).open);
    expect(streamed.lines).toEqual(whole.lines);
  });

  it('reports bad dates, bad amounts, a foreign-currency line and a missing FITID', async () => {
    const file = await parseBankFile(
      sgml(
        '<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250230<TRNAMT>-1.00<FITID>a<NAME>FEB 30</STMTTRN>' +
          '<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250203<TRNAMT>-1,2,3<FITID>b<NAME>BAD AMOUNT</STMTTRN>' +
          '<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250204<TRNAMT>-20.00<FITID>c<NAME>HOTEL PARIS<CURRENCY><CURRATE>1.08<CURSYM>EUR</CURRENCY></STMTTRN>' +
          '<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250205<TRNAMT>-3.00<NAME>NO ID</STMTTRN>',
      ),
    );
    expect(file.issues.map((i) => [i.code, i.severity, i.row])).toEqual([
      ['invalid_calendar_date', 'error', 1],
      ['unparseable_amount', 'error', 2],
      ['currency_mismatch', 'warning', 3],
      ['missing_field', 'warning', 4],
    ]);
    expect(file.lines.map((line) => [line.currency, line.providerId])).toEqual([
      ['EUR', 'c'],
      ['USD', null],
    ]);
  });

  it('keeps both lines when a bank reuses a FITID for different transactions, matching the second by content', async () => {
    const file = await parseBankFile(
      sgml(
        '<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250203<TRNAMT>-5.00<FITID>dup<NAME>CAFE</STMTTRN>' +
          '<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250204<TRNAMT>-9.00<FITID>dup<NAME>BAKERY</STMTTRN>',
      ),
    );
    expect(file.lines.map((line) => line.providerId)).toEqual(['dup', null]);
    expect(file.issues).toMatchObject([{ code: 'duplicate_provider_id', severity: 'warning', row: 2, transaction_id: 'dup' }]);
  });

  it('converts OFX datetimes with their zone', () => {
    expect(ofxTimestamp('20250105120000.000[-5:EST]')).toBe('2025-01-05T12:00:00-05:00');
    expect(ofxTimestamp('20250105')).toBe('2025-01-05T00:00:00Z');
    expect(ofxTimestamp('20250105093000[+5.5:IST]')).toBe('2025-01-05T09:30:00+05:30');
    expect(ofxTimestamp('2025')).toBeNull();
  });

  it('fails a file with an OFX header but no body', async () => {
    await expect(parseBankFile('OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n')).rejects.toMatchObject({ code: 'malformed_ofx' });
  });
});
