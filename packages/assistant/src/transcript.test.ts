import { describe, expect, it } from 'vitest';
import { titleFrom, trimHistory, turnsOf, type StoredMessage } from './transcript.ts';

const at = '2025-10-20T10:00:00.000Z';
const tokens = { input: 1, output: 1 };
function turn(n: number, withTools: boolean): StoredMessage[] {
  const q: StoredMessage = { role: 'user', content: [{ type: 'text', text: `question ${n} ${'x'.repeat(40)}` }], created_at: at, tokens };
  const a: StoredMessage = { role: 'assistant', content: [{ type: 'text', text: `answer ${n}` }], created_at: at, tokens };
  if (!withTools) return [q, a];
  return [
    q,
    { role: 'assistant', content: [{ type: 'tool_use', id: `t${n}`, name: 'balances', input: {} }], created_at: at, tokens },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${n}`, content: 'r'.repeat(400) }], created_at: at, tokens },
    a,
  ];
}

describe('history', () => {
  it('groups a transcript into turns', () => {
    expect(turnsOf([...turn(1, true), ...turn(2, false)]).map((t) => t.length)).toEqual([4, 2]);
  });

  it('keeps the newest turns whole and collapses older ones to question and answer', () => {
    const trimmed = trimHistory([...turn(1, true), ...turn(2, true), ...turn(3, true)], 100_000, 2);
    expect(trimmed.messages.map((m) => m.content.map((b) => b.type).join('+'))).toEqual([
      'text',
      'text',
      'text',
      'tool_use',
      'tool_result',
      'text',
      'text',
      'tool_use',
      'tool_result',
      'text',
    ]);
    expect(trimmed.turnsDropped).toBe(0);
  });

  it('drops the oldest turns to fit the budget, and always starts with a user message', () => {
    const trimmed = trimHistory([...turn(1, true), ...turn(2, true), ...turn(3, false)], 160, 2);
    expect(trimmed.turnsDropped).toBeGreaterThanOrEqual(1);
    expect(trimmed.messages[0]?.role).toBe('user');
    expect(JSON.stringify(trimmed.messages)).toContain('question 3');
    expect(JSON.stringify(trimmed.messages)).not.toContain('question 1');
  });

  it('titles come from the first question', () => {
    expect(titleFrom('  How much   did we spend? ')).toBe('How much did we spend?');
    expect(titleFrom('word '.repeat(30)).length).toBeLessThanOrEqual(61);
  });
});
