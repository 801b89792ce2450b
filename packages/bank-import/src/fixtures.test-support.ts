/** Small factories of normalized import input for the service's tests. */
import { contentKeyOf } from './dedupe.ts';
import type { ImportAccount, ImportInput, ImportLine, PlaidWalk } from './types.ts';

export const CHECKING: ImportAccount = {
  externalId: 'acc-checking',
  name: 'Everyday Checking',
  mask: '0042',
  type: 'depository',
  currency: 'USD',
  currentBalance: '1520.33',
  availableBalance: '1500.00',
  balancesAsOf: '2025-10-31T00:00:00Z',
};

export const CARD: ImportAccount = {
  externalId: 'acc-card',
  name: 'Rewards Card',
  mask: '9911',
  type: 'credit',
  currency: 'USD',
  currentBalance: '410.20',
  creditLimit: '5000.00',
  balancesAsOf: '2025-10-31T00:00:00Z',
};

let rowCounter = 0;

export function line(overrides: Partial<ImportLine> & { amountCents: number; description: string; date?: string }): ImportLine {
  const base = {
    row: overrides.row ?? ++rowCounter,
    accountExternalId: overrides.accountExternalId ?? CHECKING.externalId,
    providerId: overrides.providerId ?? null,
    date: overrides.date ?? '2025-10-10',
    amountCents: overrides.amountCents,
    currency: overrides.currency === undefined ? 'USD' : overrides.currency,
    description: overrides.description,
  };
  return {
    pending: false,
    occurrence: 1,
    contentKey: contentKeyOf(base),
    ...base,
    ...overrides,
    row: base.row,
  };
}

/** A file import of these lines (rows renumbered 1..n in order). */
export function fileInput(lines: readonly ImportLine[], accounts: readonly ImportAccount[] = [CHECKING, CARD]): ImportInput {
  const numbered = lines.map((l, i) => ({ ...l, row: i + 1 }));
  return { format: 'csv', detection: { format: { value: 'csv' } }, accounts, lines: numbered, issues: [], rowCount: numbered.length };
}

/** A Plaid sync import of these walks. */
export function plaidInput(walks: readonly PlaidWalk[], accounts: readonly ImportAccount[] = [CHECKING, CARD]): ImportInput {
  const rows = walks.reduce((n, w) => n + w.added.length + w.modified.length + w.removed.length, 0);
  return { format: 'plaid', detection: { format: { value: 'plaid' } }, accounts, lines: [], walks, issues: [], rowCount: rows };
}

/** A Plaid transaction as a normalized line. */
export function plaidTxn(id: string, amountCents: number, description: string, extra: Partial<ImportLine> = {}): ImportLine {
  return line({ providerId: id, amountCents, description, ...extra });
}

export const walk = (w: Partial<PlaidWalk>): PlaidWalk => ({ added: [], modified: [], removed: [], nextCursor: 'cursor-next', ...w });
