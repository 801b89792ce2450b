/**
 * The demo's activity feed: Alice reads the space's feed with
 * rpc('space_activity') — every change the tour made to shared money, who
 * made it, through which path — oldest first. Lines an import wrote are
 * counted under that import rather than printed one by one. Then the step
 * checks the feed against the space's rows (every expense, split,
 * membership, budget and item the space holds has its insert in the feed)
 * and fails loudly if one is missing.
 */
import type { DemoContext, DemoStep } from './supabase-steps.ts';

interface FeedEntry {
  id: number;
  occurred_at: string;
  path: string;
  via: string | null;
  table_name: string;
  row_id: string | null;
  operation: 'insert' | 'update' | 'delete';
  summary: string;
}

const PAGE = 200;

/** The whole feed, oldest first, paging back with before_id. */
async function wholeFeed(ctx: DemoContext, spaceId: string): Promise<FeedEntry[]> {
  const entries: FeedEntry[] = [];
  let before: number | null = null;
  for (;;) {
    const { data, error } = await ctx
      .client('alice')
      .rpc('space_activity', { space_id: spaceId, max_results: PAGE, ...(before === null ? {} : { before_id: before }) });
    if (error) throw new Error(`space_activity failed: ${error.code ?? ''} ${error.message}`);
    const page = data as FeedEntry[];
    entries.push(...page);
    if (page.length < PAGE) return entries.reverse();
    before = page.at(-1)!.id;
  }
}

/** Ids of the space's rows per audited table, read as Alice through REST. */
async function spaceRows(ctx: DemoContext, spaceId: string): Promise<Record<string, string[]>> {
  const client = ctx.client('alice');
  const ids = async (table: string, query: PromiseLike<{ data: { id: string }[] | null; error: { message: string } | null }>) => {
    const { data, error } = await query;
    if (error) throw new Error(`reading ${table} failed: ${error.message}`);
    return (data ?? []).map((r) => r.id);
  };
  const expenses = await ids('expenses', client.from('expenses').select('id').eq('space_id', spaceId));
  const budgets = await ids('budgets', client.from('budgets').select('id').eq('space_id', spaceId));
  return {
    space_members: await ids('space_members', client.from('space_members').select('id').eq('space_id', spaceId)),
    budgets,
    budget_items: await ids('budget_items', client.from('budget_items').select('id').in('budget_id', budgets)),
    expenses,
    expense_splits: await ids('expense_splits', client.from('expense_splits').select('id').in('expense_id', expenses)),
    settlements: await ids('settlements', client.from('settlements').select('id').eq('space_id', spaceId)),
  };
}

export const activityStep: DemoStep = async (ctx) => {
  const space = ctx.state.space;
  if (!space) throw new Error('the activity step needs the space');
  ctx.heading('The activity feed: every change to the shared money, and who made it');
  const feed = await wholeFeed(ctx, space.id);
  ctx.say(`supabase.rpc('space_activity', { space_id }) pages back through ${feed.length} changes; oldest first:`);
  const importLines = new Map<string, number>();
  for (const e of feed)
    if (e.path === 'import' && e.table_name !== 'imports' && e.via) importLines.set(e.via, (importLines.get(e.via) ?? 0) + 1);
  for (const e of feed) {
    if (e.path === 'import' && e.table_name !== 'imports') continue;
    const time = new Date(e.occurred_at).toISOString().slice(11, 19);
    const lines = e.table_name === 'imports' && e.operation === 'insert' && e.row_id ? importLines.get(e.row_id) : undefined;
    ctx.say(`${time} [${e.path}${e.via ? ` ${e.via.length > 24 ? `${e.via.slice(0, 8)}…` : e.via}` : ''}] ${e.summary}`);
    if (lines) ctx.say(`         … and ${lines} changes this import wrote (the expenses it created), each an entry of the feed too`);
  }

  const rows = await spaceRows(ctx, space.id);
  const inserted = new Set(feed.filter((e) => e.operation === 'insert').map((e) => `${e.table_name}:${e.row_id}`));
  const missing = Object.entries(rows).flatMap(([table, ids]) =>
    ids.filter((id) => !inserted.has(`${table}:${id}`)).map((id) => `${table} ${id}`),
  );
  if (missing.length > 0) throw new Error(`the feed misses ${missing.length} row(s): ${missing.slice(0, 5).join(', ')}`);
  const counted = Object.entries(rows)
    .filter(([, ids]) => ids.length > 0)
    .map(([table, ids]) => `${ids.length} ${table}`)
    .join(', ');
  ctx.say(`Checked against the space's rows: every one of its ${counted} has its entry. Nobody can edit or delete the log.`);
};
