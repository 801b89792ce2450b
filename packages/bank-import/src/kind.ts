/**
 * What a bank line is: spending (it becomes an expense) or one of the kinds
 * that stay in the bank layer (income, refund, transfer, card payment, fee,
 * interest). Decided from the provider's category or type when it says, then
 * from the sign and the descriptor.
 */
import type { AccountType, ImportLine, LineKind } from './types.ts';

const CARD_PAYMENT =
  /\b(?:payment\s+(?:thank\s+you|received)|autopay|auto\s*pay|card\s+payment|credit\s+card\s+(?:payment|pmt)|cc\s+pmt)\b/i;
const TRANSFER =
  /\b(?:transfer|xfer|trnsfr|standing\s+order|to\s+savings|from\s+savings|internal\s+transfer|umbuchung|virement|overboeking)\b/i;
const INTEREST = /\b(?:interest|zinsen|interes(?:es)?)\b/i;
const FEE = /\b(?:fee|service\s+charge|overdraft|nsf|geb(?:ü|ue)hr|comisi[oó]n)\b/i;
const REFUND = /\b(?:refund|return(?:ed)?|reversal|chargeback|credit\s+voucher|erstattung|reembolso|gutschrift)\b/i;

/** Plaid personal_finance_category primary (and a few detailed) values that decide the kind. */
function kindFromPlaidCategory(category: string, amountCents: number): LineKind | null {
  const value = category.toUpperCase();
  if (value.startsWith('LOAN_PAYMENTS_CREDIT_CARD_PAYMENT')) return 'card_payment';
  if (value.startsWith('TRANSFER_IN') || value.startsWith('TRANSFER_OUT')) return 'transfer';
  if (value.startsWith('INCOME')) return value.includes('INTEREST') ? 'interest' : 'income';
  if (value.startsWith('BANK_FEES')) return amountCents > 0 ? 'fee' : 'refund';
  return null;
}

/** OFX TRNTYPE values. */
function kindFromOfxType(type: string, amountCents: number): LineKind | null {
  switch (type.toUpperCase()) {
    case 'INT':
    case 'DIV':
      return amountCents < 0 ? 'interest' : null;
    case 'FEE':
    case 'SRVCHG':
      return amountCents > 0 ? 'fee' : 'refund';
    case 'XFER':
      return 'transfer';
    case 'DIRECTDEP':
      return amountCents < 0 ? 'income' : null;
    default:
      return null;
  }
}

export interface KindContext {
  /** The type of the account the line is on. */
  readonly accountType: AccountType;
}

/** The kind of one line. */
export function classifyLine(
  line: Pick<ImportLine, 'amountCents' | 'description' | 'providerCategory' | 'providerType'>,
  context: KindContext,
): LineKind {
  const { amountCents } = line;
  if (amountCents === 0) return 'other';
  const category = line.providerCategory?.trim() ?? '';
  if (/^[A-Z_]+$/.test(category)) {
    const fromCategory = kindFromPlaidCategory(category, amountCents);
    if (fromCategory !== null) return fromCategory;
  }
  const fromType = line.providerType ? kindFromOfxType(line.providerType, amountCents) : null;
  if (fromType !== null) return fromType;

  const text = `${line.description} ${category}`;
  // Money into a credit account is a payment of the card, whatever its descriptor.
  if (amountCents < 0 && context.accountType === 'credit' && !REFUND.test(text)) return 'card_payment';
  if (CARD_PAYMENT.test(text)) return 'card_payment';
  if (TRANSFER.test(text)) return 'transfer';
  if (amountCents < 0) {
    if (INTEREST.test(text)) return 'interest';
    if (REFUND.test(text)) return 'refund';
    return 'income';
  }
  if (FEE.test(line.description) && !/\b(?:fee\s+payment)\b/i.test(line.description)) return 'fee';
  return 'spending';
}
