import { describe, expect, it } from 'vitest';
import { demoFile } from './fixtures/demo.ts';
import { parseBankFile } from './index.ts';

const camt = (entries: string, version = '001.08'): string => `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.${version}"><BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2025-02-01T00:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><Acct><Id><Othr><Id>CARD-77</Id></Othr></Id><Ccy>CHF</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><CdtLine><Incl>true</Incl><Amt Ccy="CHF">5000.00</Amt></CdtLine><Amt Ccy="CHF">420.10</Amt><CdtDbtInd>DBIT</CdtDbtInd><Dt><DtTm>2025-01-31T23:59:00+01:00</DtTm></Dt></Bal>
${entries}</Stmt></BkToCstmrStmt></Document>`;

describe('CAMT.053', () => {
  it('reads a 001.02 statement: signs from CdtDbtInd, AcctSvcrRef ids, NOTPROVIDED ignored, pending entries, balances', async () => {
    const file = await parseBankFile(demoFile('giro-2025-01.camt053.xml'));
    expect(file.format).toBe('camt053');
    expect(file.detection).toMatchObject({
      version: 'camt.053.001.02',
      currency: 'EUR',
      signConvention: { value: 'credit_debit_indicator' },
    });
    expect(file.accounts[0]).toMatchObject({
      externalId: 'DE89370400440532013000',
      name: 'Girokonto Müller',
      currency: 'EUR',
      currentBalanceCents: 386712,
      availableBalanceCents: 386712,
      institutionRef: 'COBADEFFXXX',
    });
    expect(file.lines.map((line) => [line.amountCents, line.providerId, line.providerIdKind, line.pending])).toEqual([
      [-285000, '2025010200012345', 'acct_svcr_ref', false],
      [95000, '2025010300023456', 'acct_svcr_ref', false],
      [6347, 'KARTE-0107-8812', 'acct_svcr_ref', false],
      [4999, '2025011500034567', 'acct_svcr_ref', false],
      [1997, null, null, true],
    ]);
    expect(file.lines[0]).toMatchObject({
      description: 'Nordwerk GmbH Gehalt Januar 2025',
      counterparty: 'Nordwerk GmbH',
      transactionType: 'PMNT/RCDT/SALA',
      valueDate: '2025-01-02',
    });
  });

  it('reads 001.08 layouts (Sts/Cd, Pty/Nm, DtTm), EndToEndId ids, credit lines, and flags another currency', async () => {
    const file = await parseBankFile(
      camt(
        '<Ntry><Amt Ccy="CHF">12.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><DtTm>2025-01-05T10:00:00</DtTm></BookgDt><NtryDtls><TxDtls><Refs><EndToEndId>E2E-1</EndToEndId></Refs><RltdPties><Cdtr><Pty><Nm>Migros</Nm></Pty></Cdtr></RltdPties></TxDtls></NtryDtls></Ntry>' +
          '<Ntry><Amt Ccy="EUR">30.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts><BookgDt><Dt>2025-01-06</Dt></BookgDt><AddtlNtryInf>Hotel Milano</AddtlNtryInf></Ntry>' +
          '<Ntry><Amt Ccy="CHF">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2025-02-30</Dt></BookgDt><AddtlNtryInf>Bad date</AddtlNtryInf></Ntry>' +
          '<Ntry><Amt Ccy="CHF">1.00</Amt><CdtDbtInd>XXXX</CdtDbtInd><BookgDt><Dt>2025-01-07</Dt></BookgDt><AddtlNtryInf>Bad direction</AddtlNtryInf></Ntry>',
      ),
    );
    expect(file.detection.version).toBe('camt.053.001.08');
    expect(file.accounts[0]).toMatchObject({
      externalId: 'CARD-77',
      type: 'credit',
      creditLimitCents: 500000,
      currentBalanceCents: 42010,
      balancesAsOf: '2025-01-31T23:59:00+01:00',
    });
    expect(
      file.lines.map((line) => [
        line.date,
        line.amountCents,
        line.currency,
        line.providerId,
        line.providerIdKind,
        line.pending,
        line.description,
      ]),
    ).toEqual([
      ['2025-01-05', 1250, 'CHF', 'E2E-1', 'end_to_end_id', false, 'Migros'],
      ['2025-01-06', 3000, 'EUR', null, null, true, 'Hotel Milano'],
    ]);
    expect(file.issues.map((i) => [i.code, i.severity, i.row])).toEqual([
      ['currency_mismatch', 'warning', 2],
      ['invalid_calendar_date', 'error', 3],
      ['unknown_direction', 'error', 4],
    ]);
  });

  it('fails XML that is not a camt.053 statement', async () => {
    await expect(parseBankFile('<?xml version="1.0"?><Document><BkToCstmrStmt><Stmt>', { format: 'camt053' })).rejects.toMatchObject({
      code: 'malformed_xml',
    });
  });
});
