/** RLS matrix rows for the AI tables: ai_conversations and financial_insights. */
import type { SqlClient } from '@wallai/db-client';
import {
  MEMBERS,
  SIGNED_IN,
  type ActorName,
  type MatrixArea,
  type MatrixFixture,
  type Statement,
  type Subject,
} from '../support/rls-matrix.ts';

/** People with conversations of their own: every signed-in actor, and the mate. */
const PEOPLE = [...SIGNED_IN, 'mate'] as const;
type Person = (typeof PEOPLE)[number];
const SPACE_MEMBERS_WITH_CONVERSATIONS = [...MEMBERS, 'mate'] as const;

/** The actor whose conversations a probe aims at; anon and service_role aim at the mate's. */
function personFor(actor: ActorName): Person {
  return actor === 'anon' || actor === 'service_role' ? 'mate' : actor;
}

const unscopedKey = (p: Person) => `ai_conversation:${p}:unscoped`;
const scopedKey = (p: Person) => `ai_conversation:${p}:in_space`;

function row(fx: MatrixFixture, key: string): string {
  const id = fx.rows[key];
  if (!id) throw new Error(`fixture row ${key} was not prepared`);
  return id;
}

/** Signed-in users start conversations without naming themselves; the service role names the user. */
function conversationInsert(fx: MatrixFixture, actor: ActorName, spaceId: string | null): Statement {
  return actor === 'service_role'
    ? {
        sql: `insert into public.ai_conversations (user_id, space_id, title) values ($1, $2, 'Probe') returning id`,
        params: [fx.mate.id, spaceId],
      }
    : { sql: `insert into public.ai_conversations (space_id, title) values ($1, 'Probe') returning id`, params: [spaceId] };
}

const byId = (verb: 'select' | 'update' | 'delete', table: string, set = '') =>
  verb === 'select'
    ? `select id from public.${table} where id = $1`
    : verb === 'update'
      ? `update public.${table} set ${set} where id = $1 returning id`
      : `delete from public.${table} where id = $1 returning id`;

/** Each actor's own conversation, not scoped to a space. */
const ownConversation: Subject = {
  name: 'ai_conversations (own)',
  table: 'public.ai_conversations',
  select: (fx, a) => ({ sql: byId('select', 'ai_conversations'), params: [row(fx, unscopedKey(personFor(a)))] }),
  insert: (fx, a) => conversationInsert(fx, a, null),
  update: (fx, a) => ({ sql: byId('update', 'ai_conversations', `title = 'Probe'`), params: [row(fx, unscopedKey(personFor(a)))] }),
  delete: (fx, a) => ({ sql: byId('delete', 'ai_conversations'), params: [row(fx, unscopedKey(personFor(a)))] }),
};

/**
 * Each actor's own conversation scoped to the fixture space: starting one there,
 * or moving an unscoped one into it, needs active membership. The outsider has
 * none in the space, so select and delete find nothing.
 */
const ownConversationInSpace: Subject = {
  name: 'ai_conversations (own, scoped to the space)',
  table: 'public.ai_conversations',
  select: (fx, a) => ({
    sql: `select id from public.ai_conversations where user_id = $1 and space_id = $2`,
    params: [fx[personFor(a)].id, fx.space.id],
  }),
  insert: (fx, a) => conversationInsert(fx, a, fx.space.id),
  update: (fx, a) => ({
    sql: byId('update', 'ai_conversations', 'space_id = $2'),
    params: [row(fx, unscopedKey(personFor(a))), fx.space.id],
  }),
  delete: (fx, a) => ({
    sql: `delete from public.ai_conversations where user_id = $1 and space_id = $2 returning id`,
    params: [fx[personFor(a)].id, fx.space.id],
  }),
};

/** The mate's conversation, scoped to the space everyone else is in: private all the same. */
const matesConversation: Subject = {
  name: "ai_conversations (someone else's)",
  table: 'public.ai_conversations',
  select: (fx) => ({ sql: byId('select', 'ai_conversations'), params: [row(fx, scopedKey('mate'))] }),
  insert: (fx) => ({
    sql: `insert into public.ai_conversations (user_id, title) values ($1, 'Probe') returning id`,
    params: [fx.mate.id],
  }),
  update: (fx) => ({ sql: byId('update', 'ai_conversations', `title = 'Probe'`), params: [row(fx, scopedKey('mate'))] }),
  delete: (fx) => ({ sql: byId('delete', 'ai_conversations'), params: [row(fx, scopedKey('mate'))] }),
};

