/** Runs one statement in the current transaction (postgres.js `tx.unsafe`, a db-client `query`). */
export type Query = <T extends Record<string, unknown>>(text: string, params: readonly unknown[]) => Promise<T[]>;

/** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
export type Transact = <T>(fn: (query: Query) => Promise<T>) => Promise<T>;
