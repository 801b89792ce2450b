import { describe, expect, it } from 'vitest';
import { holds } from './conditions.ts';
import { CONTENT_LIBRARY, PARTNER_OFFERS } from './content.ts';
import type { Signals } from './types.ts';

const empty: Signals = { window_days: 180, period: { from: '2025-05-25', to: '2025-11-21' }, currency: 'USD', missing: [] };

describe('content library and partner offers', () => {
  it('has at least 20 educational items with unique ids, for every persona', () => {
    expect(CONTENT_LIBRARY.length).toBeGreaterThanOrEqual(20);
    expect(new Set(CONTENT_LIBRARY.map((c) => c.id)).size).toBe(CONTENT_LIBRARY.length);
    for (const persona of [1, 2, 3, 4, 5] as const)
      expect(
        CONTENT_LIBRARY.some((c) => c.personas.includes(persona)),
        `persona ${persona}`,
      ).toBe(true);
  });

  it('keys every item and offer to conditions the evaluator reads', () => {
    for (const c of [...CONTENT_LIBRARY.flatMap((i) => i.signals), ...PARTNER_OFFERS.flatMap((o) => o.eligibility)])
      expect(() => holds(empty, c), c).not.toThrow();
  });

  it('names its partners as fictional', () => {
    for (const o of PARTNER_OFFERS) {
      expect(o.partner).toMatch(/fictional/i);
      expect(o.title).toMatch(/fictional/i);
      expect(o.body).toMatch(/fictional/i);
    }
  });

  it('evaluates conditions on signals, and a missing signal satisfies no comparison', () => {
    const s: Signals = { ...empty, credit: { utilization_rate: 0.62, cards_at_risk: [], minimum_payment_only: false, cards: [] } };
    expect(holds(s, 'credit.utilization_rate>=0.5')).toBe(true);
    expect(holds(s, 'credit.utilization_rate<0.3')).toBe(false);
    expect(holds(s, 'credit.cards_at_risk nonempty')).toBe(false);
    expect(holds(s, 'savings exists')).toBe(false);
    expect(holds(s, 'savings !exists')).toBe(true);
    expect(holds(s, 'savings.net_inflow>0')).toBe(false);
    expect(() => holds(s, 'credit utilization high')).toThrow(SyntaxError);
  });
});
