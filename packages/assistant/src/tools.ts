/**
 * The assistant's tools, defined once: a zod schema (what the service
 * validates the model's input with), the Messages API `input_schema` derived
 * from it, a description, and whether the tool reads or only proposes a write.
 *
 * Every tool runs as the person (RLS bounds it) and within the turn's scope of
 * spaces. Write tools never write: they return a proposal that the person
 * confirms in a later request.
 */
import { z } from 'zod';
import { isPeriodText, PERIOD_PRESETS } from './periods.ts';

/** Any 8-4-4-4-12 hex id, as Postgres' uuid type accepts. */
const Id = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { error: 'must be a uuid' });

const SpaceId = Id.describe("One space of the conversation's scope; omit to use every space in scope.");

export const PeriodText = z
  .string()
  .max(40)
  .refine(isPeriodText, { error: `a preset (${PERIOD_PRESETS.join(', ')}), YYYY-MM, YYYY or YYYY-MM-DD..YYYY-MM-DD` })
  .describe(
    `A preset (${PERIOD_PRESETS.join(', ')}), a month YYYY-MM, a year YYYY, or days YYYY-MM-DD..YYYY-MM-DD (both included). Resolved in the space's time zone.`,
  );

/** A decimal amount with at most two decimals, as text ("42.50") or a number. */
const Amount = z
  .union([z.string().regex(/^\d{1,10}(\.\d{1,2})?$/), z.number().nonnegative().max(9_999_999_999.99)])
  .describe('An amount in the space currency, e.g. "42.50".');

const Text = (max: number) => z.string().trim().min(1).max(max);

export const LIST_LIMIT_MAX = 50;
export const GROUPS_MAX = 24;
export const INSIGHTS_MAX = 20;
export const RECURRING_MAX = 30;
export const ACCOUNTS_MAX = 30;

export const ListExpensesInput = z.strictObject({
  space_id: SpaceId.optional(),
  period: PeriodText.optional().describe('Default: this_month.'),
  category: Text(40).optional().describe('A category key such as groceries or dining.'),
  text: Text(100).optional().describe('Words the description contains (merchant or text), case-insensitive.'),
  min_amount: Amount.optional(),
  max_amount: Amount.optional(),
  member: Text(120).optional().describe('Who paid: a member\'s user id, username or first name; "me" for the person asking.'),
  sort: z.enum(['date_desc', 'date_asc', 'amount_desc', 'amount_asc']).optional().describe('Default date_desc.'),
  limit: z.number().int().min(1).max(1000).optional().describe(`Rows to return, at most ${LIST_LIMIT_MAX}; default 10.`),
});

export const SpendingSummaryInput = z.strictObject({
  space_id: SpaceId.optional(),
  period: PeriodText.optional().describe('Default: this_month.'),
  group_by: z.enum(['category', 'member', 'month', 'none']).optional().describe('Default none: one total.'),
  category: Text(40).optional(),
  text: Text(100).optional().describe('Only expenses whose description contains this (a merchant).'),
  member: Text(120).optional(),
  compare_previous: z.boolean().optional().describe('Also the previous period of the same length and the change.'),
  include_income: z.boolean().optional().describe('Also income against spending from imported bank lines, when there are any.'),
});

const MonthText = z
  .union([z.enum(['this_month', 'last_month']), z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/)])
  .describe('YYYY-MM, this_month or last_month; default this_month.');

export const BudgetStatusInput = z.strictObject({
  space_id: SpaceId.optional(),
  month: MonthText.optional(),
  category: Text(40).optional().describe('Only this budget item.'),
});

export const BalancesInput = z.strictObject({ space_id: SpaceId.optional() });
export const RecurringInput = z.strictObject({ space_id: SpaceId.optional() });
export const AccountsInput = z.strictObject({ space_id: SpaceId.optional() });
export const InsightsInput = z.strictObject({
  space_id: SpaceId.optional(),
  limit: z.number().int().min(1).max(100).optional().describe(`At most ${INSIGHTS_MAX}; default 5.`),
});

export const ProposeExpenseInput = z.strictObject({
  space_id: SpaceId.optional().describe('Required when the scope has several spaces.'),
  amount: Amount,
  description: Text(500),
  category: z
    .string()
    .regex(/^[a-z0-9_]{1,40}$/)
    .optional(),
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .describe('Default today in the space time zone.'),
});

export const ProposeSplitInput = z.strictObject({
  expense_id: Id,
  mode: z.enum(['equal', 'exact', 'percentage', 'shares']),
  participants: z
    .array(
      z.strictObject({
        member: Text(120).describe('User id, username or first name; "me" for the person asking.'),
        value: Amount.optional().describe('Amount (exact), percent (percentage) or weight (shares); omit for equal.'),
      }),
    )
    .min(1)
    .max(20),
});

export const ProposeBudgetChangeInput = z.strictObject({
  space_id: SpaceId.optional(),
  month: MonthText.optional(),
  category: z.string().regex(/^[a-z0-9_]{1,40}$/),
  budgeted_amount: Amount.describe('The new budgeted amount of the item.'),
});

