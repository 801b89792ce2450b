/**
 * The demo's assistant step: three questions to the ai-chat edge function
 * about the demo's space, streamed (Server-Sent Events) as an app would read
 * them, the answers printed as they arrive with their footnotes resolved.
 * A module of its own so that scripts/demo.ts only calls it.
 */

export interface ChatStepContext {
  /** What supabase-js calls SUPABASE_URL: functions are at `${apiUrl}/functions/v1/<name>`. */
  readonly apiUrl: string;
  /** The asking person's access token. */
  readonly token: string;
  readonly spaceId: string;
  readonly heading: (title: string) => void;
  readonly say: (text: string) => void;
}

export const DEMO_QUESTIONS = ['How much did we spend this month?', 'What did we spend the most on this month?', 'Who owes whom?'] as const;

interface DoneEvent {
  answer: string;
  trace: {
    source: string;
    citations: Array<{ n: number; tool_call_id: string; path: string; value: string | number }>;
    tool_calls: Array<{ name: string; ms: number }>;
  };
}

/** POSTs one question and reads the event stream; returns the conversation id and the done event. */
export async function askStreaming(
  ctx: ChatStepContext,
  body: Record<string, unknown>,
  onText: (text: string) => void,
): Promise<{ conversationId: string; done: DoneEvent }> {
  const res = await fetch(`${ctx.apiUrl}/functions/v1/ai-chat`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ctx.token}`, 'Content-Type': 'application/json', Accept: 'text/event-stream' },
    body: JSON.stringify(body),
  });
  if (!res.ok || res.body === null) throw new Error(`ai-chat answered ${res.status}: ${await res.text()}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let conversationId = '';
  let done: DoneEvent | null = null;
  for (;;) {
    const { value, done: finished } = await reader.read();
    if (finished) break;
    buffer += value;
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.+)$/m.exec(frame)?.[1];
      const data = JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? '{}') as Record<string, unknown>;
      if (event === 'conversation') conversationId = String(data.conversation_id);
      else if (event === 'text_delta') onText(String(data.text));
      else if (event === 'done') done = data as unknown as DoneEvent;
      else if (event === 'error') throw new Error(`ai-chat failed: ${String(data.message)}`);
    }
  }
  if (done === null) throw new Error('the ai-chat stream ended without a done event');
  return { conversationId, done };
}

export async function chatStep(ctx: ChatStepContext): Promise<void> {
  ctx.heading('Alice asks the assistant about the trip');
  ctx.say('ai-chat answers from her own data, as her (RLS), and checks every figure against the tool result it cites.');
  let conversationId: string | undefined;
  for (const question of DEMO_QUESTIONS) {
    ctx.say('');
    ctx.say(`Q: ${question}`);
    let text = '';
    const { conversationId: id, done } = await askStreaming(
      ctx,
      { ...(conversationId === undefined ? { space_id: ctx.spaceId } : { conversation_id: conversationId }), message: question },
      (delta) => (text += delta),
    );
    conversationId = id;
    for (const line of text.split('\n')) if (line.trim() !== '') ctx.say(`   ${line}`);
    const sources = done.trace.citations.slice(0, 3).map((c) => `[${c.n}] ${c.path} = ${String(c.value)}`);
    ctx.say(
      `   (${done.trace.source}; tools: ${done.trace.tool_calls.map((t) => `${t.name} ${Math.round(t.ms)} ms`).join(', ') || 'none'}${sources.length ? `; ${sources.join(', ')}` : ''})`,
    );
  }
  ctx.say('');
  ctx.say('The three questions are one conversation: its transcript is stored, and only Alice can read it.');
}
