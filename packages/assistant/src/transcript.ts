/**
 * The transcript stored in ai_conversations.messages: Messages API blocks
 * (text, tool_use, tool_result) with per-message token counts, timestamps and
 * what the backend knows about the message (its source, its citations).
 *
 * Only the backend appends to it (private.append_chat_turn, under a row lock),
 * so what is read back is trusted; it is still parsed with zod before it is
 * replayed to the model.
 */
import { z } from 'zod';

export const TextBlock = z.object({ type: z.literal('text'), text: z.string() });
export const ToolUseBlock = z.object({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() });
export const ToolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.string(),
  is_error: z.boolean().optional(),
});
export const Block = z.discriminatedUnion('type', [TextBlock, ToolUseBlock, ToolResultBlock]);
export type Block = z.output<typeof Block>;

export const MessageTokens = z.object({
  input: z.number().int().nonnegative(),
  output: z.number().int().nonnegative(),
  cache_read: z.number().int().nonnegative().optional(),
  cache_creation: z.number().int().nonnegative().optional(),
  /** True when counted by the backend's estimate (user text, tool results), not reported by the model. */
  estimated: z.boolean().optional(),
});
export type MessageTokens = z.output<typeof MessageTokens>;

export const StoredMessage = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.array(Block),
  created_at: z.string(),
  tokens: MessageTokens,
  /** Which turn of the conversation this message belongs to. */
  turn: z.string().optional(),
  /** assistant messages: who wrote them. */
  source: z.enum(['ai', 'offline', 'system']).optional(),
  /** Final answers: their footnotes. */
  citations: z
    .array(z.object({ n: z.number(), tool_call_id: z.string(), path: z.string(), value: z.union([z.string(), z.number()]) }))
    .optional(),
  /** Proposals made in this message's tool results, and confirmations. */
  proposal_ids: z.array(z.string()).optional(),
});
export type StoredMessage = z.output<typeof StoredMessage>;

export function parseTranscript(value: unknown): StoredMessage[] {
  const parsed = z.array(StoredMessage).safeParse(value);
  return parsed.success ? parsed.data : [];
}

/** A message as the Messages API takes it. */
export interface ApiMessage {
  role: 'user' | 'assistant';
  content: Array<
    | { type: 'text'; text: string }
    | { type: 'tool_use'; id: string; name: string; input: unknown }
    | { type: 'tool_result'; tool_use_id: string; content: string; is_error?: boolean }
  >;
}

export function toApiMessage(message: StoredMessage): ApiMessage {
  return {
    role: message.role,
    content: message.content.map((b) => {
      switch (b.type) {
        case 'text':
          return { type: 'text', text: b.text };
        case 'tool_use':
          return { type: 'tool_use', id: b.id, name: b.name, input: b.input ?? {} };
        case 'tool_result':
          return { type: 'tool_result', tool_use_id: b.tool_use_id, content: b.content, ...(b.is_error ? { is_error: true } : {}) };
      }
    }),
  };
}

/** The answer a turn ended with: the text of its last assistant message. */
export function finalText(messages: readonly StoredMessage[]): string {
  const last = [...messages].reverse().find((m) => m.role === 'assistant');
  return (
    last?.content
      .filter((b) => b.type === 'text')
      .map((b) => (b as { text: string }).text)
      .join('') ?? ''
  );
}

/** A rough token count (4 characters a token): what trimming and quota pre-checks need, not billing. */
export function estimateTokens(value: unknown): number {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return Math.ceil((text?.length ?? 0) / 4);
}

/** The turns of a transcript: each starts with a user message that asks (text), and runs until the next one. */
export function turnsOf(messages: readonly StoredMessage[]): StoredMessage[][] {
  const turns: StoredMessage[][] = [];
  for (const m of messages) {
    const asks = m.role === 'user' && m.content.some((b) => b.type === 'text');
    if (asks || turns.length === 0) turns.push([m]);
    else turns[turns.length - 1]?.push(m);
  }
  return turns;
}

export interface TrimmedHistory {
  readonly messages: ApiMessage[];
  readonly turnsKept: number;
  readonly turnsDropped: number;
  readonly estimatedTokens: number;
}

/**
 * The history to replay within a token budget: the newest `keepToolTurns`
 * turns whole (their tool calls and results, which their answers cite), older
 * ones collapsed to the question and the final answer, and the oldest dropped
 * until the estimate fits. Always valid for the Messages API: it starts with a
 * user message and roles alternate.
 */
export function trimHistory(messages: readonly StoredMessage[], budgetTokens: number, keepToolTurns = 2): TrimmedHistory {
  const turns = turnsOf(messages).filter((t) => t[0]?.role === 'user' && t.at(-1)?.role === 'assistant');
  const shaped = turns.map((turn, i) => {
    if (i >= turns.length - keepToolTurns) return turn.map(toApiMessage);
    const question = turn[0] as StoredMessage;
    return [
      {
        role: 'user' as const,
        content: question.content
          .filter((b) => b.type === 'text')
          .map((b) => ({ type: 'text' as const, text: (b as { text: string }).text })),
      },
      { role: 'assistant' as const, content: [{ type: 'text' as const, text: finalText(turn) || '(no answer)' }] },
    ];
  });
  const cost = shaped.map((t) => estimateTokens(t));
  let total = cost.reduce((a, b) => a + b, 0);
  let start = 0;
  while (start < shaped.length && total > budgetTokens) {
    total -= cost[start] ?? 0;
    start += 1;
  }
  return { messages: shaped.slice(start).flat(), turnsKept: shaped.length - start, turnsDropped: start, estimatedTokens: total };
}

/** A title from the first exchange: the question's first words, without citations. */
export function titleFrom(question: string): string {
  const clean = question.replace(/\s+/g, ' ').trim();
  if (clean.length <= 60) return clean;
  const cut = clean.slice(0, 60);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 30 ? cut.lastIndexOf(' ') : 60)}…`;
}
