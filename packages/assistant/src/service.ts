/**
 * The chat service: one turn of a conversation, against the database.
 *
 *   open()  loads or starts the conversation as the person (RLS: only their
 *           own), resolves the scope (one space they are an active member of,
 *           or all of them), checks the monthly token quota; or, for a
 *           confirmation, carries the proposal out as the person. Errors here
 *           are HTTP errors (ChatError) before anything is streamed.
 *   run()   answers: with the model (tool rounds, streamed text checked
 *           sentence by sentence against the tool results) or offline (the
 *           question parser and the same tools), then appends the turn.
 *
 * Two transaction runners come in: `asUser` (every read and every write the
 * person makes, RLS applies) and `backend` (the service role, used for two
 * things only: appending the turn with private.append_chat_turn, and reading
 * the person's token usage). No client can call either private function.
 */
import { DEFAULT_CATEGORIES } from '@wallai/domain';
import { checkSentence, checkText, CitationState, dataStringsOf, SentenceSplitter, type CheckReport, type Sources } from './citations.ts';
import type { ModelClient, ModelEvent, ModelRequest, ModelUsage } from './model.ts';
import { composeOffline, OFFLINE_NOTE, planFor, type ExecutedCall } from './offline.ts';
import { parseQuestion, type Vocabulary } from './parser.ts';
import { lastMonths, todayIn } from './periods.ts';
import { SYSTEM_PROMPT, turnContext, wrapToolError, wrapToolResult } from './prompt.ts';
import * as sql from './service/tools-sql.ts';
import {
  memberName,
  ToolError,
  type Proposal,
  type Scope,
  type ScopeMember,
  type ScopeSpace,
  type ToolContext,
} from './service/tools-sql.ts';
import type { Query, Transact } from './service/types.ts';
import { apiTools, parseToolInput, WRITE_TOOLS, type ApiTool } from './tools.ts';
import {
  estimateTokens,
  parseTranscript,
  titleFrom,
  toApiMessage,
  trimHistory,
  type ApiMessage,
  type StoredMessage,
} from './transcript.ts';

export type { Query, Transact } from './service/types.ts';
export type { Scope, ScopeSpace, ScopeMember, Proposal } from './service/tools-sql.ts';

export interface ChatLimits {
  /** Model calls per turn; the last one must answer in text. */
  readonly maxToolRounds: number;
  /** The hard per-turn deadline, from open(). */
  readonly turnDeadlineMs: number;
  /** Estimated tokens of history replayed to the model. */
  readonly historyTokens: number;
  /** Model tokens per person and calendar month (UTC). */
  readonly monthlyTokenQuota: number;
  /** Characters of one question. */
  readonly maxMessageChars: number;
  readonly maxOutputTokens: number;
}

export const DEFAULT_LIMITS: ChatLimits = {
  maxToolRounds: 8,
  turnDeadlineMs: 45_000,
  historyTokens: 12_000,
  monthlyTokenQuota: 1_000_000,
  maxMessageChars: 4_000,
  maxOutputTokens: 1_024,
};

