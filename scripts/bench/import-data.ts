/** Generated bank files for the import benchmark: realistic merchants, identical purchases, income and transfers. */
import { Prng } from './prng.ts';

const MERCHANTS: ReadonlyArray<readonly [string, number, number, string]> = [
  ['WHOLE FOODS MARKET #10234', 2000, 14000, 'FOOD_AND_DRINK_GROCERIES'],
  ['TRADER JOES #552', 1500, 9000, 'FOOD_AND_DRINK_GROCERIES'],
  ['SAFEWAY 1234', 1200, 11000, 'FOOD_AND_DRINK_GROCERIES'],
  ['BLUE BOTTLE COFFEE', 350, 900, 'FOOD_AND_DRINK_COFFEE'],
  ['STARBUCKS STORE 0441', 300, 1200, 'FOOD_AND_DRINK_COFFEE'],
  ['CHIPOTLE 1789', 900, 2500, 'FOOD_AND_DRINK_FAST_FOOD'],
  ['UBER *TRIP HELP.UBER.COM', 700, 4500, 'TRANSPORTATION_TAXIS_AND_RIDE_SHARES'],
  ['SHELL OIL 5521', 2500, 7000, 'TRANSPORTATION_GAS'],
  ['NETFLIX.COM', 1549, 1549, 'ENTERTAINMENT_TV_AND_MOVIES'],
  ['SPOTIFY USA', 1199, 1199, 'ENTERTAINMENT_MUSIC_AND_AUDIO'],
  ['AMAZON MKTPLACE PMTS', 800, 12000, 'GENERAL_MERCHANDISE_ONLINE_MARKETPLACES'],
  ['TARGET 00123', 1500, 9000, 'GENERAL_MERCHANDISE_SUPERSTORES'],
  ['CVS/PHARMACY #1234', 600, 4000, 'MEDICAL_PHARMACIES_AND_SUPPLEMENTS'],
  ['PG&E WEB ONLINE', 6000, 18000, 'RENT_AND_UTILITIES_GAS_AND_ELECTRICITY'],
  ['COMCAST CABLE', 7999, 7999, 'RENT_AND_UTILITIES_INTERNET_AND_CABLE'],
  ['DELTA AIR LINES', 15000, 60000, 'TRAVEL_FLIGHTS'],
];

interface GeneratedLine {
  readonly date: string;
  readonly description: string;
  /** Plaid sign: positive = money out. */
  readonly cents: number;
  readonly category: string;
}

/** N lines over the last 12 months: ~88% purchases (some identical on the same day), salaries, transfers. */
export function generateLines(count: number, seed: number): GeneratedLine[] {
  const prng = new Prng(seed);
  const start = Date.UTC(2025, 0, 1);
  const lines: GeneratedLine[] = [];
  while (lines.length < count) {
    const date = new Date(start + prng.int(0, 364) * 86_400_000).toISOString().slice(0, 10);
    const roll = prng.next();
    if (roll < 0.06) lines.push({ date, description: 'ACME CORP PAYROLL', cents: -prng.int(200_000, 450_000), category: 'INCOME_WAGES' });
    else if (roll < 0.12)
      lines.push({ date, description: 'ONLINE TRANSFER TO SAVINGS', cents: prng.int(5_000, 80_000), category: 'TRANSFER_OUT_SAVINGS' });
    else {
      const [description, low, high, category] = MERCHANTS[prng.int(0, MERCHANTS.length - 1)]!;
      const line = {
        date,
        description: `${description}${prng.next() < 0.5 ? '' : ` ${prng.int(1, 400)}`}`,
        cents: prng.int(low, high),
        category,
      };
      lines.push(line);
      // Identical real purchases: the same coffee twice on one day.
      if (prng.next() < 0.03 && lines.length < count) lines.push({ ...line });
    }
  }
  return lines.slice(0, count);
}

const money = (cents: number): string => (cents / 100).toFixed(2);

/** A bank CSV export: signed amounts, money out negative. */
export function csvFile(lines: readonly GeneratedLine[]): string {
  const rows = ['Date,Description,Amount,Category'];
  for (const l of lines) rows.push(`${l.date},"${l.description}",${money(-l.cents)},${l.category}`);
  return `${rows.join('\n')}\n`;
}

/** A JSON array of /transactions/sync bodies, 500 transactions a page. */
export function plaidFile(lines: readonly GeneratedLine[], seed: number): string {
  const account = {
    account_id: `bench-acc-${seed}`,
    name: 'Everyday Checking',
    official_name: 'Plaid Gold Standard 0% Interest Checking',
    mask: '0000',
    type: 'depository',
    subtype: 'checking',
    balances: { current: 12345.67, available: 12000, limit: null, iso_currency_code: 'USD', unofficial_currency_code: null },
  };
  const pages: unknown[] = [];
  for (let start = 0; start < lines.length; start += 500) {
    const chunk = lines.slice(start, start + 500);
    pages.push({
      accounts: [account],
      added: chunk.map((l, i) => ({
        transaction_id: `bench-${seed}-${start + i}`,
        account_id: account.account_id,
        amount: l.cents / 100,
        iso_currency_code: 'USD',
        unofficial_currency_code: null,
        date: l.date,
        authorized_date: l.date,
        name: l.description,
        merchant_name: null,
        pending: false,
        pending_transaction_id: null,
        payment_channel: 'in store',
        personal_finance_category: { primary: l.category.split('_').slice(0, 2).join('_'), detailed: l.category },
      })),
      modified: [],
      removed: [],
      next_cursor: `cursor-${start + 500}`,
      has_more: start + 500 < lines.length,
      request_id: `bench-${start}`,
    });
  }
  return JSON.stringify(pages);
}
