import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: {
    model?: string;
    tools?: Array<{ name: string; input_schema: { properties: { category: { enum: string[] } } } }>;
    tool_choice?: unknown;
    messages?: Array<{ role: string; content: string }>;
    system?: string;
  };
}

/** What the fake answers to one request: a status and JSON body, or nothing for `delayMs` (to time out). */
export type FakeReply = { status: number; body: unknown; headers?: Record<string, string>; delayMs?: number } | { hang: true };

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

/** A Messages API answer whose tool call records `input`. */
export function toolAnswer(input: unknown, model = 'claude-haiku-4-5'): FakeReply {
  return messageAnswer([{ type: 'tool_use', id: 'toolu_fake', name: 'record_category', input }], 'tool_use', model);
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

/** The expense text the handler put in the prompt. */
export function promptOf(request: FakeRequest): string {
  return request.body.messages?.[0]?.content ?? '';
}