export interface ChatDeps {
  readonly asUser: Transact;
  readonly backend: Transact;
  /** null: offline only. */
  readonly model: ModelClient | null;
  readonly limits?: Partial<ChatLimits>;
  readonly now?: () => Date;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export interface ChatRequest {
  readonly conversationId?: string;
  readonly spaceId?: string;
  readonly message?: string;
  readonly confirm?: string;
}

export type ChatErrorCode = 'not_found' | 'forbidden' | 'conflict' | 'gone' | 'validation_failed' | 'rate_limited' | 'payload_too_large';

/** A refusal before anything is streamed: the function answers it with this status. */
export class ChatError extends Error {
  override name = 'ChatError';
  constructor(
    readonly status: number,
    readonly code: ChatErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  total_tokens: number;
}

export interface TraceToolCall {
  id: string;
  name: string;
  input: unknown;
  outcome: 'ok' | 'error';
  ms: number;
  error?: string;
  truncated?: boolean;
}

export interface Trace {
  source: 'ai' | 'offline';
  model?: string;
  /** Why the offline assistant answered although a model is configured. */
  fallback_reason?: string;
  rounds: number;
  tool_calls: TraceToolCall[];
  citations: CheckReport['citations'];
  corrections: CheckReport['corrections'];
  removed: CheckReport['removed'];
  notes: string[];
  deadline_hit: boolean;
  history: { turns_kept: number; turns_dropped: number };
}

export type ChatEvent =
  | {
      type: 'conversation';
      conversation_id: string;
      thread_id: string | null;
      title: string | null;
      created: boolean;
      scope: Array<{ space_id: string; name: string }>;
    }
  | { type: 'text_delta'; text: string }
  | { type: 'tool_call'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; id: string; name: string; outcome: 'ok' | 'error'; ms: number; truncated?: boolean; error?: string }
  | { type: 'proposal'; id: string; kind: string; summary: string; confirm: { conversation_id: string; confirm: string } }
  | { type: 'done'; conversation_id: string; answer: string; usage: Usage; trace: Trace }
  | { type: 'error'; code: string; message: string };

export interface TurnResult {
  readonly conversation_id: string;
  readonly answer: string;
  readonly trace: Trace;
  readonly usage: Usage;
}

export interface OpenTurn {
  readonly conversationId: string;
  /** Streams the turn through emit (conversation … done) and stores it. */
  run(emit: (event: ChatEvent) => void): Promise<TurnResult>;
}

interface Conversation {
  id: string;
  space_id: string | null;
  thread_id: string | null;
  title: string | null;
  messages: StoredMessage[];
}

const emptyUsage = (): Usage => ({
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
  total_tokens: 0,
});

function addUsage(usage: Usage, u: ModelUsage | undefined): void {
  if (!u) return;
  usage.input_tokens += u.input_tokens ?? 0;
  usage.output_tokens += u.output_tokens ?? 0;
  usage.cache_read_input_tokens += u.cache_read_input_tokens ?? 0;
  usage.cache_creation_input_tokens += u.cache_creation_input_tokens ?? 0;
  usage.total_tokens = usage.input_tokens + usage.output_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens;
}

const list = (ids: readonly string[]) => ids.join(',');

/** Seconds until the next calendar month begins in UTC: when the quota resets. */
export function secondsUntilNextMonth(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}

const DEADLINE_NOTE = 'I ran out of time for this question, so this answer may be incomplete.';
const ROUND_CAP_NOTE = 'I stopped looking things up after the maximum number of tool rounds, so this answer may be incomplete.';
const REMOVED_NOTE = 'Some figures could not be checked against your data, so I left them out.';

export function createChatService(deps: ChatDeps) {
  const limits: ChatLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? (() => {});
  const tools: ApiTool[] = apiTools();
  // Prompt caching: everything up to the last tool, and the fixed system prompt, is one cached prefix.
  const cachedTools: ApiTool[] = tools.map((t, i) => (i === tools.length - 1 ? { ...t, cache_control: { type: 'ephemeral' } } : t));

  async function loadScope(query: Query, userId: string, spaceId: string | null): Promise<Scope> {
    const spaces = await query<{ id: string; name: string; currency: string; timezone: string; role: ScopeSpace['role']; active: boolean }>(
      `select s.id, s.name, s.currency, s.timezone, m.role, s.is_active as active
         from public.space_members m join public.spaces s on s.id = m.space_id
        where m.user_id = $1::uuid and m.is_active and ($2::uuid is null or s.id = $2::uuid)
        order by s.name, s.id`,
      [userId, spaceId],
    );
    const members =
      spaces.length === 0
        ? []
        : await query<{ id: string; username: string; full_name: string | null; space_ids: string[] }>(
            `select u.id, u.username, u.full_name, array_agg(m.space_id::text order by m.space_id) as space_ids
               from public.space_members m join public.users u on u.id = m.user_id
              where m.space_id = any(string_to_array($1::text, ',')::uuid[])
              group by u.id, u.username, u.full_name order by u.username`,
            [list(spaces.map((s) => s.id))],
          );
    return {
      userId,
      spaces,
      members: members.map((m): ScopeMember => ({ id: m.id, username: m.username, fullName: m.full_name, spaceIds: m.space_ids })),
    };
  }

  async function loadConversation(query: Query, id: string): Promise<Conversation | null> {
    const [row] = await query<{ id: string; space_id: string | null; thread_id: string | null; title: string | null; messages: unknown }>(
      `select c.id, c.space_id, c.thread_id, c.title, c.messages from public.ai_conversations c where c.id = $1::uuid`,
      [id],
    );
    if (!row) return null;
    return { ...row, messages: parseTranscript(typeof row.messages === 'string' ? JSON.parse(row.messages) : row.messages) };
  }

  async function append(
    conversation: Conversation,
    userId: string,
    messages: StoredMessage[],
    tokens: number,
    title: string | null,
    proposals: Proposal[],
  ) {
    await deps.backend(async (query) => {
      await query(`select private.append_chat_turn($1::uuid, $2::uuid, $3::text::jsonb, $4::int, $5::text, $6::text::jsonb) as n`, [
        conversation.id,
        userId,
        JSON.stringify(messages),
        String(tokens),
        title,
        JSON.stringify(
          proposals.map((p) => ({
            id: p.id,
            space_id: p.space_id,
            tool_call_id: p.tool_call_id,
            kind: p.kind,
            payload: p.payload,
            summary: p.summary,
          })),
        ),
      ]);
    });
  }

  async function runTool(name: string, args: Record<string, unknown>, ctx: ToolContext): Promise<Record<string, unknown>> {
    return deps.asUser(async (query) => {
      switch (name) {
        case 'list_expenses':
          return sql.listExpenses(query, ctx, args as never);
        case 'spending_summary':
          return sql.spendingSummary(query, ctx, args as never);
        case 'budget_status':
          return sql.budgetStatus(query, ctx, args as never);
        case 'balances':
          return sql.balances(query, ctx, args as never);
        case 'recurring_expenses':
          return sql.recurringExpenses(query, ctx, args as never);
        case 'accounts':
          return sql.accounts(query, ctx, args as never);
        case 'insights':
          return sql.insights(query, ctx, args as never);
        case 'propose_expense':
          return sql.proposeExpense(query, ctx, args as never);
        case 'propose_split':
          return sql.proposeSplit(query, ctx, args as never);
        case 'propose_budget_change':
          return sql.proposeBudgetChange(query, ctx, args as never);
        default:
          throw new ToolError(`There is no tool named "${name}".`);
      }
    });
  }

  /** Runs one tool call: validated input, scope and RLS; a refusal or failure is a result the model reads. */
  async function execute(
    call: { id: string; name: string; input: unknown; malformed?: string },
    scope: Scope,
    proposals: Proposal[],
    deadlineAt: number,
  ): Promise<{ ok: true; result: Record<string, unknown>; ms: number } | { ok: false; error: string; ms: number }> {
    const started = performance.now();
    const ms = () => Math.round((performance.now() - started) * 10) / 10;
    if (call.malformed !== undefined) return { ok: false, error: `The tool input is not valid JSON (${call.malformed}).`, ms: ms() };
    if (Date.now() > deadlineAt) return { ok: false, error: 'The turn ran out of time before this tool could run.', ms: ms() };
    const parsed = parseToolInput(call.name, call.input);
    if (!parsed.ok) return { ok: false, error: parsed.error, ms: ms() };
    try {
      const result = await runTool(call.name, parsed.value, { scope, now: now(), callId: call.id, proposals });
      return { ok: true, result, ms: ms() };
    } catch (error) {
      if (error instanceof ToolError) return { ok: false, error: error.message, ms: ms() };
      if (typeof (error as { code?: unknown }).code === 'string') {
        // A database refusal (RLS, a check): the model reads that it failed, never the internals.
        log('warn', 'tool failed in the database', {
          tool: call.name,
          code: (error as { code: string }).code,
          message: (error as Error).message,
        });
        return {
          ok: false,
          error: `The ${call.name} tool could not read that (${(error as { code: string }).code === '42501' ? 'not allowed' : 'database error'}).`,
          ms: ms(),
        };
      }
      throw error;
    }
  }

  async function vocabularyFor(scope: Scope): Promise<Vocabulary> {
    const ids = list(scope.spaces.map((s) => s.id));
    const tz = scope.spaces[0]?.timezone ?? 'UTC';
    const window = lastMonths(12, now(), tz);
    const { merchants, items } = await deps.asUser(async (query) => ({
      merchants: await query<{ description: string }>(
        `select e.description from public.expenses e
          where e.space_id = any(string_to_array($1::text, ',')::uuid[]) and e.date >= $2::date
          group by e.description order by count(*) desc, e.description limit 400`,
        [ids, window.from],
      ),
      items: await query<{ category: string; description: string | null }>(
        `select distinct i.category, i.description from public.budget_items i join public.budgets b on b.id = i.budget_id
          where b.space_id = any(string_to_array($1::text, ',')::uuid[]) and b.type = 'master' and b.month_period >= $2::date`,
        [ids, window.from],
      ),
    }));
    const categories = new Map<string, string>(DEFAULT_CATEGORIES.map((c) => [c.key, c.label]));
    for (const i of items) if (!categories.has(i.category)) categories.set(i.category, i.description ?? i.category.replace(/_/g, ' '));
    return {
      categories: [...categories].map(([key, label]) => ({ key, label })),
      merchants: merchants.map((m) => m.description),
      members: scope.members.map((m) => ({ id: m.id, username: m.username, fullName: m.fullName })),
      selfId: scope.userId,
    };
  }

  async function open(userId: string, request: ChatRequest): Promise<OpenTurn> {
    const startedAt = Date.now();
    const deadlineAt = startedAt + limits.turnDeadlineMs;
    if (request.confirm !== undefined) return openConfirmation(userId, request);
    const message = (request.message ?? '').trim();
    if (message === '') throw new ChatError(422, 'validation_failed', 'Send a message (or confirm: <proposal id> with conversation_id).');
    if (message.length > limits.maxMessageChars) {
      throw new ChatError(413, 'payload_too_large', `A message is at most ${limits.maxMessageChars} characters.`, {
        max_chars: limits.maxMessageChars,
      });
    }

    const opened = await deps.asUser(async (query) => {
      let conversation: Conversation | null = null;
      let created = false;
      if (request.conversationId !== undefined) {
        conversation = await loadConversation(query, request.conversationId);
        if (conversation === null) throw new ChatError(404, 'not_found', 'No such conversation, or it is not yours.');
        if (request.spaceId !== undefined && conversation.space_id !== request.spaceId.toLowerCase()) {
          throw new ChatError(409, 'conflict', 'This conversation is scoped to another space; start a new conversation for that one.');
        }
      }
      const spaceId = conversation ? conversation.space_id : (request.spaceId ?? null);
      const scope = await loadScope(query, userId, spaceId);
      if (spaceId !== null && scope.spaces.length === 0) {
        throw new ChatError(
          404,
          'not_found',
          conversation
            ? 'You are no longer a member of the space this conversation is about.'
            : 'No such space, or you are not a member of it.',
        );
      }
      if (scope.spaces.length === 0)
        throw new ChatError(404, 'not_found', 'You are not a member of any space yet: join or create one first.');
      if (conversation === null) {
        const [row] = await query<{ id: string; space_id: string | null; thread_id: string | null; title: string | null }>(
          `insert into public.ai_conversations (space_id) values ($1::uuid) returning id, space_id, thread_id, title`,
          [spaceId],
        );
        if (!row) throw new Error('conversation insert returned no row');
        conversation = { ...row, messages: [] };
        created = true;
      }
      return { conversation, scope, created };
    });

    if (deps.model !== null) {
      const used = await deps.backend(async (query) => {
        const [row] = await query<{ used: string | number }>(`select private.chat_tokens_used($1::uuid)::text as used`, [userId]);
        return Number(row?.used ?? 0);
      });
      if (used >= limits.monthlyTokenQuota) {
        const retry = secondsUntilNextMonth(now());
        throw new ChatError(
          429,
          'rate_limited',
          `You have used this month's assistant quota (${limits.monthlyTokenQuota} tokens). It resets at the start of next month (UTC).`,
          { used_tokens: used, quota_tokens: limits.monthlyTokenQuota, retry_after_seconds: retry },
          { 'Retry-After': String(retry) },
        );
      }
    }

    const { conversation, scope, created } = opened;
    return {
      conversationId: conversation.id,
      run: (emit) => runTurn({ userId, message, conversation, scope, created, deadlineAt, emit }),
    };
  }

  interface TurnState {
    userId: string;
    message: string;
    conversation: Conversation;
    scope: Scope;
    created: boolean;
    deadlineAt: number;
    emit: (event: ChatEvent) => void;
  }

  async function runTurn(t: TurnState): Promise<TurnResult> {
    const turnId = globalThis.crypto.randomUUID();
    t.emit({
      type: 'conversation',
      conversation_id: t.conversation.id,
      thread_id: t.conversation.thread_id,
      title: t.conversation.title,
      created: t.created,
      scope: t.scope.spaces.map((s) => ({ space_id: s.id, name: s.name })),
    });
    const stamp = () => new Date().toISOString();
    const question: StoredMessage = {
      role: 'user',
      content: [{ type: 'text', text: t.message }],
      created_at: stamp(),
      tokens: { input: estimateTokens(t.message), output: 0, estimated: true },
      turn: turnId,
    };
    const proposals: Proposal[] = [];
    const usage = emptyUsage();
    const trace: Trace = {
      source: 'ai',
      rounds: 0,
      tool_calls: [],
      citations: [],
      corrections: [],
      removed: [],
      notes: [],
      deadline_hit: false,
      history: { turns_kept: 0, turns_dropped: 0 },
    };
    let stored: StoredMessage[] = [question];
    let answer = '';
    let report: CheckReport | null = null;

    const emitProposals = (from: number) => {
      for (const p of proposals.slice(from)) {
        t.emit({
          type: 'proposal',
          id: p.id,
          kind: p.kind,
          summary: p.summary,
          confirm: { conversation_id: t.conversation.id, confirm: p.id },
        });
      }
    };

    let fallback: string | null = deps.model === null ? null : '';
    if (deps.model !== null) {
      const outcome = await runWithModel(deps.model, t, turnId, question, proposals, usage, trace, emitProposals);
      if (outcome.kind === 'fallback') {
        fallback = outcome.reason;
        // Nothing was shown: the offline assistant answers the whole turn, and the model's partial work is dropped.
        proposals.length = 0;
      } else {
        stored = [question, ...outcome.messages];
        answer = outcome.answer;
        report = outcome.report;
      }
    }
    if (deps.model === null || fallback) {
      trace.source = 'offline';
      if (fallback) trace.fallback_reason = fallback;
      const offline = await runOffline(t, turnId, proposals, trace, fallback);
      stored = [question, ...offline.messages];
      answer = offline.answer;
      report = offline.report;
    }
    if (report) {
      trace.citations = report.citations;
      trace.corrections = report.corrections;
      trace.removed = report.removed;
    }

    const last = stored[stored.length - 1];
    if (last && last.role === 'assistant') {
      last.citations = trace.citations;
      if (proposals.length > 0) last.proposal_ids = proposals.map((p) => p.id);
    }
    const title = t.conversation.title === null ? titleFrom(t.message) : null;
    await append(t.conversation, t.userId, stored, usage.total_tokens, title, proposals);
    const result: TurnResult = { conversation_id: t.conversation.id, answer, trace, usage };
    t.emit({ type: 'done', conversation_id: t.conversation.id, answer, usage, trace });
    return result;
  }

  /** The offline assistant: parse, run the planned tools, compose, check. */
  async function runOffline(t: TurnState, turnId: string, proposals: Proposal[], trace: Trace, fallback: string | null) {
    const vocabulary = await vocabularyFor(t.scope);
    const tz = t.scope.spaces[0]?.timezone ?? 'UTC';
    const parsed = parseQuestion(t.message, vocabulary, now(), tz);
    const plan = planFor(parsed);
    const executed: ExecutedCall[] = [];
    const toolUses: StoredMessage['content'] = [];
    const toolResults: StoredMessage['content'] = [];
    for (const [i, call] of plan.entries()) {
      const id = `offline_${turnId.slice(0, 8)}_${i + 1}`;
      t.emit({ type: 'tool_call', id, name: call.name, input: call.input });
      const outcome = await execute({ id, name: call.name, input: call.input }, t.scope, proposals, t.deadlineAt);
      trace.tool_calls.push({
        id,
        name: call.name,
        input: call.input,
        outcome: outcome.ok ? 'ok' : 'error',
        ms: outcome.ms,
        ...(outcome.ok ? (outcome.result.truncated === true ? { truncated: true } : {}) : { error: outcome.error }),
      });
      t.emit({
        type: 'tool_result',
        id,
        name: call.name,
        outcome: outcome.ok ? 'ok' : 'error',
        ms: outcome.ms,
        ...(outcome.ok ? {} : { error: outcome.error }),
      });
      executed.push(
        outcome.ok
          ? { id, name: call.name, ok: true, result: outcome.result }
          : { id, name: call.name, ok: false, result: null, error: outcome.error },
      );
      toolUses.push({ type: 'tool_use', id, name: call.name, input: call.input });
      toolResults.push(
        outcome.ok
          ? { type: 'tool_result', tool_use_id: id, content: wrapToolResult(call.name, id, outcome.result) }
          : { type: 'tool_result', tool_use_id: id, content: wrapToolError(call.name, id, outcome.error), is_error: true },
      );
    }
    trace.rounds = plan.length > 0 ? 1 : 0;
    const results = new Map(executed.filter((e) => e.ok).map((e) => [e.id, e.result]));
    const sources: Sources = { results, dataStrings: dataStringsOf(results.values()) };
    const label = fallback
      ? `Offline answer (the AI assistant is unavailable right now: ${fallback.replace(/_/g, ' ')}), computed from your data.`
      : OFFLINE_NOTE;
    const body = composeOffline(parsed, executed);
    const checked = checkText(body, sources);
    const removedNote = checked.report.removed.length > 0 ? `\n${REMOVED_NOTE}` : '';
    const answer = `${label}\n${checked.text}${removedNote}`;
    for (const piece of [`${label}\n`, ...splitForStream(checked.text), removedNote].filter((p) => p !== ''))
      t.emit({ type: 'text_delta', text: piece });
    trace.notes.push(label);
    const stamp = new Date().toISOString();
    const zero = { input: 0, output: 0 };
    const messages: StoredMessage[] = [];
    if (toolUses.length > 0) {
      messages.push({ role: 'assistant', content: toolUses, created_at: stamp, tokens: zero, turn: turnId, source: 'offline' });
      messages.push({
        role: 'user',
        content: toolResults,
        created_at: stamp,
        tokens: { input: estimateTokens(toolResults), output: 0, estimated: true },
        turn: turnId,
      });
    }
    messages.push({
      role: 'assistant',
      content: [{ type: 'text', text: answer }],
      created_at: stamp,
      tokens: zero,
      turn: turnId,
      source: 'offline',
    });
    return { messages, answer, report: checked.report };
  }

  type ModelOutcome =
    { kind: 'fallback'; reason: string } | { kind: 'answered'; messages: StoredMessage[]; answer: string; report: CheckReport };

  async function runWithModel(
    model: ModelClient,
    t: TurnState,
    turnId: string,
    question: StoredMessage,
    proposals: Proposal[],
    usage: Usage,
    trace: Trace,
    emitProposals: (from: number) => void,
  ): Promise<ModelOutcome> {
    trace.model = model.model;
    const history = trimHistory(t.conversation.messages, limits.historyTokens);
    trace.history = { turns_kept: history.turnsKept, turns_dropped: history.turnsDropped };
    const apiMessages: ApiMessage[] = [...history.messages, toApiMessage(question)];
    const tz = t.scope.spaces[0]?.timezone ?? 'UTC';
    const self = memberName({ scope: t.scope }, t.scope.userId).replace(' (you)', '');
    const system: ModelRequest['system'] = [
      { type: 'text', text: SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } },
      { type: 'text', text: turnContext(t.scope.spaces, todayIn(now(), tz), self) },
    ];
    const results = new Map<string, unknown>();
    const state = new CitationState();
    const messages: StoredMessage[] = [];
    const shown: string[] = [];
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error('deadline')), Math.max(0, t.deadlineAt - Date.now()));
    const emitText = (text: string) => {
      shown.push(text);
      t.emit({ type: 'text_delta', text });
    };
    const sources = (): Sources => ({ results, dataStrings: dataStringsOf(results.values()) });

