/**
 * The ai-chat migration: the backend-only transcript append under a row lock,
 * the stable thread id, proposals decided once, the token usage, and
 * conversations people list, rename and archive through RLS.
 */
import {
  createSpace,
  createUser,
  expectSqlError,
  onRealServer,
  queryAs,
  serviceRole,
  spaceWithEveryRole,
  type TestUser,
  useTestDatabase,
} from '@wallai/testing';
import { describe, expect, it } from 'vitest';

const db = useTestDatabase();

async function conversationOf(u: TestUser, spaceId: string | null = null): Promise<{ id: string; thread_id: string }> {
  const [row] = await queryAs<{ id: string; thread_id: string }>(
    db(),
    u.actor,
    `insert into public.ai_conversations (space_id, title) values ($1, 'Chat') returning id, thread_id`,
    [spaceId],
  );
  if (!row) throw new Error('no conversation');
  return row;
}

const turn = (text: string) =>
  JSON.stringify([
    { role: 'user', content: [{ type: 'text', text }], created_at: new Date().toISOString(), tokens: { input: 3, output: 0 } },
    {
      role: 'assistant',
      content: [{ type: 'text', text: `Answer to ${text}` }],
      created_at: new Date().toISOString(),
      tokens: { input: 50, output: 9 },
    },
  ]);

async function append(conversation: string, owner: string, messages: string, tokens = 59, title: string | null = null) {
  return queryAs<{ n: number }>(db(), serviceRole, `select private.append_chat_turn($1, $2, $3::text::jsonb, $4, $5) as n`, [
    conversation,
    owner,
    messages,
    tokens,
    title,
  ]);
}

describe('the transcript append', () => {
  it('appends a turn, adds its tokens to the conversation and the monthly usage, and sets the title once', async () => {
    const alice = await createUser(db());
    const chat = await conversationOf(alice);
    await db().query(`update public.ai_conversations set title = null where id = $1`, [chat.id]);
    expect(await append(chat.id, alice.id, turn('one'), 59, 'First title')).toEqual([{ n: 2 }]);
    expect(await append(chat.id, alice.id, turn('two'), 41, 'Second title')).toEqual([{ n: 4 }]);
    const [row] = await db().query<{ title: string; total_tokens: number; n: number }>(
      `select title, total_tokens, jsonb_array_length(messages) as n from public.ai_conversations where id = $1`,
      [chat.id],
    );
    expect(row).toEqual({ title: 'First title', total_tokens: 100, n: 4 });
    const [used] = await queryAs<{ used: string }>(db(), serviceRole, `select private.chat_tokens_used($1)::text as used`, [alice.id]);
    expect(used?.used).toBe('100');
  });

  it("refuses someone else's conversation and messages that are not Messages API blocks", async () => {
    const alice = await createUser(db());
    const bob = await createUser(db());
    const chat = await conversationOf(alice);
    await expectSqlError(append(chat.id, bob.id, turn('x')), 'PT404');
    await expectSqlError(append(chat.id, alice.id, JSON.stringify([{ role: 'system', content: [] }])), '22023');
    await expectSqlError(append(chat.id, alice.id, JSON.stringify([{ role: 'assistant', content: [{ type: 'image' }] }])), '22023');
    await expectSqlError(append(chat.id, alice.id, '[]'), '22023');
    await expectSqlError(append(chat.id, alice.id, turn('x'), -1), '22023');
  });

  it('only the service role may call it or read the usage', async () => {
    const alice = await createUser(db());
    const chat = await conversationOf(alice);
    await expectSqlError(
      queryAs(db(), alice.actor, `select private.append_chat_turn($1, $2, $3::text::jsonb, 0)`, [chat.id, alice.id, turn('x')]),
      '42501',
    );
    await expectSqlError(queryAs(db(), alice.actor, `select private.chat_tokens_used($1)`, [alice.id]), '42501');
  });

  it('two tabs appending at once never lose a message (row lock)', async () => {
    const alice = await createUser(db());
    const chat = await conversationOf(alice);
    const tabs = onRealServer() ? [db().connectAgain({ max: 1 }), db().connectAgain({ max: 1 }), db().connectAgain({ max: 1 })] : [db()];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        queryAs(tabs[i % tabs.length]!, serviceRole, `select private.append_chat_turn($1, $2, $3::text::jsonb, 1)`, [
          chat.id,
          alice.id,
          turn(`tab ${i}`),
        ]),
      ),
    );
    const [row] = await db().query<{ n: number; total_tokens: number; questions: string[] }>(
      `select jsonb_array_length(messages) as n, total_tokens,
              array(select m -> 'content' -> 0 ->> 'text' from jsonb_array_elements(messages) m where m ->> 'role' = 'user' order by 1) as questions
         from public.ai_conversations where id = $1`,
      [chat.id],
    );
    expect(row?.n).toBe(24);
    expect(row?.total_tokens).toBe(12);
    expect(row?.questions).toEqual(Array.from({ length: 12 }, (_, i) => `tab ${i}`).sort());
  });
});

