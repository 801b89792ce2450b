import { CATEGORY_KEYS } from '@wallai/domain';
import { describe, expect, it } from 'vitest';
import { normalizeDescriptor } from './normalize.ts';
import { categorizeWithRules } from './pipeline.ts';
import { createRuleEngine, defaultRuleEngine } from './rules/engine.ts';
import { KEYWORD_RULES } from './rules/keywords.ts';
import { compileRules } from './rules/matcher.ts';
import { MERCHANT_RULES } from './rules/merchants.ts';
import { defineRules } from './rules/types.ts';

const all = { candidates: CATEGORY_KEYS };
const categoryOf = (description: string, candidates: readonly string[] = CATEGORY_KEYS): string =>
  categorizeWithRules({ description }, { candidates }).category;

describe('merchant rules', () => {
  it('a card descriptor with a processor prefix is matched to its merchant', () => {
    const result = categorizeWithRules({ description: 'PAYPAL *NETFLIX.COM 866-579-7172 CA' }, all);
    expect(result).toEqual({ category: 'subscriptions', confidence: 0.95, source: 'rules' });
  });

  it.each([
    ['POS DEBIT PUBLIX #1432 CORAL GABLES FL', 'groceries'],
    ['SHELL OIL 57444092 HOUSTON TX', 'transport'],
    ['UBER *EATS HELP.UBER.COM CA', 'dining'],
    ['UBER *TRIP HELP.UBER.COM CA', 'transport'],
    ['AMZN Mktp US*2K4AB1C23', 'shopping'],
    ['APPLE.COM/BILL 866-712-7753 CA', 'subscriptions'],
    ['COMPRA TARJETA PEMEX GASOLINERA 4411 PUEBLA PUE', 'transport'],
    ['FARMACIAS DEL AHORRO SUC 120 MONTERREY NL', 'health'],
    ['PAGO EDESUR DOMINICANA', 'utilities'],
    ['DROGASIL 1234 SAO PAULO BR', 'health'],
    ['MERCADONA 2212 SEVILLA ES', 'groceries'],
    ['TIM HORTONS #2231 TORONTO ON', 'dining'],
    ['TIM CELULAR SA', 'utilities'],
    ['COMISION FEDERAL DE ELECTRICIDAD', 'utilities'],
  ])('%s → %s', (description, category) => {
    expect(categoryOf(description)).toBe(category);
  });

  it('prefers the longer, more specific phrase when two overlap', () => {
    const hits = defaultRuleEngine().matcher.match(normalizeDescriptor('UBER EATS SAN JOSE'));
    expect(hits.map((hit) => [hit.phrase, hit.rule.category])).toEqual([['uber eats', 'dining']]);
  });

  it('matches a name the descriptor writes without spaces or with extra ones', () => {
    expect(categoryOf('HOMEDEPOT.COM')).toBe('housing');
    expect(categoryOf('WAL MART STORE')).toBe('groceries');
  });

  it('matches a merchant name cut short by the card network', () => {
    expect(categoryOf('SOUTHWES 5262 DALLAS TX')).toBe('travel');
    expect(categoryOf('BANK OF AMER ONLINE PMT')).toBe('debt_payoff');
  });

  it('does not treat an everyday word as a cut-off merchant name', () => {
    // "american" is a prefix of the retailer "Americanas" but must not match it.
    expect(defaultRuleEngine().matcher.match(normalizeDescriptor('AMERICAN LEGION POST 12'))).toEqual([]);
  });

  it('finds a merchant inside a domain name', () => {
    expect(categoryOf('WWW.SPOTIFYPREMIUM.COM')).toBe('subscriptions');
  });

  it('scores a named merchant above any generic keyword', () => {
    const merchant = categorizeWithRules({ description: 'KROGER #221' }, all);
    const keyword = categorizeWithRules({ description: 'SUPERMERCADO LA ESQUINA' }, all);
    expect(keyword.category).toBe('groceries');
    expect(merchant.confidence).toBeGreaterThan(keyword.confidence);
  });
});

