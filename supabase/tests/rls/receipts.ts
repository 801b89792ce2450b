/** RLS matrix rows for receipt files in the private `receipts` storage bucket. */
import { MEMBERS, type ActorName, type MatrixArea, type MatrixFixture, type Subject } from '../support/rls-matrix.ts';

const WRITERS = ['member', 'admin', 'owner'] as const;
const MANAGERS = ['admin', 'owner'] as const;

/** Expenses are created by the money area's prepare; receipts hang off them. */
function expenseOf(fx: MatrixFixture, actor: ActorName | 'mate'): string {
  return fx.rows[`expense:${actor}`] ?? fx.rows['expense:mate']!;
}

function receiptSubject(name: string, expenseFor: (fx: MatrixFixture, actor: ActorName) => string): Subject {
  const path = (fx: MatrixFixture, actor: ActorName) => `${fx.space.id}/${expenseFor(fx, actor)}/receipt.jpg`;
  return {
    name,
    table: 'storage.objects',
    select: (fx, a) => ({ sql: `select id from storage.objects where bucket_id = 'receipts' and name = $1`, params: [path(fx, a)] }),
    insert: (fx, a) => ({
      sql: `insert into storage.objects (bucket_id, name) values ('receipts', $1) returning id`,
      params: [`${fx.space.id}/${expenseFor(fx, a)}/second-page.jpg`],
    }),
    update: (fx, a) => ({
      sql: `update storage.objects set metadata = '{"probe":true}' where bucket_id = 'receipts' and name = $1 returning id`,
      params: [path(fx, a)],
    }),
    delete: (fx, a) => ({
      sql: `delete from storage.objects where bucket_id = 'receipts' and name = $1 returning id`,
      params: [path(fx, a)],
    }),
  };
}

export const RECEIPTS_AREA: MatrixArea = {
  async prepare(db, fx) {
    for (const who of ['member', 'admin', 'owner', 'mate'] as const) {
      await db.query(`insert into storage.objects (bucket_id, name, owner) values ('receipts', $1, $2)`, [
        `${fx.space.id}/${expenseOf(fx, who)}/receipt.jpg`,
        fx[who].id,
      ]);
    }
  },
  rows: [
    [
      receiptSubject('receipts (own expense)', (fx, a) => expenseOf(fx, a)),
      {
        select: [...MEMBERS, 'service_role'],
        insert: [...WRITERS, 'service_role'],
        update: [...WRITERS, 'service_role'],
        delete: [...WRITERS, 'service_role'],
      },
    ],
    [
      receiptSubject("receipts (a space-mate's expense)", (fx) => expenseOf(fx, 'mate')),
      {
        select: [...MEMBERS, 'service_role'],
        insert: [...MANAGERS, 'service_role'],
        update: [...MANAGERS, 'service_role'],
        delete: [...MANAGERS, 'service_role'],
      },
    ],
  ],
};