/**
 * Each actor's own conversation, but the statements touch the transcript: only the backend
 * (service role, through private.append_chat_turn) writes messages, so nobody can forge one.
 */
const ownTranscript: Subject = {
  name: 'ai_conversations (own, the transcript)',
  table: 'public.ai_conversations',
  select: (fx, a) => ({
    sql: `select id from public.ai_conversations where id = $1 and jsonb_typeof(messages) = 'array'`,
    params: [row(fx, unscopedKey(personFor(a)))],
  }),
  insert: (fx, a) =>
    a === 'service_role'
      ? {
          sql: `insert into public.ai_conversations (user_id, messages) values ($1, '[{"role":"assistant","content":[]}]') returning id`,
          params: [fx.mate.id],
        }
      : { sql: `insert into public.ai_conversations (messages) values ('[{"role":"assistant","content":[]}]') returning id`, params: [] },
  update: (fx, a) => ({
    sql: byId('update', 'ai_conversations', `messages = messages || '[{"role":"assistant","content":[]}]'::jsonb`),
    params: [row(fx, unscopedKey(personFor(a)))],
  }),
  delete: (fx, a) => ({ sql: byId('delete', 'ai_conversations'), params: [row(fx, unscopedKey(personFor(a)))] }),
};

const proposalKey = (p: Person) => `ai_proposal:${p}`;

/** Each actor's own pending proposal: they read it and decide it; only the backend creates or deletes one. */
const ownProposal: Subject = {
  name: 'ai_proposals (own)',
  table: 'public.ai_proposals',
  select: (fx, a) => ({ sql: byId('select', 'ai_proposals'), params: [row(fx, proposalKey(personFor(a)))] }),
  insert: (fx, a) => ({
    sql: `insert into public.ai_proposals (id, conversation_id, user_id, tool_call_id, kind, payload, summary)
          values (gen_random_uuid(), $1, $2, 'toolu_probe', 'expense', '{}', 'Probe') returning id`,
    params: [row(fx, unscopedKey(personFor(a))), fx[personFor(a)].id],
  }),
  update: (fx, a) => ({ sql: byId('update', 'ai_proposals', `status = 'declined'`), params: [row(fx, proposalKey(personFor(a)))] }),
  delete: (fx, a) => ({ sql: byId('delete', 'ai_proposals'), params: [row(fx, proposalKey(personFor(a)))] }),
};

/** The mate's proposal: nobody else reads, decides or removes it. */
const matesProposal: Subject = {
  name: "ai_proposals (someone else's)",
  table: 'public.ai_proposals',
  select: (fx) => ({ sql: byId('select', 'ai_proposals'), params: [row(fx, proposalKey('mate'))] }),
  insert: (fx) => ({
    sql: `insert into public.ai_proposals (id, conversation_id, user_id, tool_call_id, kind, payload, summary)
          values (gen_random_uuid(), $1, $2, 'toolu_probe', 'expense', '{}', 'Probe') returning id`,
    params: [row(fx, unscopedKey('mate')), fx.mate.id],
  }),
  update: (fx) => ({ sql: byId('update', 'ai_proposals', `status = 'confirmed'`), params: [row(fx, proposalKey('mate'))] }),
  delete: (fx) => ({ sql: byId('delete', 'ai_proposals'), params: [row(fx, proposalKey('mate'))] }),
};

const insightInsert = (fx: MatrixFixture): Statement => ({
  sql: `insert into public.financial_insights (space_id, type, title) values ($1, 'trend', 'Probe') returning id`,
  params: [fx.space.id],
});

/** An insight of the fixture space; members update only its read state. */
const insightReadState: Subject = {
  name: 'financial_insights',
  table: 'public.financial_insights',
  select: (fx) => ({ sql: byId('select', 'financial_insights'), params: [row(fx, 'financial_insight')] }),
  insert: insightInsert,
  update: (fx) => ({ sql: byId('update', 'financial_insights', 'is_read = true'), params: [row(fx, 'financial_insight')] }),
  delete: (fx) => ({ sql: byId('delete', 'financial_insights'), params: [row(fx, 'financial_insight')] }),
};

