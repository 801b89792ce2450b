import type { Queryable, SqlClient } from '@wallai/db-client';
import {
  type Actor,
  addMember,
  anon,
  createOperator,
  probeAs,
  serviceRole,
  spaceWithEveryRole,
  type SpaceWithEveryRole,
  type TestUser,
} from '@wallai/testing';

/**
 * `operator`: a signed-in person in no space whose JWT says app_metadata.role
 * operator (they review recommendations); everywhere else they are an outsider.
 */
export const ACTORS = ['anon', 'outsider', 'viewer', 'member', 'admin', 'owner', 'operator', 'service_role'] as const;
export type ActorName = (typeof ACTORS)[number];
export const OPERATIONS = ['select', 'insert', 'update', 'delete'] as const;
export type Operation = (typeof OPERATIONS)[number];
export type Outcome = 'allowed' | 'denied';

/** The people every cell is probed with: one per role, an outsider, and a space-mate whose rows are the targets. */
export interface MatrixFixture extends SpaceWithEveryRole {
  /** Another member of the space, owner of the rows the probes aim at. */
  mate: TestUser;
  /** Signed in, in no space, with app_metadata.role operator: reviews recommendations. */
  operator: TestUser;
  /** Ids of rows that area fixtures created for the probes to aim at (an expense, a budget...). */
  rows: Record<string, string>;
}

export interface Statement {
  sql: string;
  params?: readonly unknown[];
  /** Runs first, as the database owner, inside the probe's transaction. */
  setup?: (tx: Queryable) => Promise<void>;
}

/**
 * One row of the matrix: how to probe each operation on a table for an actor.
 * select/update/delete statements must return the affected rows (`returning`),
 * so "allowed" means exactly one row came back.
 */
export interface Subject {
  readonly name: string;
  /** The schema-qualified table the probes run against; the coverage guard checks every RLS table has one. */
  readonly table: string;
  select(fx: MatrixFixture, actor: ActorName): Statement;
  insert(fx: MatrixFixture, actor: ActorName): Statement;
  update(fx: MatrixFixture, actor: ActorName): Statement;
  delete(fx: MatrixFixture, actor: ActorName): Statement;
}

/** Actors allowed per operation; every other actor is expected to be denied. */
export type Expectations = Record<Operation, readonly ActorName[]>;
export type MatrixRows = ReadonlyArray<readonly [Subject, Expectations]>;

/** One area of the schema: its matrix rows and the fixture rows they aim at. */
export interface MatrixArea {
  readonly rows: MatrixRows;
  /** Creates the rows the probes target (as the database owner or through the API) and records their ids in fx.rows. */
  prepare?(db: SqlClient, fx: MatrixFixture): Promise<void>;
}

export const SIGNED_IN = ['outsider', 'viewer', 'member', 'admin', 'owner', 'operator'] as const;
export const MEMBERS = ['viewer', 'member', 'admin', 'owner'] as const;

export async function buildMatrixFixture(db: SqlClient): Promise<MatrixFixture> {
  const base = await spaceWithEveryRole(db);
  const mate = await addMember(db, base.space, 'member');
  const operator = await createOperator(db);
  return { ...base, mate, operator, rows: {} };
}

export function actorFor(fx: MatrixFixture, name: ActorName): Actor {
  switch (name) {
    case 'anon':
      return anon;
    case 'service_role':
      return serviceRole;
    default:
      return fx[name].actor;
  }
}

/** Permission errors mean "denied"; any other error is a broken probe and fails the test. */
const DENIAL_CODES = new Set(['42501']);

export async function probe(db: SqlClient, fx: MatrixFixture, subject: Subject, op: Operation, actor: ActorName): Promise<Outcome> {
  const statement = subject[op](fx, actor);
  try {
    const rows = await probeAs(db, actorFor(fx, actor), (tx) => tx.query(statement.sql, statement.params ?? []), statement.setup);
    if (rows.length > 1) throw new Error(`${subject.name} ${op} probe touched ${rows.length} rows; probes must aim at one`);
    return rows.length === 1 ? 'allowed' : 'denied';
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code && DENIAL_CODES.has(code)) return 'denied';
    throw new Error(`${subject.name} ${op} as ${actor}: unexpected error ${code ?? ''} ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Tables the matrix must cover: every table of the exposed schema `public`
 * (with RLS or, worse, without), every private table with RLS, and every other
 * table the migrations put policies on (storage.objects). Returns those that no matrix row probes.
 */
export async function tablesMissingFromMatrix(q: Queryable, rows: MatrixRows): Promise<string[]> {
  const tables = await q.query<{ name: string }>(`
    select n.nspname || '.' || c.relname as name
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p')
       and (n.nspname = 'public'
            or (n.nspname = 'private' and c.relrowsecurity)
            or exists (select 1 from pg_catalog.pg_policy p where p.polrelid = c.oid))
     order by 1`);
  const covered = new Set(rows.map(([subject]) => subject.table));
  return tables.map((t) => t.name).filter((name) => !covered.has(name));
}