describe('thread_id', () => {
  it('is set at creation and never changes, whoever tries', async () => {
    const alice = await createUser(db());
    const chat = await conversationOf(alice);
    expect(chat.thread_id).toBe(`thread_${chat.id.replace(/-/g, '')}`);
    await expectSqlError(
      queryAs(db(), alice.actor, `update public.ai_conversations set thread_id = 'x' where id = $1`, [chat.id]),
      '42501',
    );
    await expectSqlError(
      queryAs(db(), serviceRole, `update public.ai_conversations set thread_id = 'x' where id = $1`, [chat.id]),
      '22023',
    );
  });
});

describe('proposals', () => {
  async function proposalFor(u: TestUser, options: { expired?: boolean } = {}) {
    const chat = await conversationOf(u);
    const [row] = await db().query<{ id: string }>(
      `insert into public.ai_proposals (id, conversation_id, user_id, tool_call_id, kind, payload, summary, created_at, expires_at)
       values (gen_random_uuid(), $1, $2, 'toolu_1', 'expense', '{"amount":"3.00"}', 'Add 3.00', now() - interval '2 days',
               case when $3 then now() - interval '1 hour' else now() + interval '1 hour' end) returning id`,
      [chat.id, u.id, options.expired ?? false],
    );
    return row!.id;
  }

  it('are decided once by their person, stamped with the time', async () => {
    const alice = await createUser(db());
    const id = await proposalFor(alice);
    const decided = await queryAs<{ status: string; decided: boolean }>(
      db(),
      alice.actor,
      `update public.ai_proposals set status = 'confirmed' where id = $1 returning status, decided_at is not null as decided`,
      [id],
    );
    expect(decided).toEqual([{ status: 'confirmed', decided: true }]);
    expect(await queryAs(db(), alice.actor, `update public.ai_proposals set status = 'declined' where id = $1 returning id`, [id])).toEqual(
      [],
    );
    await expectSqlError(queryAs(db(), serviceRole, `update public.ai_proposals set status = 'pending' where id = $1`, [id]), 'PT409');
  });

  it('an expired proposal can no longer be confirmed; a client cannot change what it says', async () => {
    const alice = await createUser(db());
    const expired = await proposalFor(alice, { expired: true });
    expect(
      await queryAs(db(), alice.actor, `update public.ai_proposals set status = 'confirmed' where id = $1 returning id`, [expired]),
    ).toEqual([]);
    const fresh = await proposalFor(alice);
    await expectSqlError(
      queryAs(db(), alice.actor, `update public.ai_proposals set payload = '{"amount":"9999.00"}' where id = $1`, [fresh]),
      '42501',
    );
    await expectSqlError(queryAs(db(), alice.actor, `update public.ai_proposals set status = 'pending' where id = $1`, [fresh]), '42501');
  });
});

describe('conversations through RLS', () => {
  it('people list, rename and archive their own conversations; nobody else reads them, not even the space owner', async () => {
    const { space, owner, member } = await spaceWithEveryRole(db());
    const first = await conversationOf(member, space.id);
    await conversationOf(member);
    await append(first.id, member.id, turn('hello'));
    const listed = await queryAs<{ id: string }>(
      db(),
      member.actor,
      `select id from public.ai_conversations where is_active order by last_message_at desc`,
    );
    expect(listed.map((r) => r.id)[0]).toBe(first.id);
    expect(listed).toHaveLength(2);
    await queryAs(db(), member.actor, `update public.ai_conversations set title = 'Renamed', is_active = false where id = $1`, [first.id]);
    const [after] = await queryAs<{ title: string; is_active: boolean }>(
      db(),
      member.actor,
      `select title, is_active from public.ai_conversations where id = $1`,
      [first.id],
    );
    expect(after).toEqual({ title: 'Renamed', is_active: false });
    expect(await queryAs(db(), owner.actor, `select id from public.ai_conversations where id = $1`, [first.id])).toEqual([]);
    expect(
      await queryAs(db(), owner.actor, `update public.ai_conversations set title = 'Mine now' where id = $1 returning id`, [first.id]),
    ).toEqual([]);
    const other = await createSpace(db());
    await expectSqlError(
      queryAs(db(), member.actor, `update public.ai_conversations set space_id = $2 where id = $1`, [first.id, other.id]),
      '42501',
    );
  });
});
