import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: {
    model?: string;
    tools?: Array<{ name: string; input_schema: { properties: { category: { enum: string[] } } }; cache_control?: unknown }>;
    tool_choice?: unknown;
    messages?: Array<{ role: string; content: string | Array<Record<string, unknown>> }>;
    system?: string | Array<{ type: string; text: string; cache_control?: unknown }>;
    stream?: boolean;
    max_tokens?: number;
  };
}

/** One Messages API stream event (the JSON of its data line; its `type` is also the SSE event name). */
export type FakeStreamEvent = { type: string; [key: string]: unknown };

/** What the fake answers to one request: a status and JSON body, or nothing for `delayMs` (to time out). */
export type FakeReply =
  | { status: number; body: unknown; headers?: Record<string, string>; delayMs?: number }
  | { hang: true }
  /**
   * A streamed answer (Server-Sent Events, as the API streams with `stream: true`): the events in order,
   * `chunkDelayMs` apart; `hangAfter` stops sending (without closing) after that many events.
   */
  | { stream: FakeStreamEvent[]; chunkDelayMs?: number; hangAfter?: number; delayMs?: number };

/**
 * A local stand-in for the Anthropic Messages API on 127.0.0.1: POST /v1/messages
 * answered by `reply`, every request recorded. The real SDK talks to it through baseURL.
 */
export async function startFakeAnthropic(reply: (request: FakeRequest, index: number) => FakeReply) {
  const requests: FakeRequest[] = [];
  const hanging = new Set<ServerResponse>();
  let current = reply;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/messages') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'not found' } }));
        return;
      }
      let body: FakeRequest['body'] = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FakeRequest['body'];
      } catch {
        // recorded as empty
      }
      const request: FakeRequest = { path: req.url, headers: req.headers, body };
      requests.push(request);
      const answer = current(request, requests.length - 1);
      if ('hang' in answer) {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if ('stream' in answer) {
        const events = answer.stream;
        const startStream = () => {
          res.writeHead(200, {
            'content-type': 'text/event-stream',
            'cache-control': 'no-cache',
            'request-id': `req_fake_${requests.length}`,
          });
          let i = 0;
          const next = () => {
            if (res.destroyed) return;
            if (answer.hangAfter !== undefined && i >= answer.hangAfter) {
              hanging.add(res);
              res.on('close', () => hanging.delete(res));
              return;
            }
            const event = events[i++];
            if (event === undefined) {
              res.end();
              return;
            }
            res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
            if (answer.chunkDelayMs) setTimeout(next, answer.chunkDelayMs);
            else next();
          };
          next();
        };
        if (answer.delayMs) setTimeout(startStream, answer.delayMs);
        else startStream();
        return;
      }
      const send = () => {
        res.writeHead(answer.status, {
          'content-type': 'application/json',
          'request-id': `req_fake_${requests.length}`,
          ...answer.headers,
        });
        res.end(JSON.stringify(answer.body));
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setReply(next: typeof reply) {
      current = next;
      requests.length = 0;
    },
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A successful Messages API answer with the given content blocks. */
function messageAnswer(content: unknown[], stopReason: 'tool_use' | 'end_turn', model: string): FakeReply {
  return {
    status: 200,
    body: {
      id: 'msg_fake',
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: { input_tokens: 100, output_tokens: 20 },
    },
  };
}

/** A Messages API answer whose tool call (record_category unless named) records `input`. */
export function toolAnswer(input: unknown, model = 'claude-haiku-4-5', name = 'record_category'): FakeReply {
  return messageAnswer([{ type: 'tool_use', id: 'toolu_fake', name, input }], 'tool_use', model);
}

export function textAnswer(text: string): FakeReply {
  return messageAnswer([{ type: 'text', text }], 'end_turn', 'claude-haiku-4-5');
}

/** An API error the way Anthropic sends them; retry-after-ms keeps the SDK's backoff short in tests. */
export function apiError(status: number, type: string): FakeReply {
  return {
    status,
    body: { type: 'error', error: { type, message: `fake ${type}` } },
    headers: { 'retry-after-ms': '5' },
  };
}

/** The expense text the handler put in the prompt (the first message's text). */
export function promptOf(request: FakeRequest): string {
  const content = request.body.messages?.[0]?.content ?? '';
  return typeof content === 'string' ? content : content.map((b) => (typeof b.text === 'string' ? b.text : '')).join('');
}

export interface StreamedToolCall {
  readonly id: string;
  readonly name: string;
  /** The input; or `rawJson`, sent as is (to send malformed JSON). */
  readonly input?: unknown;
  readonly rawJson?: string;
}

const streamUsage = { input_tokens: 120, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

/**
 * A streamed assistant message, event by event as the Messages API sends them:
 * message_start, per block content_block_start / _delta / _stop (text in small
 * text_delta pieces, tool input in input_json_delta pieces), a ping,
 * message_delta with the stop reason and usage, message_stop.
 */
export function streamMessage(
  parts: {
    text?: string;
    toolCalls?: readonly StreamedToolCall[];
    usage?: { input_tokens?: number; output_tokens?: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number };
  },
  model = 'claude-haiku-4-5',
): FakeStreamEvent[] {
  const usage = { ...streamUsage, ...parts.usage };
  const events: FakeStreamEvent[] = [
    {
      type: 'message_start',
      message: {
        id: 'msg_fake',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    },
  ];
  let index = 0;
  if (parts.text !== undefined && parts.text !== '') {
    events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }, { type: 'ping' });
    for (const piece of parts.text.match(/[\s\S]{1,7}/g) ?? [])
      events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
    events.push({ type: 'content_block_stop', index });
    index += 1;
  }
  for (const call of parts.toolCalls ?? []) {
    events.push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } });
    const json = call.rawJson ?? JSON.stringify(call.input ?? {});
    for (const piece of json.match(/[\s\S]{1,9}/g) ?? [])
      events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
    events.push({ type: 'content_block_stop', index });
    index += 1;
  }
  events.push(
    {
      type: 'message_delta',
      delta: { stop_reason: (parts.toolCalls?.length ?? 0) > 0 ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: {
        output_tokens: usage.output_tokens === 1 ? 40 : usage.output_tokens,
        input_tokens: usage.input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
      },
    },
    { type: 'message_stop' },
  );
  return events;
}

/** An error in the middle of a stream, as the API sends it (event: error). */
export function streamError(type: 'overloaded_error' | 'api_error' = 'overloaded_error'): FakeStreamEvent {
  return { type: 'error', error: { type, message: `fake ${type}` } };
}
