/**
 * The offline assistant: from a parsed question to the tool calls that
 * answer it, and from their results to an answer whose every figure cites the
 * result it came from (the same markers the model writes, checked the same
 * way). Pure: the service runs the tools.
 */
import { display } from './money.ts';
import type { ParsedQuestion } from './parser.ts';
import type { ToolName } from './tools.ts';

export interface PlannedCall {
  readonly name: ToolName;
  readonly input: Record<string, unknown>;
}

export interface ExecutedCall {
  readonly id: string;
  readonly name: string;
  readonly ok: boolean;
  readonly result: unknown;
  readonly error?: string;
}

export const OFFLINE_NOTE = 'Offline answer (the AI assistant is not available), computed from your data.';

export const CAPABILITIES = [
  'how much you spent (this month, last month, in March, this year…), on a category, at a merchant or by a member',
  'a breakdown by category, member or month, and a comparison with the previous period',
  'your biggest or latest expenses, or how many there were',
  'how the budget is doing (budgeted, spent, left, on track or not)',
  'who owes whom and how to settle up',
  'your subscriptions and other recurring expenses',
  'bank accounts, balances and net worth, and income against spending (when bank data is imported)',
  "the space's insights",
];

/** What the offline assistant answers with when it cannot place a question: what it can answer, never a guess. */
export function helpText(intro: string): string {
  return `${intro} I can answer questions about:\n${CAPABILITIES.map((c) => `- ${c}`).join('\n')}\nFor example: "How much did we spend on groceries last month?" or "Who owes whom?"`;
}

