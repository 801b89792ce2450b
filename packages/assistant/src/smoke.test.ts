import { readSeed, transactionsAs } from '@wallai/db-client';
import { claimsFor, useTestDatabase, user } from '@wallai/testing';
import { it } from 'vitest';
import { createChatService } from './service.ts';

const db = useTestDatabase();
it('smoke', async () => {
  await db().exec(readSeed()!);
  const alice = user('a11ce000-0000-4000-8000-000000000001');
  const svc = createChatService({
    asUser: transactionsAs(db(), claimsFor(alice) as never),
    backend: transactionsAs(db(), { role: 'service_role' }),
    model: null,
  });
  for (const q of ['How much did we spend on groceries this month?', 'Who owes whom?', 'What are our subscriptions?', 'Are we on track with the budget?', 'What were our 3 biggest expenses last month?', 'Spending by category this month', 'How much did Bob spend in total last month compared to the month before?', 'tell me a joke']) {
    const turn = await svc.open(alice.role === 'authenticated' ? alice.userId : '', { message: q, spaceId: q.includes('owes') ? '5ace0000-0000-4000-8000-00000000000b' : '5ace0000-0000-4000-8000-00000000000a' });
    const r = await turn.run(() => {});
    console.log('Q:', q, '\n', r.answer, '\n', JSON.stringify(r.trace.citations).slice(0, 300), r.trace.removed, r.trace.tool_calls.map((c) => [c.name, c.ms, c.error]));
  }
});
