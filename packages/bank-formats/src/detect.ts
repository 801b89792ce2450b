/**
 * Which format a file is, from its first bytes of text.
 *
 * Each format has a signature that the others cannot have: Plaid files are
 * JSON, OFX starts with its header (OFXHEADER:100 or <?OFX ...?>) or an <OFX>
 * element, CAMT.053 is XML with a BkToCstmrStmt document, QIF starts with a
 * !Type: (or !Account / !Option) line, and CSV is text whose lines split into
 * the same number of fields.
 */
import { sniffDelimiter } from './csv/layout.ts';
import type { BankFormat, Detected } from './types.ts';

export function sniffFormat(headText: string): Detected<BankFormat> | null {
  const text = headText.replace(/^\uFEFF/, '').trimStart();
  if (text === '') return null;
  if (text.startsWith('[') || text.startsWith('{')) {
    const plaidKeys = /"(next_cursor|has_more|added|removed|total_transactions|transactions|accounts|error_code|error_type)"\s*:/.exec(
      text,
    );
    if (plaidKeys !== null) {
      return found('plaid', `JSON with Plaid's "${plaidKeys[1]}" field`);
    }
    return null;
  }
  if (/^OFXHEADER\s*:/i.test(text)) return found('ofx', 'OFX 1.x SGML header (OFXHEADER:100)');
  if (/<\?OFX\b/i.test(text.slice(0, 4096))) return found('ofx', 'OFX 2.x XML processing instruction (<?OFX OFXHEADER="200" ...?>)');
  if (/^<OFX>/i.test(text)) return found('ofx', 'an <OFX> document without a header');
  if (text.startsWith('<')) {
    if (/<BkToCstmrStmt\b/.test(text) || /urn:iso:std:iso:20022:tech:xsd:camt\.053/.test(text)) {
      const version = /camt\.053\.001\.(\d+)/.exec(text)?.[0];
      return found('camt053', `ISO 20022 BkToCstmrStmt document${version !== undefined ? ` (${version})` : ''}`);
    }
    if (/<OFX>/i.test(text)) return found('ofx', 'an <OFX> element');
    return null;
  }
  const firstLine = text.split(/\r\n|\n|\r/, 1)[0] ?? '';
  if (/^!(Type|Account|Option|Clear)\b/i.test(firstLine)) return found('qif', `QIF header line ${JSON.stringify(firstLine.trim())}`);
  if (text.includes('\u0000') || text.startsWith('%PDF') || text.startsWith('PK\u0003\u0004')) return null;
  const delimiter = sniffDelimiter(text.split(/\r\n|\n|\r/).slice(0, 200));
  if (delimiter !== null) return found('csv', `delimited text: ${delimiter.evidence}`, delimiter.confidence);
  return null;
}

function found(format: BankFormat, evidence: string, confidence = 1): Detected<BankFormat> {
  return { value: format, source: 'content', confidence, evidence, ambiguous: false, alternatives: [] };
}
