import { describe, expect, it } from 'vitest';
import { normalizeDescriptor, tokenize } from './normalize.ts';

describe('normalizeDescriptor', () => {
  it('drops bank boilerplate, dates, store numbers, card suffixes and the trailing state', () => {
    const result = normalizeDescriptor('PURCHASE AUTHORIZED ON 03/02 CORNER GROCER #4412 TAMPA FL CARD 9981');
    expect(result.text).toBe('corner grocer tampa');
  });

  it('removes a payment-processor prefix and remembers which processor it was', () => {
    expect(normalizeDescriptor('SQ *BLUE BOTTLE COFFEE OAKLAND CA')).toEqual({
      text: 'blue bottle coffee oakland',
      tokens: ['blue', 'bottle', 'coffee', 'oakland'],
      processor: 'square',
    });
    expect(normalizeDescriptor('TST* HARBOR GRILL 22 NAPLES FL').processor).toBe('toast');
    expect(normalizeDescriptor('PAYPAL *SPOTIFYUSA').text).toBe('spotifyusa');
  });

  it('finds the processor after leading POS words', () => {
    expect(normalizeDescriptor('POS DEBIT SQ *LA ESQUINA TACOS').processor).toBe('square');
  });

  it('folds Spanish and Portuguese accents', () => {
    expect(normalizeDescriptor('Pão de Açúcar São Paulo').text).toBe('pao de acucar sao paulo');
    expect(normalizeDescriptor('FARMACÍA EL NIÑO').text).toBe('farmacia el nino');
  });

  it('joins apostrophes and splits other punctuation', () => {
    expect(normalizeDescriptor("MCDONALD'S F1234").tokens).toEqual(['mcdonalds']);
    expect(normalizeDescriptor('WAL-MART SUPERCENTER').tokens).toEqual(['wal', 'mart', 'supercenter']);
  });

  it('separates reference numbers glued to a truncated name', () => {
    expect(normalizeDescriptor('ACME CRUIS2453188 800-555-0100 FL').tokens).toEqual(['acme', 'cruis']);
  });

  it('keeps short numbers that can be part of a name', () => {
    expect(normalizeDescriptor('7-ELEVEN 33245').tokens).toEqual(['7', 'eleven']);
  });

  it('keeps a two-token descriptor whole even when its last word looks like a state', () => {
    expect(normalizeDescriptor('CLARO RD').tokens).toEqual(['claro', 'rd']);
    expect(normalizeDescriptor('EDEESTE SANTO DOMINGO DO').tokens).toEqual(['edeeste', 'santo', 'domingo']);
  });
});

describe('tokenize', () => {
  it('does not strip words that look like bank boilerplate, because rule phrases need them', () => {
    expect(tokenize('credit card payment')).toEqual(['credit', 'card', 'payment']);
  });
});
