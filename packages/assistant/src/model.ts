/**
 * The model as the chat service sees it: one streamed Messages API call.
 * `@wallai/assistant/anthropic` implements it with @anthropic-ai/sdk; the
 * service never imports the SDK, so it runs (offline) without one.
 */
import type { ApiTool } from './tools.ts';
import type { ApiMessage } from './transcript.ts';

export interface SystemBlock {
  type: 'text';
  text: string;
  cache_control?: { type: 'ephemeral' };
}

export interface ModelRequest {
  readonly system: SystemBlock[];
  readonly tools: ApiTool[];
  readonly tool_choice: { type: 'auto' } | { type: 'none' };
  readonly messages: ApiMessage[];
  readonly max_tokens: number;
}

export interface ModelUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

/** The Messages API stream events the service reads (others, like ping, are skipped by the SDK). */
export type ModelEvent =
  | { type: 'message_start'; message: { id?: string; model?: string; usage?: ModelUsage } }
  | {
      type: 'content_block_start';
      index: number;
      content_block: { type: string; text?: string; id?: string; name?: string; input?: unknown };
    }
  | { type: 'content_block_delta'; index: number; delta: { type: string; text?: string; partial_json?: string } }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason?: string | null }; usage?: ModelUsage }
  | { type: 'message_stop' };

export interface ModelClient {
  readonly model: string;
  /** Streams one Messages API call; aborts when `signal` does. */
  stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelEvent>;
  /** Errors that mean "the provider cannot answer now" (429, 529, 5xx, timeouts, connection): the turn falls back to offline. */
  isUnavailable(error: unknown): boolean;
  /** A short reason for the trace ("rate_limited", "overloaded", "timeout"…). */
  describe(error: unknown): string;
}
