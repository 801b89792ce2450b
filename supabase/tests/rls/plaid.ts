/**
 * RLS matrix rows for linked Plaid items: members read their space's items;
 * nobody writes them through the API (the plaid-sync function does, as the
 * service role); the encrypted access tokens are the service role's alone.
 */
import { MEMBERS, type MatrixArea, type Subject } from '../support/rls-matrix.ts';

const plaidItems: Subject = {
  name: 'plaid_items',
  table: 'public.plaid_items',
  select: (fx) => ({ sql: `select id from public.plaid_items where id = $1`, params: [fx.rows.plaidItem] }),
  insert: (fx) => ({
    sql: `insert into public.plaid_items (space_id, item_id, institution_name) values ($1, 'item-probe', 'Probe Bank') returning id`,
    params: [fx.space.id],
  }),
  update: (fx) => ({ sql: `update public.plaid_items set sync_cursor = 'probe' where id = $1 returning id`, params: [fx.rows.plaidItem] }),
  delete: (fx) => ({ sql: `delete from public.plaid_items where id = $1 returning id`, params: [fx.rows.plaidItem] }),
};

const plaidItemTokens: Subject = {
  name: 'plaid_item_tokens (the encrypted access token)',
  table: 'private.plaid_item_tokens',
  select: (fx) => ({
    sql: `select plaid_item_id from private.plaid_item_tokens where plaid_item_id = $1`,
    params: [fx.rows.plaidItem],
  }),
  insert: (fx) => ({
    sql: `insert into private.plaid_item_tokens (plaid_item_id, access_token_ciphertext) values ($1, 'v1:AAAA:BBBB') returning plaid_item_id`,
    params: [fx.rows.spareItem],
  }),
  update: (fx) => ({
    sql: `update private.plaid_item_tokens set access_token_ciphertext = 'v1:CCCC:DDDD' where plaid_item_id = $1 returning plaid_item_id`,
    params: [fx.rows.plaidItem],
  }),
  delete: (fx) => ({
    sql: `delete from private.plaid_item_tokens where plaid_item_id = $1 returning plaid_item_id`,
    params: [fx.rows.plaidItem],
  }),
};

export const PLAID_AREA: MatrixArea = {
  async prepare(db, fx) {
    const items = await db.query<{ id: string }>(
      `insert into public.plaid_items (space_id, item_id, institution_name, linked_by)
       values ($1, 'item-linked', 'First Platypus Bank', $2), ($1, 'item-spare', 'Second Platypus Bank', $2) returning id`,
      [fx.space.id, fx.mate.id],
    );
    await db.query(`insert into private.plaid_item_tokens (plaid_item_id, access_token_ciphertext) values ($1, 'v1:AAAA:BBBB')`, [
      items[0]!.id,
    ]);
    fx.rows.plaidItem = items[0]!.id;
    fx.rows.spareItem = items[1]!.id;
  },
  rows: [
    [plaidItems, { select: [...MEMBERS, 'service_role'], insert: ['service_role'], update: ['service_role'], delete: ['service_role'] }],
    [plaidItemTokens, { select: ['service_role'], insert: ['service_role'], update: ['service_role'], delete: ['service_role'] }],
  ],
};