    try {
      for (let round = 1; round <= limits.maxToolRounds; round++) {
        trace.rounds = round;
        const lastRound = round === limits.maxToolRounds;
        const request: ModelRequest = {
          system,
          tools: cachedTools,
          tool_choice: lastRound ? { type: 'none' } : { type: 'auto' },
          messages: apiMessages,
          max_tokens: limits.maxOutputTokens,
        };
        const blocks: Array<
          | { type: 'text'; text: string; splitter: SentenceSplitter }
          | { type: 'tool_use'; id: string; name: string; json: string; input: unknown; malformed?: string }
        > = [];
        const roundUsage: ModelUsage = {};
        let stopReason: string | null | undefined = null;
        const flushText = (block: { text: string; splitter: SentenceSplitter }, sentences: string[]) => {
          for (const sentence of sentences) {
            const checked = checkSentence(sentence, sources(), state);
            if (checked !== null && checked !== '') {
              block.text += checked;
              emitText(checked);
            }
          }
        };
        try {
          for await (const event of model.stream(request, abort.signal) as AsyncIterable<ModelEvent>) {
            switch (event.type) {
              case 'message_start':
                Object.assign(roundUsage, event.message.usage ?? {});
                break;
              case 'content_block_start':
                if (event.content_block.type === 'text') {
                  blocks[event.index] = { type: 'text', text: '', splitter: new SentenceSplitter() };
                  if (event.content_block.text)
                    flushText(
                      blocks[event.index] as never,
                      (blocks[event.index] as { splitter: SentenceSplitter }).splitter.push(event.content_block.text),
                    );
                } else if (event.content_block.type === 'tool_use') {
                  blocks[event.index] = {
                    type: 'tool_use',
                    id: String(event.content_block.id ?? `toolu_missing_${event.index}`),
                    name: String(event.content_block.name ?? ''),
                    json: '',
                    input: {},
                  };
                }
                break;
              case 'content_block_delta': {
                const block = blocks[event.index];
                if (block?.type === 'text' && typeof event.delta.text === 'string') flushText(block, block.splitter.push(event.delta.text));
                else if (block?.type === 'tool_use' && typeof event.delta.partial_json === 'string') block.json += event.delta.partial_json;
                break;
              }
              case 'content_block_stop': {
                const block = blocks[event.index];
                if (block?.type === 'text') flushText(block, block.splitter.flush());
                else if (block?.type === 'tool_use') {
                  try {
                    block.input = block.json.trim() === '' ? {} : (JSON.parse(block.json) as unknown);
                  } catch (error) {
                    block.malformed = (error as Error).message.slice(0, 120);
                  }
                }
                break;
              }
              case 'message_delta':
                stopReason = event.delta.stop_reason;
                if (event.usage) {
                  if (event.usage.output_tokens !== null && event.usage.output_tokens !== undefined)
                    roundUsage.output_tokens = event.usage.output_tokens;
                  for (const key of ['input_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const) {
                    if (event.usage[key] !== null && event.usage[key] !== undefined) roundUsage[key] = event.usage[key];
                  }
                }
                break;
              default:
                break;
            }
          }
          // The SDK ends an aborted stream quietly: the deadline is handled like a thrown abort.
          if (abort.signal.aborted) throw new Error('deadline');
        } catch (error) {
          addUsage(usage, roundUsage);
          if (abort.signal.aborted) {
            trace.deadline_hit = true;
            for (const b of blocks) if (b?.type === 'text') flushText(b, b.splitter.flush());
            const partial = blocks.filter(
              (b): b is { type: 'text'; text: string; splitter: SentenceSplitter } => b?.type === 'text' && b.text !== '',
            );
            if (partial.length > 0)
              messages.push(
                assistantMessage(
                  partial.map((b) => ({ type: 'text' as const, text: b.text })),
                  roundUsage,
                  turnId,
                ),
              );
            break;
          }
          if (shown.length === 0) {
            log('warn', 'model failed; answering offline', { reason: model.describe(error), message: (error as Error).message });
            return {
              kind: 'fallback',
              reason: model.isUnavailable(error) ? model.describe(error) : `model_error (${model.describe(error)})`,
            };
          }
          trace.notes.push(`the model failed mid-answer: ${model.describe(error)}`);
          messages.push(assistantMessage([{ type: 'text', text: shown.join('') }], roundUsage, turnId));
          break;
        }
        addUsage(usage, roundUsage);

        const text = blocks
          .filter((b): b is { type: 'text'; text: string; splitter: SentenceSplitter } => b?.type === 'text')
          .map((b) => ({ type: 'text' as const, text: b.text }))
          .filter((b) => b.text !== '');
        const calls = blocks.filter(
          (b): b is { type: 'tool_use'; id: string; name: string; json: string; input: unknown; malformed?: string } =>
            b?.type === 'tool_use',
        );
        if (calls.length === 0 || (stopReason !== 'tool_use' && calls.length === 0)) {
          messages.push(assistantMessage(text.length > 0 ? text : [{ type: 'text', text: '' }], roundUsage, turnId));
          break;
        }
        if (lastRound) {
          // The forced text round still asked for tools: they are not run, and the answer says why.
          trace.notes.push(ROUND_CAP_NOTE);
          messages.push(assistantMessage(text.length > 0 ? text : [{ type: 'text', text: '' }], roundUsage, turnId));
          break;
        }
        const assistant = assistantMessage(
          [
            ...text,
            ...calls.map((c) => ({ type: 'tool_use' as const, id: c.id, name: c.name, input: c.malformed === undefined ? c.input : {} })),
          ],
          roundUsage,
          turnId,
        );
        messages.push(assistant);
        const resultBlocks: StoredMessage['content'] = [];
        for (const call of calls) {
          t.emit({
            type: 'tool_call',
            id: call.id,
            name: call.name,
            input: call.malformed === undefined ? call.input : { malformed: call.json.slice(0, 200) },
          });
          const before = proposals.length;
          const outcome = await execute(call, t.scope, proposals, t.deadlineAt);
          trace.tool_calls.push({
            id: call.id,
            name: call.name,
            input: call.malformed === undefined ? call.input : { malformed: call.json.slice(0, 200) },
            outcome: outcome.ok ? 'ok' : 'error',
            ms: outcome.ms,
            ...(outcome.ok ? (outcome.result.truncated === true ? { truncated: true } : {}) : { error: outcome.error }),
          });
          t.emit({
            type: 'tool_result',
            id: call.id,
            name: call.name,
            outcome: outcome.ok ? 'ok' : 'error',
            ms: outcome.ms,
            ...(outcome.ok ? {} : { error: outcome.error }),
          });
          if (outcome.ok) {
            results.set(call.id, outcome.result);
            resultBlocks.push({ type: 'tool_result', tool_use_id: call.id, content: wrapToolResult(call.name, call.id, outcome.result) });
            if (WRITE_TOOLS.has(call.name)) emitProposals(before);
          } else {
            resultBlocks.push({
              type: 'tool_result',
              tool_use_id: call.id,
              content: wrapToolError(call.name, call.id, outcome.error),
              is_error: true,
            });
          }
        }
        const toolMessage: StoredMessage = {
          role: 'user',
          content: resultBlocks,
          created_at: new Date().toISOString(),
          tokens: { input: estimateTokens(resultBlocks), output: 0, estimated: true },
          turn: turnId,
        };
        messages.push(toolMessage);
        apiMessages.push(toApiMessage(assistant), toApiMessage(toolMessage));
        if (Date.now() > t.deadlineAt) {
          trace.deadline_hit = true;
          break;
        }
      }
    } finally {
      clearTimeout(timer);
    }

    // The transcript must end with the assistant's answer (and never with unanswered tool calls).
    const notes: string[] = [];
    if (trace.deadline_hit) notes.push(DEADLINE_NOTE);
    if (trace.notes.includes(ROUND_CAP_NOTE)) notes.push(ROUND_CAP_NOTE);
    if (state.removed.length > 0) notes.push(REMOVED_NOTE);
    if (shown.length === 0 && notes.length === 0) notes.push('I have no answer to that from your data.');
    const noteText = notes.length === 0 ? '' : `${shown.length > 0 ? '\n\n' : ''}${notes.join(' ')}`;
    if (noteText !== '') emitText(noteText);
    for (const n of notes) if (!trace.notes.includes(n)) trace.notes.push(n);
    const answer = shown.join('');
    let last = messages[messages.length - 1];
    if (last === undefined || last.role !== 'assistant' || last.content.some((b) => b.type === 'tool_use')) {
      if (last !== undefined && last.role === 'assistant') {
        // Tool calls the deadline left unanswered: drop them, keep its text.
        last.content = last.content.filter((b) => b.type !== 'tool_use');
        if (last.content.length === 0) messages.pop();
      }
      last = messages[messages.length - 1];
      if (last === undefined || last.role !== 'assistant') {
        messages.push(assistantMessage([{ type: 'text', text: '' }], {}, turnId));
        last = messages[messages.length - 1];
      }
    }
    if (last && noteText !== '') {
      const textBlock = last.content.find((b) => b.type === 'text');
      if (textBlock && textBlock.type === 'text') textBlock.text += noteText;
      else last.content.push({ type: 'text', text: noteText });
    }
    if (last) last.content = last.content.filter((b) => b.type !== 'text' || b.text !== '');
    if (last && last.content.length === 0) last.content.push({ type: 'text', text: answer });
    return { kind: 'answered', messages, answer, report: state.report() };
  }