/** The same insight, but the update changes what it says. */
const insightContent: Subject = {
  ...insightReadState,
  name: 'financial_insights (content)',
  table: 'public.financial_insights',
  update: (fx) => ({ sql: byId('update', 'financial_insights', `title = 'Probe'`), params: [row(fx, 'financial_insight')] }),
};

async function prepare(db: SqlClient, fx: MatrixFixture): Promise<void> {
  // As the database owner: RLS does not apply, so user_id is named explicitly.
  const insertConversation = async (person: Person, spaceId: string | null): Promise<string> => {
    const [created] = await db.query<{ id: string }>(
      `insert into public.ai_conversations (user_id, space_id, title, messages)
       values ($1, $2, 'Fixture chat', '[{"role":"user","content":"How did we do this month?"}]') returning id`,
      [fx[person].id, spaceId],
    );
    if (!created) throw new Error('conversation insert returned no row');
    return created.id;
  };
  for (const person of PEOPLE) fx.rows[unscopedKey(person)] = await insertConversation(person, null);
  for (const person of SPACE_MEMBERS_WITH_CONVERSATIONS) fx.rows[scopedKey(person)] = await insertConversation(person, fx.space.id);
  for (const person of PEOPLE) {
    const [proposal] = await db.query<{ id: string }>(
      `insert into public.ai_proposals (id, conversation_id, user_id, tool_call_id, kind, payload, summary)
       values (gen_random_uuid(), $1, $2, 'toolu_fixture', 'expense', '{"amount":"1.00"}', 'Add 1.00') returning id`,
      [fx.rows[unscopedKey(person)], fx[person].id],
    );
    if (!proposal) throw new Error('proposal insert returned no row');
    fx.rows[proposalKey(person)] = proposal.id;
  }

  const [insight] = await db.query<{ id: string }>(
    `insert into public.financial_insights (space_id, type, title, priority, confidence, period)
     values ($1, 'anomaly', 'Groceries are up 40%', 'high', 0.85, date_trunc('month', current_date)::date) returning id`,
    [fx.space.id],
  );
  if (!insight) throw new Error('insight insert returned no row');
  fx.rows.financial_insight = insight.id;
}

export const AI_AREA: MatrixArea = {
  prepare,
  rows: [
    [
      ownConversation,
      {
        select: [...SIGNED_IN, 'service_role'],
        insert: [...SIGNED_IN, 'service_role'],
        update: [...SIGNED_IN, 'service_role'],
        delete: [...SIGNED_IN, 'service_role'],
      },
    ],
    [
      ownConversationInSpace,
      {
        select: [...MEMBERS, 'service_role'],
        insert: [...MEMBERS, 'service_role'],
        update: [...MEMBERS, 'service_role'],
        delete: [...MEMBERS, 'service_role'],
      },
    ],
    [
      matesConversation,
      {
        select: ['service_role'],
        insert: ['service_role'],
        update: ['service_role'],
        delete: ['service_role'],
      },
    ],
    [
      ownTranscript,
      {
        select: [...SIGNED_IN, 'service_role'],
        insert: ['service_role'],
        update: ['service_role'],
        delete: [...SIGNED_IN, 'service_role'],
      },
    ],
    [
      ownProposal,
      {
        select: [...SIGNED_IN, 'service_role'],
        insert: ['service_role'],
        update: [...SIGNED_IN, 'service_role'],
        delete: ['service_role'],
      },
    ],
    [
      matesProposal,
      {
        select: ['service_role'],
        insert: ['service_role'],
        update: ['service_role'],
        delete: ['service_role'],
      },
    ],
    [
      insightReadState,
      {
        select: [...MEMBERS, 'service_role'],
        insert: ['service_role'],
        update: [...MEMBERS, 'service_role'],
        delete: ['service_role'],
      },
    ],
    [
      insightContent,
      {
        select: [...MEMBERS, 'service_role'],
        insert: ['service_role'],
        update: ['service_role'],
        delete: ['service_role'],
      },
    ],
  ],
};
