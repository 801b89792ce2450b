/**
 * The enums of @wallai/domain against the database's own definitions: the
 * check constraints (found by name, read with pg_get_constraintdef) and, for
 * split modes, what public.split_expense accepts. A value added on either side
 * fails here.
 */
import { createExpense, createSpace, expectSqlError, probeAs, useTestDatabase } from '@wallai/testing';
import { describe, expect, it } from 'vitest';
import { BUDGET_FRAMEWORKS, BUDGET_TYPES } from './budgets.ts';
import { CATEGORY_TYPES } from './categories.ts';
import { CATEGORY_SOURCES } from './category-sources.ts';
import { INSIGHT_PRIORITIES, INSIGHT_TYPES } from './insights.ts';
import { SPACE_ROLES } from './spaces.ts';
import { SPLIT_MODES } from './splits.ts';

const db = useTestDatabase();

/** The quoted values of `column = ANY (ARRAY['a'::text, ...])` or `column IN ('a', ...)` in SQL text. */
function quotedValues(sql: string): string[] {
  return [...sql.matchAll(/'((?:[^']|'')*)'/g)].map((m) => (m[1] ?? '').replace(/''/g, "'"));
}

/** The values a named check constraint of a table allows for one column; fails when it is missing or of another shape. */
async function allowedValues(table: string, constraint: string, column: string): Promise<string[]> {
  const rows = await db().query<{ definition: string }>(
    `select pg_get_constraintdef(c.oid) as definition
       from pg_constraint c
      where c.conname = $2 and c.conrelid = $1::regclass and c.contype = 'c'`,
    [table, constraint],
  );
  expect(rows, `check constraint ${constraint} on ${table}`).toHaveLength(1);
  const definition = rows[0]?.definition ?? '';
  // One column compared with a list of text literals, nothing else.
  expect(definition).toMatch(new RegExp(`^CHECK \\(\\(${column} = ANY \\(ARRAY\\[('(?:[^']|'')*'::text(, )?)+\\]\\)\\)\\)$`));
  return quotedValues(definition);
}

const sorted = (values: readonly string[]) => [...values].sort();

describe('the enums equal the check constraints of the schema', () => {
  it.each([
    ['SPACE_ROLES', 'space_members_role_check', SPACE_ROLES, 'public.space_members', 'role'],
    ['BUDGET_TYPES', 'budgets_type_check', BUDGET_TYPES, 'public.budgets', 'type'],
    ['BUDGET_FRAMEWORKS', 'budgets_framework_check', BUDGET_FRAMEWORKS, 'public.budgets', 'framework'],
    ['CATEGORY_TYPES', 'budget_items_category_type_check', CATEGORY_TYPES, 'public.budget_items', 'category_type'],
    ['CATEGORY_TYPES', 'default_categories_category_type_check', CATEGORY_TYPES, 'private.default_categories', 'category_type'],
    ['CATEGORY_SOURCES', 'expenses_category_source_check', CATEGORY_SOURCES, 'public.expenses', 'category_source'],
    ['INSIGHT_TYPES', 'financial_insights_type_check', INSIGHT_TYPES, 'public.financial_insights', 'type'],
    ['INSIGHT_PRIORITIES', 'financial_insights_priority_check', INSIGHT_PRIORITIES, 'public.financial_insights', 'priority'],
  ] as const)('%s equals the values %s allows', async (_name, constraint, values, table, column) => {
    const allowed = await allowedValues(table, constraint, column);
    expect(new Set(allowed).size, `${constraint} lists a value twice`).toBe(allowed.length);
    expect(sorted(allowed)).toEqual(sorted(values));
  });
});

describe('SPLIT_MODES equal the modes public.split_expense accepts', () => {
  const MODE_ERROR = /^mode must be /;

  async function splitAs(mode: string): Promise<unknown> {
    const space = await createSpace(db());
    const expense = await createExpense(db(), space, { amount: '10.00' });
    // Empty parts: an accepted mode gets past the mode check and fails on the parts.
    return probeAs(db(), space.owner.actor, (tx) =>
      tx.query(`select * from public.split_expense($1, $2, '{}'::jsonb)`, [expense.id, mode]),
    );
  }

  it('accepts every mode of SPLIT_MODES (it fails later, on the empty parts)', async () => {
    for (const mode of SPLIT_MODES) {
      const error = await expectSqlError(splitAs(mode), '22023');
      expect(error.message, mode).not.toMatch(MODE_ERROR);
    }
  });

  it('refuses any other mode, naming exactly the modes of SPLIT_MODES', async () => {
    const error = await expectSqlError(splitAs('weights'), '22023', MODE_ERROR);
    const named = error.message.replace(MODE_ERROR, '').split(/, | or /);
    expect(sorted(named)).toEqual(sorted(SPLIT_MODES));
  });

  it("lists exactly SPLIT_MODES in the function's own mode check", async () => {
    const [fn] = await db().query<{ definition: string }>(
      `select pg_get_functiondef('public.split_expense(uuid, text, jsonb)'::regprocedure) as definition`,
    );
    const check = /mode not in \(([^)]*)\)/.exec(fn?.definition ?? '');
    expect(check, 'split_expense checks its mode with "mode not in (...)"').not.toBeNull();
    expect(sorted(quotedValues(check?.[1] ?? ''))).toEqual(sorted(SPLIT_MODES));
  });
});
