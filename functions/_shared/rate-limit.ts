/**
 * A per-key fixed-window request limiter held in memory. An edge function
 * instance is one isolate, so this bounds bursts from one user against one
 * instance (each request may call the paid AI API); it is not a global quota.
 */
import { HttpError } from './http.ts';

export interface RateLimiter {
  /** Counts one request for key; throws a 429 HttpError when over the limit. */
  take(key: string): void;
}

export function fixedWindowRateLimiter(options: { limit: number; windowMs: number; now?: () => number }): RateLimiter {
  const now = options.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(key) {
      const at = now();
      if (windows.size > 10_000) {
        for (const [k, w] of windows) if (at - w.start >= options.windowMs) windows.delete(k);
      }
      let window = windows.get(key);
      if (window === undefined || at - window.start >= options.windowMs) {
        window = { start: at, count: 0 };
        windows.set(key, window);
      }
      window.count += 1;
      if (window.count > options.limit) {
        const retryAfter = Math.max(1, Math.ceil((window.start + options.windowMs - at) / 1000));
        throw new HttpError(
          429,
          'rate_limited',
          `Too many requests: at most ${options.limit} per ${Math.round(options.windowMs / 1000)} s. Retry in ${retryAfter} s.`,
          { retry_after_seconds: retryAfter },
          { 'Retry-After': String(retryAfter) },
        );
      }
    },
  };
}

export const unlimited: RateLimiter = { take() {} };