export function planFor(parsed: ParsedQuestion): PlannedCall[] {
  const filters = {
    ...(parsed.period === undefined ? {} : { period: parsed.period }),
    ...(parsed.category === undefined ? {} : { category: parsed.category }),
    ...(parsed.text === undefined ? {} : { text: parsed.text }),
    ...(parsed.member === undefined ? {} : { member: parsed.member.id }),
  };
  switch (parsed.intent) {
    case 'spending_total':
    case 'count':
      return [{ name: 'spending_summary', input: filters }];
    case 'spending_compare':
      return [{ name: 'spending_summary', input: { ...filters, compare_previous: true } }];
    case 'spending_breakdown':
      return [
        {
          name: 'spending_summary',
          input: {
            ...filters,
            group_by: parsed.groupBy ?? 'category',
            ...(parsed.groupBy === 'month' && parsed.period === undefined ? { period: 'this_year' } : {}),
          },
        },
      ];
    case 'list':
      return [
        {
          name: 'list_expenses',
          input: {
            ...filters,
            sort: parsed.sort ?? 'date_desc',
            limit: parsed.limit ?? 5,
            ...(parsed.minAmount === undefined ? {} : { min_amount: parsed.minAmount }),
            ...(parsed.maxAmount === undefined ? {} : { max_amount: parsed.maxAmount }),
          },
        },
      ];
    case 'income':
      return [{ name: 'spending_summary', input: { ...filters, include_income: true } }];
    case 'budget': {
      const month = parsed.period !== undefined && /^\d{4}-\d{2}$/.test(parsed.period) ? parsed.period : undefined;
      return [
        {
          name: 'budget_status',
          input: {
            ...(month === undefined ? {} : { month }),
            ...(parsed.period === 'last_month' ? { month: 'last_month' } : {}),
            ...(parsed.category === undefined ? {} : { category: parsed.category }),
          },
        },
      ];
    }
    case 'balances':
      return [{ name: 'balances', input: {} }];
    case 'recurring':
      return [{ name: 'recurring_expenses', input: {} }];
    case 'accounts':
      return [{ name: 'accounts', input: {} }];
    case 'insights':
      return [{ name: 'insights', input: {} }];
    case 'help':
    case 'unknown':
      return [];
  }
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' ? (v as Json) : {});
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** `1,234.50 EUR [[id:path]]`: an amount with its currency and its citation. */
function money(id: string, path: string, amount: unknown, currency: unknown): string {
  return `${display(str(amount))} ${str(currency)} [[${id}:${path}]]`;
}
const count = (id: string, path: string, n: unknown) => `${str(n)} [[${id}:${path}]]`;
const pct = (id: string, path: string, n: unknown) => `${str(n)}% [[${id}:${path}]]`;

function what(parsed: ParsedQuestion, filters: Json): string {
  const parts: string[] = [];
  if (filters.category_label) parts.push(`on ${str(filters.category_label).toLowerCase()}`);
  if (filters.text) parts.push(`at "${str(filters.text)}"`);
  return parts.join(' ') || (parsed.intent === 'count' ? '' : 'in total');
}

function who(parsed: ParsedQuestion, filters: Json): string {
  if (parsed.member === undefined) return 'you spent';
  return parsed.member.name === 'you' ? 'you paid' : `${str(filters.member).replace(' (you)', '')} paid`;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The total of a spending_summary result (or list_expenses), one currency or several. */
function totalPhrase(id: string, result: Json, base = ''): string {
  const prefix = base === '' ? '' : `${base}.`;
  if (result.total !== undefined) {
    const t = obj(result.total);
    return money(id, `${prefix}total.amount`, t.amount, t.currency);
  }
  return arr(result.totals_by_currency)
    .map((t, i) => money(id, `${prefix}totals_by_currency.${i}.amount`, t.amount, t.currency))
    .join(' and ');
}

function totalCount(id: string, result: Json, base = ''): string {
  const prefix = base === '' ? '' : `${base}.`;
  if (result.total !== undefined) return count(id, `${prefix}total.count`, obj(result.total).count);
  return arr(result.totals_by_currency)
    .map((t, i) => count(id, `${prefix}totals_by_currency.${i}.count`, t.count))
    .join(' + ');
}

const plural = (n: unknown, one: string, many: string) => (Number(n) === 1 ? one : many);

/** Composes the answer; figures carry markers for the checker. */
export function composeOffline(parsed: ParsedQuestion, calls: readonly ExecutedCall[]): string {
  const failed = calls.find((c) => !c.ok);
  if (failed) return `I could not look that up: ${failed.error ?? 'the tool failed'}.`;
  const call = calls[0];
  if (call === undefined) return helpText(parsed.intent === 'help' ? 'Here is what I can do.' : "I can't answer that one offline.");
  const id = call.id;
  const r = obj(call.result);
  const period = str(obj(r.period).label);
  const filters = obj(r.filters);

  switch (parsed.intent) {
    case 'spending_total':
    case 'income': {
      const n = r.total !== undefined ? obj(r.total).count : undefined;
      let text = `${capitalize(who(parsed, filters))} ${totalPhrase(id, r)} ${what(parsed, filters)} in ${period}`.replace(/ +/g, ' ');
      text += n === undefined ? '.' : ` over ${totalCount(id, r)} ${plural(n, 'expense', 'expenses')}.`;
      if (parsed.intent === 'income') {
        const flow = obj(r.cash_flow);
        if (flow.available === true && flow.income !== undefined) {
          text += ` From your imported bank lines: income ${money(id, 'cash_flow.income', flow.income, flow.currency)}, spending ${money(id, 'cash_flow.spending', flow.spending, flow.currency)}, net ${money(id, 'cash_flow.net', flow.net, flow.currency)}.`;
        } else {
          text += ' There is no imported bank data for this period, so I cannot compare it with income.';
        }
      }
      return text;
    }
    case 'count': {
      const n = r.total !== undefined ? obj(r.total).count : undefined;
      return `There ${Number(n) === 1 ? 'was' : 'were'} ${totalCount(id, r)} ${plural(n, 'expense', 'expenses')} ${what(parsed, filters)} in ${period}, adding up to ${totalPhrase(id, r)}.`.replace(
        / +/g,
        ' ',
      );
    }
    case 'spending_compare': {
      const prev = obj(r.previous);
      let text = `${capitalize(who(parsed, filters))} ${totalPhrase(id, r)} ${what(parsed, filters)} in ${period}`;
      if (prev.available === false) return `${text}.`;
      text += `, against ${totalPhrase(id, prev, 'previous')} in ${str(obj(prev.period).label)}`;
      const change = obj(prev.change);
      if (change.direction === 'same') text += ': the same.';
      else if (change.amount !== undefined) {
        const amount = str(change.amount).replace('-', '');
        const currency = str(obj(r.total).currency);
        text += `: ${display(amount)} ${currency} [[${id}:previous.change.amount]] ${change.direction === 'up' ? 'more' : 'less'}`;
        text +=
          change.pct === null || change.pct === undefined
            ? '.'
            : ` (${pct(id, 'previous.change.pct', String(change.pct).replace('-', ''))}).`;
      } else text += '.';
      return text.replace(/ +/g, ' ');
    }
    case 'spending_breakdown': {
      const groups = arr(r.groups);
      if (groups.length === 0) return `There are no expenses ${what(parsed, filters)} in ${period}.`.replace(/ +/g, ' ');
      const by = str(r.group_by);
      const lines = groups
        .slice(0, 10)
        .map(
          (g, i) =>
            `- ${str(g.label)}: ${money(id, `groups.${i}.amount`, g.amount, g.currency)}${by === 'month' ? '' : ` (${pct(id, `groups.${i}.share_pct`, g.share_pct)})`}`,
        );
      const head = `Spending ${what(parsed, filters) === 'in total' ? '' : `${what(parsed, filters)} `}by ${by} in ${period}, ${totalPhrase(id, r)} in total:`;
      const more = groups.length > 10 ? `\n(and ${groups.length - 10} more)` : '';
      return `${head.replace(/ +/g, ' ')}\n${lines.join('\n')}${more}`;
    }
    case 'list': {
      const rows = arr(r.expenses);
      if (rows.length === 0)
        return `I found no expenses ${what(parsed, filters) === 'in total' ? '' : `${what(parsed, filters)} `}in ${period}.`.replace(
          / +/g,
          ' ',
        );
      const kind = parsed.sort === 'amount_desc' ? 'biggest' : parsed.sort === 'amount_asc' ? 'smallest' : 'latest';
      const lines = rows.map(
        (e, i) =>
          `- ${str(e.date)}: ${JSON.stringify(str(e.description))}, ${money(id, `expenses.${i}.amount`, e.amount, e.currency)}, paid by ${str(e.paid_by)}`,
      );
      const total = r.total !== undefined ? ` of ${count(id, 'matched_count', r.matched_count)} (${totalPhrase(id, r)} in all)` : '';
      return `The ${kind} ${count(id, 'returned', r.returned)} ${plural(r.returned, 'expense', 'expenses')}${total} in ${period}:\n${lines.join('\n')}`;
    }
    case 'budget': {
      const budgets = arr(r.budgets);
      const parts: string[] = [];
      budgets.forEach((b, bi) => {
        const base = `budgets.${bi}`;
        const items = arr(b.items);
        if (parsed.category !== undefined && items.length === 1) {
          const it = items[0] as Json;
          parts.push(
            `${str(it.label)} in ${str(b.label)} (${str(b.space)}): ${money(id, `${base}.items.0.spent`, it.spent, b.currency)} spent of ${money(id, `${base}.items.0.budgeted`, it.budgeted, b.currency)}, ${money(id, `${base}.items.0.left`, String(it.left).replace('-', ''), b.currency)} ${String(it.left).startsWith('-') ? 'over' : 'left'}. ${pacingSentence(str(it.pacing), money(id, `${base}.items.0.projected`, it.projected, b.currency), str(b.status))}`,
          );
          return;
        }
        let text = `${str(b.space)}, ${str(b.label)}: ${money(id, `${base}.total_spent`, b.total_spent, b.currency)} spent of ${money(id, `${base}.total_budgeted`, b.total_budgeted, b.currency)} budgeted (${pct(id, `${base}.total_used_pct`, b.total_used_pct)} used`;
        text += str(b.status) === 'current' ? `, ${pct(id, `${base}.month_elapsed_pct`, b.month_elapsed_pct)} of the month gone). ` : '). ';
        text += pacingSentence(str(b.total_pacing), money(id, `${base}.total_projected`, b.total_projected, b.currency), str(b.status));
        const over = items.map((it, ii) => ({ it, ii })).filter(({ it }) => it.pacing === 'over_budget');
        if (over.length > 0) {
          text += `\nOver budget: ${over
            .slice(0, 6)
            .map(
              ({ it, ii }) =>
                `${str(it.label)} (${money(id, `${base}.items.${ii}.spent`, it.spent, b.currency)} of ${money(id, `${base}.items.${ii}.budgeted`, it.budgeted, b.currency)})`,
            )
            .join(', ')}.`;
        }
        parts.push(text);
      });
      for (const m of arr(r.no_budget)) parts.push(`${str(m.space)} has no budget for ${str(m.label)}.`);
      return parts.join('\n');
    }
    case 'balances': {
      const spaces = arr(r.spaces);
      return spaces
        .map((s, si) => {
          const moves = arr(s.settle_up);
          if (moves.length === 0) return `${str(s.space)}: everyone is settled up.`;
          const lines = moves.map(
            (m, mi) => `- ${str(m.from)} pays ${str(m.to)} ${money(id, `spaces.${si}.settle_up.${mi}.amount`, m.amount, m.currency)}`,
          );
          const owed = arr(s.balances)
            .map((b, bi) => ({ b, bi }))
            .filter(({ b }) => b.status !== 'even')
            .map(
              ({ b, bi }) =>
                `${str(b.member)} ${b.status === 'owes' ? 'owes' : 'is owed'} ${money(id, `spaces.${si}.balances.${bi}.amount`, b.amount, b.currency)}`,
            );
          return `${str(s.space)}: ${owed.join(', ')}. To settle up:\n${lines.join('\n')}`;
        })
        .join('\n');
    }
    case 'recurring': {
      const series = arr(r.series);
      if (series.length === 0) return 'I found no recurring expenses in the last 6 months.';
      const lines = series
        .slice(0, 15)
        .map(
          (s, i) =>
            `- ${JSON.stringify(str(s.description))} (${str(s.category)}): about ${money(id, `series.${i}.typical_amount`, s.typical_amount, s.currency)} a month, last on ${str(s.last_date)}`,
        );
      const total =
        r.monthly_total !== undefined
          ? `, about ${money(id, 'monthly_total.amount', obj(r.monthly_total).amount, obj(r.monthly_total).currency)} a month in all`
          : '';
      return `I found ${count(id, 'count', r.count)} recurring ${plural(r.count, 'expense', 'expenses')}${total}:\n${lines.join('\n')}${series.length > 15 ? `\n(and ${series.length - 15} more)` : ''}`;
    }
    case 'accounts': {
      if (r.has_bank_data !== true)
        return 'No bank accounts have been imported into your spaces yet, so I have no balances or net worth to show.';
      const lines = arr(r.accounts).map(
        (a, i) =>
          `- ${JSON.stringify(str(a.name))} (${str(a.type)}${a.mask ? ` ••${str(a.mask)}` : ''}): ${money(id, `accounts.${i}.current_balance`, a.current_balance, a.currency)}${a.credit_used_pct !== undefined && a.credit_used_pct !== null ? `, ${pct(id, `accounts.${i}.credit_used_pct`, a.credit_used_pct)} of the limit used` : ''}`,
      );
      const worth = arr(r.net_worth).map((w, i) => `net worth ${money(id, `net_worth.${i}.net`, w.net, w.currency)}`);
      return `Your accounts:\n${lines.join('\n')}${worth.length > 0 ? `\nFrom these balances, ${worth.join(' and ')}.` : ''}`;
    }
    case 'insights': {
      const list = arr(r.insights);
      if (list.length === 0) return 'There are no current insights for your spaces.';
      return `The latest insights:\n${list.map((i) => `- ${JSON.stringify(str(i.title))} (${str(i.type)}, ${str(i.priority)} priority)`).join('\n')}`;
    }
    default:
      return helpText("I can't answer that one offline.");
  }
}

function pacingSentence(pacing: string, projected: string, status: string): string {
  if (status !== 'current') return pacing === 'over_budget' ? 'It went over budget.' : 'It stayed within budget.';
  if (pacing === 'over_budget') return 'It is already over budget.';
  if (pacing === 'too_early') return 'It is too early in the month to project the rest.';
  if (pacing === 'at_risk') return `At this pace it will reach ${projected} by the end of the month, over budget.`;
  return `At this pace it will reach ${projected} by the end of the month: on track.`;
}
