/** RLS matrix rows for the bank layer: imports, bank_accounts, bank_transactions, and original files in the imports bucket. */
import { queryAs } from '@wallai/testing';
import { MEMBERS, type MatrixArea, type Subject } from '../support/rls-matrix.ts';

const WRITERS = ['member', 'admin', 'owner'] as const;
const MANAGERS = ['admin', 'owner'] as const;

/** The mate's import: members read it, admins and owners may update it too; nobody deletes through the API. */
const imports: Subject = {
  name: "imports (a space-mate's)",
  table: 'public.imports',
  select: (fx) => ({ sql: `select id from public.imports where id = $1`, params: [fx.rows.import] }),
  insert: (fx) => ({
    sql: `insert into public.imports (space_id, file_name, file_type) values ($1, 'probe.csv', 'csv') returning id`,
    params: [fx.space.id],
  }),
  update: (fx) => ({ sql: `update public.imports set status = 'processing' where id = $1 returning id`, params: [fx.rows.import] }),
  delete: (fx) => ({ sql: `delete from public.imports where id = $1 returning id`, params: [fx.rows.import] }),
};

const bankAccounts: Subject = {
  name: 'bank_accounts',
  table: 'public.bank_accounts',
  select: (fx) => ({ sql: `select id from public.bank_accounts where id = $1`, params: [fx.rows.bankAccount] }),
  insert: (fx) => ({
    sql: `insert into public.bank_accounts (space_id, external_id, name, type, currency) values ($1, 'probe-acct', 'Probe', 'depository', 'USD') returning id`,
    params: [fx.space.id],
  }),
  update: (fx) => ({ sql: `update public.bank_accounts set name = 'Probe' where id = $1 returning id`, params: [fx.rows.bankAccount] }),
  delete: (fx) => ({ sql: `delete from public.bank_accounts where id = $1 returning id`, params: [fx.rows.bankAccount] }),
};

const bankTransactions: Subject = {
  name: 'bank_transactions',
  table: 'public.bank_transactions',
  select: (fx) => ({ sql: `select id from public.bank_transactions where id = $1`, params: [fx.rows.bankTransaction] }),
  insert: (fx) => ({
    sql: `insert into public.bank_transactions (space_id, account_id, content_key, date, amount, currency, description, kind)
          values ($1, $2, 'probe', '2025-10-02', -5, 'USD', 'Probe refund', 'refund') returning id`,
    params: [fx.space.id, fx.rows.bankAccount],
  }),
  update: (fx) => ({
    sql: `update public.bank_transactions set merchant_name = 'Probe' where id = $1 returning id`,
    params: [fx.rows.bankTransaction],
  }),
  delete: (fx) => ({ sql: `delete from public.bank_transactions where id = $1 returning id`, params: [fx.rows.bankTransaction] }),
};

/** The original file of the mate's import, at <space_id>/<import_id>/<file>: members read it, the uploader or a manager changes it. */
const importFile = (fx: { space: { id: string }; rows: Record<string, string> }, file = 'statement.csv') =>
  `${fx.space.id}/${fx.rows.import}/${file}`;

const importFiles: Subject = {
  name: "import files (a space-mate's import)",
  table: 'storage.objects',
  select: (fx) => ({ sql: `select id from storage.objects where bucket_id = 'imports' and name = $1`, params: [importFile(fx)] }),
  insert: (fx) => ({
    sql: `insert into storage.objects (bucket_id, name) values ('imports', $1) returning id`,
    params: [importFile(fx, 'probe.csv')],
  }),
  update: (fx) => ({
    sql: `update storage.objects set metadata = '{"probe":true}' where bucket_id = 'imports' and name = $1 returning id`,
    params: [importFile(fx)],
  }),
  delete: (fx) => ({ sql: `delete from storage.objects where bucket_id = 'imports' and name = $1 returning id`, params: [importFile(fx)] }),
};

export const BANK_AREA: MatrixArea = {
  async prepare(db, fx) {
    const [upload] = await queryAs<{ id: string }>(
      db,
      fx.mate.actor,
      `insert into public.imports (space_id, file_name, file_type) values ($1, 'statement.csv', 'csv') returning id`,
      [fx.space.id],
    );
    const [account] = await queryAs<{ id: string }>(
      db,
      fx.mate.actor,
      `insert into public.bank_accounts (space_id, external_id, name, type, currency, current_balance)
       values ($1, 'acct-1', 'Checking', 'depository', 'USD', 1200) returning id`,
      [fx.space.id],
    );
    const [line] = await queryAs<{ id: string }>(
      db,
      fx.mate.actor,
      `insert into public.bank_transactions (space_id, account_id, import_id, content_key, date, amount, currency, description, kind)
       values ($1, $2, $3, 'acct-1|2025-10-01|-250000|USD|salary', '2025-10-01', -2500, 'USD', 'SALARY OCT', 'income') returning id`,
      [fx.space.id, account!.id, upload!.id],
    );
    fx.rows.import = upload!.id;
    await db.query(`insert into storage.objects (bucket_id, name, owner) values ('imports', $1, $2)`, [
      `${fx.space.id}/${upload!.id}/statement.csv`,
      fx.mate.id,
    ]);
    fx.rows.bankAccount = account!.id;
    fx.rows.bankTransaction = line!.id;
  },
  rows: [
    [
      imports,
      {
        select: [...MEMBERS, 'service_role'],
        insert: [...WRITERS, 'service_role'],
        update: [...MANAGERS, 'service_role'],
        delete: ['service_role'],
      },
    ],
    [
      importFiles,
      {
        select: [...MEMBERS, 'service_role'],
        insert: [...MANAGERS, 'service_role'],
        update: [...MANAGERS, 'service_role'],
        delete: [...MANAGERS, 'service_role'],
      },
    ],
    [
      bankAccounts,
      {
        select: [...MEMBERS, 'service_role'],
        insert: [...WRITERS, 'service_role'],
        update: [...WRITERS, 'service_role'],
        delete: [...MANAGERS, 'service_role'],
      },
    ],
    [
      bankTransactions,
      {
        select: [...MEMBERS, 'service_role'],
        insert: [...WRITERS, 'service_role'],
        update: [...WRITERS, 'service_role'],
        delete: [...WRITERS, 'service_role'],
      },
    ],
  ],
};
