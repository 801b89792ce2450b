/**
 * A file parsed by @wallai/bank-formats turned into what the apply service
 * takes: accounts with decimal balances, lines, and Plaid pages grouped into
 * walks. Walk semantics are the import's (not the parser's):
 *
 * - `/transactions/sync` pages accumulate until one says `has_more: false`:
 *   that is a complete walk, applied whole;
 * - an error body (TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION, or any other)
 *   where a walk was under way interrupts it: nothing of it is kept, and the
 *   pages after the error are the walk restarted from the original cursor;
 * - pages still `has_more: true` at the end of the file are an incomplete walk,
 *   not applied;
 * - `/transactions/get` pages are plain lines keyed by transaction_id.
 */
import type { BankAccountInfo, BankLine, ParsedBankFile, PlaidPage, RowIssue } from '@wallai/bank-formats';
import { centsToDecimal } from '@wallai/domain';
import { issue } from './issues.ts';
import type { ImportAccount, ImportInput, ImportLine, PlaidWalk, ReportIssue } from './types.ts';

const balance = (cents: number | null): string | null => (cents === null ? null : centsToDecimal(cents));

export function accountFromParsed(account: BankAccountInfo): ImportAccount {
  return {
    externalId: account.externalId,
    name: account.name ?? account.officialName ?? (account.mask ? `Account ${account.mask}` : account.externalId),
    officialName: account.officialName,
    mask: account.mask,
    type: account.type,
    subtype: account.subtype,
    currency: account.currency,
    unofficialCurrency: account.unofficialCurrency,
    currentBalance: balance(account.currentBalanceCents),
    availableBalance: balance(account.availableBalanceCents),
    creditLimit: balance(account.creditLimitCents),
    balancesAsOf: account.balancesAsOf,
  };
}

export function lineFromParsed(line: BankLine): ImportLine {
  return {
    row: line.row,
    accountExternalId: line.accountExternalId,
    providerId: line.providerId,
    pendingTransactionId: line.pendingTransactionId,
    pending: line.pending,
    date: line.date,
    authorizedDate: line.authorizedDate,
    amountCents: line.amountCents,
    currency: line.currency,
    unofficialCurrency: line.unofficialCurrency,
    description: line.description,
    merchantName: line.merchantName,
    // The detailed Plaid category refines the primary (FOOD_AND_DRINK_GROCERIES vs FOOD_AND_DRINK).
    providerCategory: line.providerCategoryDetailed ?? line.providerCategory,
    providerType: line.transactionType,
    contentKey: line.contentKey,
    occurrence: line.occurrence,
    raw: line.raw,
  };
}

const asReportIssue = (entry: RowIssue): ReportIssue => ({ ...entry });

/** Complete sync walks, plain lines from get pages, accounts (latest description wins) and walk-level warnings. */
export function walksFromPages(pages: readonly PlaidPage[]): {
  walks: PlaidWalk[];
  lines: ImportLine[];
  accounts: BankAccountInfo[];
  issues: ReportIssue[];
} {
  const walks: PlaidWalk[] = [];
  const lines: ImportLine[] = [];
  const issues: ReportIssue[] = [];
  const accounts = new Map<string, BankAccountInfo>();
  let current: Extract<PlaidPage, { kind: 'sync' }>[] = [];
  const discard = (reason: string, code: string) => {
    if (current.length === 0) return;
    const rows = current.reduce((n, p) => n + p.added.length + p.modified.length + p.removed.length, 0);
    issues.push(
      issue(code, `${reason}: ${current.length} page(s) with ${rows} transaction(s) were not applied`, {
        type: 'page',
        severity: 'warning',
        row: null,
        value: `pages ${current[0]!.index + 1}-${current.at(-1)!.index + 1}`,
      }),
    );
    current = [];
  };
  for (const page of pages) {
    if (page.kind === 'get') {
      for (const account of page.accounts) accounts.set(account.externalId, account);
      lines.push(...page.transactions.map(lineFromParsed));
      continue;
    }
    if (page.kind === 'error') {
      discard(
        page.errorCode === 'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION'
          ? 'the walk was interrupted by TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION and restarted from its original cursor'
          : `the walk was interrupted by ${page.errorCode}`,
        'interrupted_walk',
      );
      continue;
    }
    for (const account of page.accounts) accounts.set(account.externalId, account);
    current.push(page);
    if (!page.hasMore) {
      walks.push({
        added: current.flatMap((p) => p.added.map(lineFromParsed)),
        modified: current.flatMap((p) => p.modified.map(lineFromParsed)),
        removed: current.flatMap((p) =>
          p.removed.map((r) => ({ row: r.row, providerId: r.transactionId, accountExternalId: r.accountId })),
        ),
        nextCursor: page.nextCursor,
      });
      current = [];
    }
  }
  discard('the file ends before the walk did (has_more is still true)', 'incomplete_walk');
  return { walks, lines, accounts: [...accounts.values()], issues };
}

/** The whole parsed file as the apply service's input. */
export function fromParsed(parsed: ParsedBankFile): ImportInput {
  const plaid = walksFromPages(parsed.pages);
  const accounts = new Map<string, BankAccountInfo>();
  for (const account of [...parsed.accounts, ...plaid.accounts]) accounts.set(account.externalId, account);
  return {
    format: parsed.format,
    source: 'file',
    detection: parsed.detection as unknown as Record<string, unknown>,
    accounts: [...accounts.values()].map(accountFromParsed),
    lines: [...parsed.lines.map(lineFromParsed), ...plaid.lines],
    walks: plaid.walks,
    issues: [...parsed.issues.map(asReportIssue), ...plaid.issues],
    rowCount: parsed.stats.rows,
  };
}
