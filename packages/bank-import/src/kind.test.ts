import { describe, expect, it } from 'vitest';
import { classifyLine } from './kind.ts';

const kind = (
  amountCents: number,
  description: string,
  extra: { providerCategory?: string; providerType?: string; credit?: boolean } = {},
) =>
  classifyLine(
    { amountCents, description, providerCategory: extra.providerCategory ?? null, providerType: extra.providerType ?? null },
    { accountType: extra.credit ? 'credit' : 'depository' },
  );

describe('classifyLine', () => {
  it('money out to a merchant is spending; money in is income unless it reads as a refund or interest', () => {
    expect(kind(4523, 'WHOLE FOODS MARKET')).toBe('spending');
    expect(kind(-250000, 'ACME PAYROLL')).toBe('income');
    expect(kind(-1999, 'AMAZON REFUND')).toBe('refund');
    expect(kind(-12, 'INTEREST PAID')).toBe('interest');
  });

  it('transfers and card payments stay out of spending in either direction', () => {
    expect(kind(50000, 'TRANSFER TO SAVINGS')).toBe('transfer');
    expect(kind(-50000, 'Online Transfer from CHK ...1234')).toBe('transfer');
    expect(kind(41020, 'CHASE CREDIT CARD AUTOPAY')).toBe('card_payment');
    expect(kind(-41020, 'PAYMENT THANK YOU', { credit: true })).toBe('card_payment');
    expect(kind(-41020, 'ANY CREDIT', { credit: true })).toBe('card_payment');
  });

  it("the provider's category and type decide before the descriptor", () => {
    expect(kind(41020, 'CHASE', { providerCategory: 'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT' })).toBe('card_payment');
    expect(kind(2000, 'VENMO', { providerCategory: 'TRANSFER_OUT_ACCOUNT_TRANSFER' })).toBe('transfer');
    expect(kind(-100000, 'GUSTO', { providerCategory: 'INCOME_WAGES' })).toBe('income');
    expect(kind(3500, 'MONTHLY MAINTENANCE', { providerCategory: 'BANK_FEES_OTHER_BANK_FEES' })).toBe('fee');
    expect(kind(-500, 'DIV', { providerType: 'INT' })).toBe('interest');
    expect(kind(2500, 'SOMETHING', { providerType: 'XFER' })).toBe('transfer');
  });

  it('a coffee is not a fee, an overdraft fee is', () => {
    expect(kind(450, 'BLUE BOTTLE COFFEE')).toBe('spending');
    expect(kind(3500, 'OVERDRAFT FEE')).toBe('fee');
  });

  it('a zero amount is other', () => {
    expect(kind(0, 'CARD VERIFICATION')).toBe('other');
  });
});
