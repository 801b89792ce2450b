/**
 * The Anthropic client, configured from the environment. `null` without
 * ANTHROPIC_API_KEY: every AI feature then takes its offline path.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { FunctionEnv } from '@wallai/function-env';

export interface AiConfig {
  readonly client: Anthropic;
  readonly model: string;
}

export function createAnthropicClient(
  env: Pick<FunctionEnv, 'anthropicApiKey' | 'anthropicBaseUrl' | 'anthropicTimeoutMs' | 'anthropicMaxRetries' | 'anthropicModel'>,
): AiConfig | null {
  if (env.anthropicApiKey === null) return null;
  const client = new Anthropic({
    apiKey: env.anthropicApiKey,
    ...(env.anthropicBaseUrl === null ? {} : { baseURL: env.anthropicBaseUrl }),
    timeout: env.anthropicTimeoutMs,
    maxRetries: env.anthropicMaxRetries,
  });
  return { client, model: env.anthropicModel };
}

/**
 * Errors that mean "the AI could not answer right now" (as opposed to "it
 * answered something unusable"): connection failures and timeouts, rate
 * limits, overload (529) and other server errors, after the SDK's retries.
 */
export function isAiUnavailable(error: unknown): boolean {
  if (error instanceof Anthropic.APIConnectionError) return true; // includes timeouts
  if (error instanceof Anthropic.APIError) {
    const status = error.status;
    return status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
  }
  return false;
}