  function assistantMessage(content: StoredMessage['content'], u: ModelUsage, turn: string): StoredMessage {
    return {
      role: 'assistant',
      content,
      created_at: new Date().toISOString(),
      tokens: {
        input: u.input_tokens ?? 0,
        output: u.output_tokens ?? 0,
        ...(u.cache_read_input_tokens ? { cache_read: u.cache_read_input_tokens } : {}),
        ...(u.cache_creation_input_tokens ? { cache_creation: u.cache_creation_input_tokens } : {}),
      },
      turn,
      source: 'ai',
    };
  }

  /** Confirms a proposal: flips it from pending and carries it out, as the person, in one transaction. */
  async function openConfirmation(userId: string, request: ChatRequest): Promise<OpenTurn> {
    if (request.conversationId === undefined)
      throw new ChatError(422, 'validation_failed', 'confirm needs the conversation_id the proposal was made in.');
    const proposalId = request.confirm as string;
    const done = await deps.asUser(async (query) => {
      const conversation = await loadConversation(query, request.conversationId as string);
      if (conversation === null) throw new ChatError(404, 'not_found', 'No such conversation, or it is not yours.');
      const [proposal] = await query<{ id: string; kind: string; payload: unknown; summary: string; space_id: string | null }>(
        `update public.ai_proposals p set status = 'confirmed'
          where p.id = $1::uuid and p.conversation_id = $2::uuid and p.status = 'pending' and p.expires_at > now()
          returning p.id, p.kind, p.payload, p.summary, p.space_id`,
        [proposalId, conversation.id],
      );
      if (proposal === undefined) {
        const [seen] = await query<{ status: string; expired: boolean }>(
          `select p.status, p.expires_at <= now() as expired from public.ai_proposals p where p.id = $1::uuid and p.conversation_id = $2::uuid`,
          [proposalId, conversation.id],
        );
        if (seen === undefined) throw new ChatError(404, 'not_found', 'No such proposal in this conversation.');
        if (seen.status !== 'pending') throw new ChatError(409, 'conflict', `This proposal was already ${seen.status}.`);
        throw new ChatError(410, 'gone', 'This proposal has expired; ask again.');
      }
      const payload = (typeof proposal.payload === 'string' ? JSON.parse(proposal.payload) : proposal.payload) as Record<string, unknown>;
      let outcome: Record<string, unknown>;
      switch (proposal.kind) {
        case 'expense': {
          const [row] = await query<{ id: string; amount: string; currency: string }>(
            `insert into public.expenses (space_id, amount, description, category, date)
             values ($1::uuid, $2::numeric, $3::text, $4::text, $5::date) returning id, amount::text as amount, currency`,
            [payload.space_id, payload.amount, payload.description, payload.category, payload.date],
          );
          outcome = { expense_id: row?.id, amount: row?.amount, currency: row?.currency };
          break;
        }
        case 'split': {
          const rows = await query<{ user_id: string; amount: string }>(
            `select s.user_id, s.amount::text as amount from public.split_expense($1::uuid, $2::text, $3::text::jsonb) s`,
            [payload.expense_id, payload.mode, JSON.stringify(payload.parts)],
          );
          outcome = { expense_id: payload.expense_id, splits: rows };
          break;
        }
        case 'budget_change': {
          const rows = await query<{ id: string; budgeted: string }>(
            `update public.budget_items i set budgeted_amount = $2::numeric where i.id = $1::uuid returning i.id, i.budgeted_amount::text as budgeted`,
            [payload.budget_item_id, payload.to],
          );
          if (rows.length === 0) throw new ChatError(403, 'forbidden', 'You can no longer change this budget; nothing was changed.');
          outcome = { budget_item_id: rows[0]?.id, budgeted_amount: rows[0]?.budgeted };
          break;
        }
        default:
          throw new ChatError(422, 'validation_failed', `Unknown proposal kind ${proposal.kind}.`);
      }
      return { conversation, proposal, outcome };
    });

    return {
      conversationId: done.conversation.id,
      async run(emit) {
        const turnId = globalThis.crypto.randomUUID();
        emit({
          type: 'conversation',
          conversation_id: done.conversation.id,
          thread_id: done.conversation.thread_id,
          title: done.conversation.title,
          created: false,
          scope: [],
        });
        const answer = `Done: ${done.proposal.summary}.`;
        emit({ type: 'text_delta', text: answer });
        const stamp = new Date().toISOString();
        await append(
          done.conversation,
          userId,
          [
            {
              role: 'user',
              content: [{ type: 'text', text: `Confirm proposal ${done.proposal.id}: ${done.proposal.summary}` }],
              created_at: stamp,
              tokens: { input: 0, output: 0, estimated: true },
              turn: turnId,
              proposal_ids: [done.proposal.id],
            },
            {
              role: 'assistant',
              content: [{ type: 'text', text: answer }],
              created_at: stamp,
              tokens: { input: 0, output: 0 },
              turn: turnId,
              source: 'system',
              proposal_ids: [done.proposal.id],
            },
          ],
          0,
          null,
          [],
        );
        const trace: Trace = {
          source: 'offline',
          rounds: 0,
          tool_calls: [],
          citations: [],
          corrections: [],
          removed: [],
          notes: [`confirmed proposal ${done.proposal.id} (${done.proposal.kind})`],
          deadline_hit: false,
          history: { turns_kept: 0, turns_dropped: 0 },
        };
        const usage = emptyUsage();
        emit({ type: 'done', conversation_id: done.conversation.id, answer, usage, trace });
        return { conversation_id: done.conversation.id, answer, trace, usage, outcome: done.outcome } as TurnResult;
      },
    };
  }

  return { open, limits };
}

export type ChatService = ReturnType<typeof createChatService>;

/** Cuts a checked answer into sentence-sized deltas for streaming. */
function splitForStream(text: string): string[] {
  const splitter = new SentenceSplitter();
  return [...splitter.push(text), ...splitter.flush()];
}