export type ListExpensesArgs = z.output<typeof ListExpensesInput>;
export type SpendingSummaryArgs = z.output<typeof SpendingSummaryInput>;
export type BudgetStatusArgs = z.output<typeof BudgetStatusInput>;
export type ProposeExpenseArgs = z.output<typeof ProposeExpenseInput>;
export type ProposeSplitArgs = z.output<typeof ProposeSplitInput>;
export type ProposeBudgetChangeArgs = z.output<typeof ProposeBudgetChangeInput>;

export interface ToolDefinition {
  readonly name: ToolName;
  readonly kind: 'read' | 'write';
  readonly description: string;
  readonly schema: z.ZodType;
}

export const TOOLS = [
  {
    name: 'list_expenses',
    kind: 'read',
    description:
      'Expenses of the scope, filtered by period, category, description text (merchant), amount range and payer, sorted; also the count and total of everything that matched. Capped; says when cut.',
    schema: ListExpensesInput,
  },
  {
    name: 'spending_summary',
    kind: 'read',
    description:
      'Total spending (sum of base amounts in the space currency) for a period, optionally grouped by category, member or month, compared with the previous period, and with income against spending from bank data when there is some.',
    schema: SpendingSummaryInput,
  },
  {
    name: 'budget_status',
    kind: 'read',
    description:
      "The month's master budget per item: budgeted, spent, left, share used, pacing against the days elapsed, and a linear projection to the month's end.",
    schema: BudgetStatusInput,
  },
  {
    name: 'balances',
    kind: 'read',
    description: 'Who owes whom in a space (unpaid splits and settlements, per currency) and the suggested transfers that settle everyone.',
    schema: BalancesInput,
  },
  {
    name: 'recurring_expenses',
    kind: 'read',
    description: 'Recurring expenses (subscriptions, bills, rent): what repeats monthly, its typical amount, when it was last paid.',
    schema: RecurringInput,
  },
  {
    name: 'accounts',
    kind: 'read',
    description: 'Bank accounts from imports: balances, credit used against limits, and net worth per currency.',
    schema: AccountsInput,
  },
  {
    name: 'insights',
    kind: 'read',
    description: "The space's current insights (trends, anomalies, approved recommendations), newest first.",
    schema: InsightsInput,
  },
  {
    name: 'propose_expense',
    kind: 'write',
    description:
      'Proposes recording an expense paid by the person asking. Writes nothing: the person confirms the proposal in a later request.',
    schema: ProposeExpenseInput,
  },
  {
    name: 'propose_split',
    kind: 'write',
    description: 'Proposes splitting an expense between members. Writes nothing: the person confirms it later.',
    schema: ProposeSplitInput,
  },
  {
    name: 'propose_budget_change',
    kind: 'write',
    description:
      "Proposes a new budgeted amount for one category of a month's budget (admins and owners). Writes nothing: the person confirms it later.",
    schema: ProposeBudgetChangeInput,
  },
] as const satisfies ReadonlyArray<{ name: string; kind: 'read' | 'write'; description: string; schema: z.ZodType }>;

export type ToolName = (typeof TOOLS)[number]['name'];
export const TOOL_NAMES: readonly ToolName[] = TOOLS.map((t) => t.name);
export const WRITE_TOOLS: ReadonlySet<string> = new Set(TOOLS.filter((t) => t.kind === 'write').map((t) => t.name));

export function toolByName(name: string): (typeof TOOLS)[number] | undefined {
  return TOOLS.find((t) => t.name === name);
}

/** The Messages API tool definition: name, description and the JSON schema of its input. */
export interface ApiTool {
  name: string;
  description: string;
  input_schema: { type: 'object'; [key: string]: unknown };
  cache_control?: { type: 'ephemeral' };
}

let cachedApiTools: ApiTool[] | null = null;

export function apiTools(): ApiTool[] {
  cachedApiTools ??= TOOLS.map((tool) => {
    const { $schema: _schema, ...schema } = z.toJSONSchema(tool.schema, { io: 'input' }) as Record<string, unknown>;
    return { name: tool.name, description: tool.description, input_schema: { ...schema, type: 'object' as const } };
  });
  return cachedApiTools.map((t) => ({ ...t }));
}

export type ParsedToolInput = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

/** Validates a model's tool input against the tool's schema: unknown tools and bad input are errors the model reads. */
export function parseToolInput(name: string, input: unknown): ParsedToolInput {
  const tool = toolByName(name);
  if (tool === undefined) return { ok: false, error: `There is no tool named "${name}". Available: ${TOOL_NAMES.join(', ')}.` };
  const parsed = tool.schema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(input)'}: ${i.message}`).join('; ');
    return { ok: false, error: `Invalid input for ${name}: ${issues}` };
  }
  return { ok: true, value: parsed.data as Record<string, unknown> };
}
