/**
 * The real @supabase/supabase-js against /rest/v1 on Wallai's own schema, the
 * way a frontend uses it: a member reads and writes their space, calls RPCs,
 * and RLS keeps everyone else out.
 */
import { anonKey, createExpense, spaceWithEveryRole, tokenFor, useTestDatabase, type SpaceWithEveryRole } from '@wallai/testing';
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestApi } from './handler.ts';
import { restApiFor, supabaseFor } from './test-support.ts';

const db = useTestDatabase();
let api: RestApi;
let people: SpaceWithEveryRole;
let asMember: SupabaseClient;
let asViewer: SupabaseClient;
let asOutsider: SupabaseClient;
let asAnon: SupabaseClient;

beforeAll(async () => {
  people = await spaceWithEveryRole(db());
  for (let day = 1; day <= 12; day += 1) {
    await createExpense(
      db(),
      people.space,
      {
        amount: `${day}.25`,
        description: `Lunch ${day}`,
        category: day % 2 ? 'dining' : 'groceries',
        date: `2025-10-${String(day).padStart(2, '0')}`,
      },
      day % 3 ? people.member : people.owner,
    );
  }
  api = await restApiFor(db());
  const anon = await anonKey();
  asMember = supabaseFor(api, anon, await tokenFor(people.member.actor));
  asViewer = supabaseFor(api, anon, await tokenFor(people.viewer.actor));
  asOutsider = supabaseFor(api, anon, await tokenFor(people.outsider.actor));
  asAnon = supabaseFor(api, anon);
});
afterAll(async () => {
  await api.close();
});

describe('reads', () => {
  it("a member's 50 latest expenses, newest first, with amounts as numbers", async () => {
    const { data, error, status } = await asMember
      .from('expenses')
      .select('*')
      .eq('space_id', people.space.id)
      .order('date', { ascending: false })
      .limit(50);
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toHaveLength(12);
    expect(data?.[0]).toMatchObject({ date: '2025-10-12', amount: 12.25, description: 'Lunch 12', space_id: people.space.id });
  });

  it('counts, pages and embeds the space and the creator', async () => {
    const { data, count, error } = await asMember
      .from('expenses')
      .select('description, amount, space:spaces(name), creator:users!created_by(id)', { count: 'exact' })
      .eq('category', 'dining')
      .order('date')
      .range(1, 2);
    expect(error).toBeNull();
    expect(count).toBe(6);
    expect(data).toEqual([
      { description: 'Lunch 3', amount: 3.25, space: { name: 'Fixture flat' }, creator: { id: people.owner.id } },
      { description: 'Lunch 5', amount: 5.25, space: { name: 'Fixture flat' }, creator: { id: people.member.id } },
    ]);
  });

  it('single(), maybeSingle(), csv() and head counts', async () => {
    const one = await asMember.from('spaces').select('id, name').eq('id', people.space.id).single();
    expect(one.data).toEqual({ id: people.space.id, name: 'Fixture flat' });
    const none = await asOutsider.from('spaces').select('id').eq('id', people.space.id).maybeSingle();
    expect(none).toMatchObject({ data: null, error: null });
    const tooMany = await asMember.from('expenses').select('id').single();
    expect(tooMany.error).toMatchObject({ code: 'PGRST116' });
    expect(tooMany.status).toBe(406);
    const csv = await asMember.from('expenses').select('description').eq('description', 'Lunch 1').csv();
    // Postgres' record text quotes values with spaces, and so does PostgREST's CSV.
    expect(csv.data).toBe('description\n"Lunch 1"');
    const head = await asMember.from('expenses').select('*', { count: 'exact', head: true });
    expect(head).toMatchObject({ count: 12, data: null, error: null });
  });

  it('filters as the SDK writes them: in, ilike, or, not, match', async () => {
    const { data } = await asMember
      .from('expenses')
      .select('description')
      .in('category', ['dining'])
      .ilike('description', 'lunch 1%')
      .or('amount.lt.2,amount.gt.11')
      .not('description', 'eq', 'Lunch 12')
      .match({ space_id: people.space.id })
      .order('description');
    expect(data).toEqual([{ description: 'Lunch 1' }, { description: 'Lunch 11' }]);
  });

  it('RLS: outsiders see nothing of the space; anon has no grant at all (401 42501)', async () => {
    expect((await asOutsider.from('expenses').select('id').eq('space_id', people.space.id)).data).toEqual([]);
    const anon = await asAnon.from('expenses').select('id');
    expect(anon.status).toBe(401);
    expect(anon.error).toMatchObject({ code: '42501' });
  });
});

describe('writes', () => {
  it('a member adds, edits and deletes an expense; a viewer cannot add one', async () => {
    const added = await asMember
      .from('expenses')
      .insert({ space_id: people.space.id, amount: 9.99, description: 'Cinema', category: 'entertainment' })
      .select('id, amount, created_by')
      .single();
    expect(added.error).toBeNull();
    expect(added.status).toBe(201);
    expect(added.data).toMatchObject({ amount: 9.99, created_by: people.member.id });
    const id = (added.data as { id: string }).id;

    const edited = await asMember.from('expenses').update({ notes: 'with Bob' }).eq('id', id).select('notes');
    expect(edited.data).toEqual([{ notes: 'with Bob' }]);

    const denied = await asViewer.from('expenses').insert({ space_id: people.space.id, amount: 1, description: 'Nope' });
    expect(denied.error).toMatchObject({ code: '42501' });
    expect(denied.status).toBe(403);

    const removed = await asMember.from('expenses').delete().eq('id', id);
    expect(removed).toMatchObject({ error: null, status: 204 });
    expect((await db().query(`select 1 from public.expenses where id = $1`, [id])).length).toBe(0);
  });

  it('a check constraint is 400 23514 with Postgres’ message', async () => {
    const res = await asMember.from('expenses').insert({ space_id: people.space.id, amount: -1, description: 'Refund?' });
    expect(res.status).toBe(400);
    expect(res.error).toMatchObject({ code: '23514' });
  });
});

describe('rpc', () => {
  it('space_balances (RETURNS TABLE) answers rows; a space one is not in is PT404 → 404', async () => {
    const balances = await asMember.rpc('space_balances', { space_id: people.space.id });
    expect(balances.error).toBeNull();
    expect(Array.isArray(balances.data)).toBe(true);
    const foreign = await asOutsider.rpc('space_balances', { space_id: people.space.id });
    expect(foreign.status).toBe(404);
    expect(foreign.error).toMatchObject({ code: 'PT404', message: 'space not found' });
  });

  it('join_space by invite code, and GET for a stable function', async () => {
    const joined = await asOutsider.rpc('join_space', { invite_code: people.space.inviteCode });
    expect(joined).toMatchObject({ error: null, data: people.space.id });
    const categories = await asMember.rpc('month_categories', { space_id: people.space.id }, { get: true });
    expect(categories.error).toBeNull();
    expect(Array.isArray(categories.data)).toBe(true);
  });
});
