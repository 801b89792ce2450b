/**
 * Failed password sign-ins, counted per client address and per email in a
 * sliding five-minute window (GoTrue's sign_in_sign_ups window). At the limit
 * the token endpoint answers 429 over_request_rate_limit before checking the
 * password, so guessing stops being free; a successful sign-in clears the
 * email's count. In memory: a restart of npm run dev forgets it.
 */
export const WINDOW_MS = 5 * 60 * 1000;

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly now: () => number,
    private readonly windowMs = WINDOW_MS,
  ) {}

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    const kept = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }

  /** true when any of the keys has reached the limit. */
  blocked(keys: readonly string[]): boolean {
    return keys.some((key) => this.recent(key).length >= this.limit);
  }

  record(keys: readonly string[]): void {
    const at = this.now();
    for (const key of keys) this.failures.set(key, [...this.recent(key), at]);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }
}
