import type { SqlClient } from '@wallai/db-client';
import { queryAs } from './acting-as.ts';
import { addMember, createSpace, createUser, type TestSpace, type TestUser } from './factories.ts';
import { createBudget } from './money-factories.ts';

/** yyyy-MM-dd of the UTC day `days` before `from`. */
export function daysBefore(from: Date, days: number): string {
  return new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate() - days)).toISOString().slice(0, 10);
}

/** First day of the UTC month `months` before `from`. */
function monthStart(from: Date, months: number): string {
  return new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() - months, 1)).toISOString().slice(0, 10);
}

/** Day `day` of the UTC month `months` before `from`, or null when that day is after `from`. */
function dayOfMonth(from: Date, months: number, day: number): string | null {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() - months, day));
  return d.getTime() > from.getTime() ? null : d.toISOString().slice(0, 10);
}

export interface ExpenseSeed {
  readonly date: string;
  readonly amount: string;
  readonly description: string;
  readonly category: string;
}

/** Records expenses through the API as `by`, in one statement. */
export async function recordExpenses(db: SqlClient, space: TestSpace, by: TestUser, rows: readonly ExpenseSeed[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const created = await queryAs<{ id: string }>(
    db,
    by.actor,
    `insert into public.expenses (space_id, date, amount, description, category)
     select $1::uuid, x.date, x.amount, x.description, x.category
       from jsonb_to_recordset($2::text::jsonb) as x(date date, amount numeric, description text, category text)
     returning id`,
    [space.id, JSON.stringify(rows)],
  );
  return created.map((r) => r.id);
}

/** Gives (or withdraws) the person's consent to insights through the RPC. */
export async function setConsent(db: SqlClient, person: TestUser, granted = true): Promise<void> {
  await queryAs(db, person.actor, `select public.set_insights_consent($1)`, [granted]);
}

export interface InsightsHousehold {
  readonly space: TestSpace;
  readonly alice: TestUser;
  readonly bob: TestUser;
  readonly viewer: TestUser;
  readonly today: string;
}

/**
 * Six months of a household's money up to `today` (UTC): Alice (owner) and Bob
 * (member), who both consented, and a viewer who did not (viewers are not
 * asked). Master budgets of 5200 a month; Netflix monthly at 15.49, then 17.99
 * for the last three months (a price change), Spotify 10.99 and a gym 45.00
 * monthly, groceries weekly, dining twice a month, and a one-off 1299.00
 * laptop ten days ago (a spike). Amounts vary deterministically.
 */
export async function insightsHousehold(
  db: SqlClient,
  options: { readonly today?: Date; readonly consent?: boolean; readonly currency?: string } = {},
): Promise<InsightsHousehold> {
  const today = options.today ?? new Date();
  const alice = await createUser(db, { metadata: { full_name: 'Alice Martin' } });
  const bob = await createUser(db, { metadata: { full_name: 'Bob Stone' } });
  const space = await createSpace(db, { owner: alice, name: 'Maple Street', currency: options.currency ?? 'USD', timezone: 'UTC' });
  await addMember(db, space, 'member', bob);
  const viewer = await addMember(db, space, 'viewer');
  if (options.consent ?? true) {
    await setConsent(db, alice);
    await setConsent(db, bob);
  }
  for (let m = 6; m >= 0; m -= 1) await createBudget(db, space, { month: monthStart(today, m), income: '5200.00' });

  const alices: ExpenseSeed[] = [];
  const bobs: ExpenseSeed[] = [];
  for (let m = 6; m >= 0; m -= 1) {
    const push = (list: ExpenseSeed[], day: number, amount: string, description: string, category: string) => {
      const date = dayOfMonth(today, m, day);
      if (date !== null) list.push({ date, amount, description, category });
    };
    push(alices, 5, m >= 3 ? '15.49' : '17.99', m % 2 === 0 ? 'NETFLIX.COM 866-579-7172 CA' : 'Netflix', 'subscriptions');
    push(bobs, 12, '10.99', 'Spotify P0A1B2C3', 'subscriptions');
    push(alices, 2, '45.00', 'PURE GYM MEMBERSHIP', 'health');
    push(bobs, 9, (38 + ((m * 7) % 11)).toFixed(2), 'Trattoria Roma', 'dining');
    push(alices, 23, (52 + ((m * 5) % 13)).toFixed(2), 'Sushi Ko', 'dining');
  }
  for (let week = 0; week < 26; week += 1) {
    const amount = (86 + ((week * 37) % 29) + (week % 3) * 0.45).toFixed(2);
    (week % 2 === 0 ? alices : bobs).push({
      date: daysBefore(today, week * 7 + 1),
      amount,
      description: 'Whole Foods Market',
      category: 'groceries',
    });
  }
  alices.push({ date: daysBefore(today, 10), amount: '1299.00', description: 'Best Buy laptop', category: 'shopping' });
  await recordExpenses(db, space, alice, alices);
  await recordExpenses(db, space, bob, bobs);
  return { space, alice, bob, viewer, today: daysBefore(today, 0) };
}
