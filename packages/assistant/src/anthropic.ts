/**
 * The chat model over @anthropic-ai/sdk: `messages.create({ stream: true })`
 * with the request the service builds (cached system prompt and tools), the
 * raw stream events passed through, and the SDK's errors classified.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { ModelClient, ModelEvent } from './model.ts';

export function anthropicModel(client: Anthropic, model: string): ModelClient {
  return {
    model,
    async *stream(request, signal) {
      const stream = await client.messages.create(
        {
          model,
          max_tokens: request.max_tokens,
          system: request.system,
          tools: request.tools as Anthropic.Messages.Tool[],
          tool_choice: request.tool_choice,
          messages: request.messages as Anthropic.Messages.MessageParam[],
          stream: true,
        },
        { signal },
      );
      for await (const event of stream) yield event as unknown as ModelEvent;
    },
    isUnavailable(error) {
      if (error instanceof Anthropic.APIConnectionError) return true; // includes timeouts
      if (error instanceof Anthropic.APIError) {
        const status = error.status;
        return status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
      }
      return false;
    },
    describe(error) {
      if (error instanceof Anthropic.APIConnectionTimeoutError) return 'timeout';
      if (error instanceof Anthropic.APIConnectionError) return 'connection_error';
      if (error instanceof Anthropic.APIError) {
        if (error.status === 429) return 'rate_limited';
        if (error.status === 529) return 'overloaded';
        const type = (error.error as { error?: { type?: string } } | undefined)?.error?.type;
        if (error.status === undefined) return type ?? 'stream_error';
        return `http_${error.status}`;
      }
      return error instanceof Error ? error.name : 'unknown';
    },
  };
}