describe('keyword rules', () => {
  it.each([
    ['SUPERMERCADO EL BUEN PRECIO', 'groceries'],
    ['COLMADO DON PEPE', 'groceries'],
    ['AUTO POSTO SAO JORGE', 'transport'],
    ['PEAJE LAS AMERICAS', 'transport'],
    ['RESTAURANTE LA CASONA', 'dining'],
    ['SEGUROS LA PROVIDENCIA', 'insurance'],
    ['PAGO IMPUESTO VEHICULAR', 'fees_taxes'],
    ['COMISION POR MANEJO DE CUENTA', 'fees_taxes'],
    ['RETIRO CAJERO AUTOMATICO', 'other'],
    ['TRANSFERENCIA A TERCEROS', 'other'],
    ['FARMACIA SAN JUDAS', 'health'],
    ['HOSPEDAGEM POUSADA DO SOL', 'travel'],
    ['BARBERIA EL ESTILO', 'personal_care'],
  ])('%s → %s', (description, category) => {
    expect(categoryOf(description)).toBe(category);
  });

  it('lets a fee word outrank the bank that charged it', () => {
    expect(categoryOf('CHASE MONTHLY SERVICE FEE')).toBe('fees_taxes');
    expect(categoryOf('BANCO POPULAR TRANSFERENCIA')).toBe('other');
  });

  it('treats a refund from a known merchant as income', () => {
    expect(categoryOf('ESTORNO COMPRA AMERICANAS')).toBe('income');
  });

  it('leaves the more specific phrase in charge: "animal hospital" is a pet expense', () => {
    expect(categoryOf('BAYSIDE ANIMAL HOSPITAL')).toBe('other');
    expect(categoryOf('BAYSIDE HOSPITAL')).toBe('health');
  });
});

describe('candidates', () => {
  it('a rule category outside the candidates is never returned', () => {
    const candidates = ['groceries', 'dining', 'other'];
    const result = categorizeWithRules({ description: 'SHELL OIL 57444092 HOUSTON TX' }, { candidates });
    expect(result.category).toBe('other');
    expect(candidates).toContain(result.category);
  });

  it('uses the first candidate as fallback when "other" is not offered', () => {
    const result = categorizeWithRules({ description: 'QZXW 123' }, { candidates: ['food', 'fun'] });
    expect(result).toEqual({ category: 'food', confidence: 0.1, source: 'rules' });
  });

  it('falls through to an allowed category when the top-scoring one is excluded', () => {
    // A merchant (transport) and a keyword (groceries) both match.
    const result = categorizeWithRules({ description: 'CIRCLE K SUPERMARKET' }, { candidates: ['groceries', 'other'] });
    expect(result.category).toBe('groceries');
  });

  it('returns an explicit fallback only when it is a candidate', () => {
    expect(() => categorizeWithRules({ description: 'x' }, { candidates: ['groceries'], fallback: 'other' })).toThrow(RangeError);
    expect(() => categorizeWithRules({ description: 'x' }, { candidates: [] })).toThrow(RangeError);
  });
});

describe('rule tables', () => {
  it('compile without errors and produce confidences in (0, 1]', () => {
    for (const rule of [...MERCHANT_RULES, ...KEYWORD_RULES]) {
      expect(rule.confidence).toBeGreaterThan(0);
      expect(rule.confidence).toBeLessThanOrEqual(1);
    }
    expect(() => compileRules([...MERCHANT_RULES, ...KEYWORD_RULES])).not.toThrow();
  });

  it('named merchants are more confident than generic keywords', () => {
    // Refund words are the one deliberate exception: they must beat the
    // merchant they name ("ESTORNO COMPRA MAGALU").
    const keywords = KEYWORD_RULES.filter((rule) => rule.category !== 'income' || rule.confidence < 0.9);
    const strongestKeyword = Math.max(...keywords.map((rule) => rule.confidence));
    const namedBrands = MERCHANT_RULES.filter((rule) => rule.confidence >= 0.9);
    expect(strongestKeyword).toBeLessThan(0.9);
    // Weaker merchant tiers (general stores, banks, malls) are the minority.
    expect(namedBrands.length / MERCHANT_RULES.length).toBeGreaterThan(0.8);
  });

  it('rejects a stem that spans words and a confidence out of range', () => {
    expect(() => compileRules(defineRules('keyword', 'dining', 0.5, ['fast foo*']))).toThrow(/single word/);
    expect(() => compileRules(defineRules('keyword', 'dining', 1.5, ['pizza']))).toThrow(RangeError);
  });

  it('a custom engine uses only its own rules', () => {
    const engine = createRuleEngine(compileRules(defineRules('merchant', 'entertainment', 0.9, ['chess club'])));
    expect(categorizeWithRules({ description: 'CHESS CLUB DUES' }, { ...all, rules: engine }).category).toBe('entertainment');
    expect(categorizeWithRules({ description: 'PUBLIX' }, { ...all, rules: engine }).category).toBe('other');
  });

  it('categorizes a long descriptor in well under the 5 ms budget', () => {
    const description = 'PURCHASE AUTHORIZED ON 06/14 SOME UNKNOWN MERCHANT WITH A VERY LONG NAME #1234 SAN FRANCISCO CA CARD 1123';
    categorizeWithRules({ description }, all);
    const start = performance.now();
    for (let i = 0; i < 200; i += 1) categorizeWithRules({ description }, all);
    expect((performance.now() - start) / 200).toBeLessThan(5);
  });
});
