import type { Queryable, SqlClient } from '@wallai/db-client';

/** Who a request runs as, the way PostgREST decides from the JWT. */
export type Actor =
  | { role: 'anon' }
  | { role: 'service_role' }
  /** appRole: `app_metadata.role` in the JWT (operator or admin: who reviews recommendations); set only by the service role. */
  | { role: 'authenticated'; userId: string; email?: string; appRole?: 'operator' | 'admin' };

export const anon: Actor = { role: 'anon' };
export const serviceRole: Actor = { role: 'service_role' };
export const user = (userId: string, email?: string): Actor =>
  email === undefined ? { role: 'authenticated', userId } : { role: 'authenticated', userId, email };

/** The claims a Supabase access token carries for this actor. */
export function claimsFor(actor: Actor): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const base = { iss: 'supabase', iat: now, exp: now + 3600, role: actor.role };
  if (actor.role !== 'authenticated') return base;
  return {
    ...base,
    sub: actor.userId,
    aud: 'authenticated',
    email: actor.email ?? `${actor.userId}@example.test`,
    app_metadata: { provider: 'email', providers: ['email'], ...(actor.appRole === undefined ? {} : { role: actor.appRole }) },
    user_metadata: {},
    is_anonymous: false,
  };
}

/** Switches an open transaction to the actor, exactly as PostgREST does per request. */
export async function becomeActor(tx: Queryable, actor: Actor): Promise<void> {
  await tx.query(
    `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true), set_config('request.method', 'POST', true)`,
    [actor.role, JSON.stringify(claimsFor(actor))],
  );
}

/** One request as the actor: a transaction that commits when fn resolves. */
export function actAs<T>(db: SqlClient, actor: Actor, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await becomeActor(tx, actor);
    return fn(tx);
  });
}

class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super('rollback');
  }
}

/**
 * Runs fn as the actor and rolls everything back afterwards, so probes (RLS
 * matrix cells, "is this allowed?") never change the fixture. `setup` runs
 * first as the connection's own superuser, inside the same transaction.
 */
export async function probeAs<T>(
  db: SqlClient,
  actor: Actor,
  fn: (tx: Queryable) => Promise<T>,
  setup?: (tx: Queryable) => Promise<void>,
): Promise<T> {
  try {
    await db.transaction(async (tx) => {
      if (setup) await setup(tx);
      await becomeActor(tx, actor);
      throw new Rollback(await fn(tx));
    });
  } catch (error) {
    if (error instanceof Rollback) return error.value as T;
    throw error;
  }
  throw new Error('unreachable: probeAs always rolls back');
}

/** A single statement as the actor, committed. */
export async function queryAs<T extends Record<string, unknown>>(
  db: SqlClient,
  actor: Actor,
  text: string,
  params: readonly unknown[] = [],
): Promise<T[]> {
  return actAs(db, actor, (tx) => tx.query<T>(text, params));
}
