/**
 * Edge-function environment: the one place that reads configuration.
 *
 * CONTRACT shared by every function and by whatever serves them (the Supabase
 * edge runtime, or the local Deno gateway behind `npm run dev`):
 *
 * - Each function lives in `functions/<name>/` with
 *     `handler.ts` exporting
 *        `createHandler(deps): (req: Request) => Promise<Response>`  (injected dependencies; Node tests call this)
 *        `handlerFromEnv(env: FunctionEnv): (req: Request) => Promise<Response>`  (builds the real deps:
 *           postgres.js pool, JWT verifier, Anthropic client)
 *     `index.ts` doing only
 *        `Deno.serve(handlerFromEnv(readEnv((name) => Deno.env.get(name))))`.
 * - Handlers are mounted at `/functions/v1/<name>`; they do not look at the path.
 * - `readEnv` throws an `EnvError` naming every missing or malformed variable, so a
 *   misconfigured function fails at startup rather than on its first request.
 *
 * Variables (required ones marked *):
 *   SUPABASE_URL*               project URL, e.g. http://127.0.0.1:54321
 *   SUPABASE_ANON_KEY*          the public anon key (never accepted as a user)
 *   SUPABASE_SERVICE_ROLE_KEY*  service-role key (for explicit service work)
 *   SUPABASE_DB_URL*            postgres:// URL the functions connect to (postgres.js, prepare: false)
 *   SUPABASE_JWT_SECRET         HS256 secret that signs access tokens (local stacks, legacy projects)
 *   SUPABASE_JWKS_URL           JWKS for asymmetric access tokens; defaults to
 *                               `${SUPABASE_URL}/auth/v1/.well-known/jwks.json` when no secret is set.
 *                               With both set, HS256 tokens use the secret and others the JWKS.
 *   SUPABASE_JWT_ISSUER         when set, access tokens must carry this `iss` (hosted:
 *                               `https://<project-ref>.supabase.co/auth/v1`); unset, any issuer the keys sign for
 *   ANTHROPIC_API_KEY           enables the AI steps; without it every function uses its offline path
 *   ANTHROPIC_BASE_URL          Messages API base URL (default: the SDK's, https://api.anthropic.com)
 *   ANTHROPIC_MODEL             default `claude-haiku-4-5`
 *   ANTHROPIC_TIMEOUT_MS        per attempt, default 10000
 *   ANTHROPIC_MAX_RETRIES       SDK retries on 408/409/429/5xx/529 and connection errors, default 2
 *   MAX_BODY_BYTES              request body limit, default 65536 (64 KiB)
 *   PLAID_CLIENT_ID             Plaid API client id  } all four: plaid-sync works; any missing:
 *   PLAID_SECRET                Plaid API secret     } it answers 503 plaid_not_configured
 *   PLAID_ENV                   sandbox | production }
 *   PLAID_TOKEN_KEY             32 bytes, base64: the AES-256-GCM key of the stored access tokens }
 *   PLAID_BASE_URL              overrides PLAID_ENV's API host (tests: the fake Plaid API on loopback)
 *   PLAID_TIMEOUT_MS            per Plaid request, default 15000
 */

export const DEFAULT_ANTHROPIC_MODEL = 'claude-haiku-4-5';
export const DEFAULT_ANTHROPIC_TIMEOUT_MS = 10_000;
export const DEFAULT_ANTHROPIC_MAX_RETRIES = 2;
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_PLAID_TIMEOUT_MS = 15_000;
export const PLAID_ENVIRONMENTS = ['sandbox', 'production'] as const;
export type PlaidEnvironment = (typeof PLAID_ENVIRONMENTS)[number];

export interface FunctionEnv {
  readonly supabaseUrl: string;
  readonly supabaseAnonKey: string;
  readonly supabaseServiceRoleKey: string;
  readonly supabaseDbUrl: string;
  /** HS256 secret; null when tokens are verified only through the JWKS. */
  readonly jwtSecret: string | null;
  /** Remote JWKS URL; null when only the HS256 secret is used. */
  readonly jwksUrl: string | null;
  /** Required `iss` of access tokens; null accepts any issuer the keys sign for. */
  readonly jwtIssuer: string | null;
  /** null: no AI; functions use their offline path. */
  readonly anthropicApiKey: string | null;
  /** null: the SDK's default base URL. */
  readonly anthropicBaseUrl: string | null;
  readonly anthropicModel: string;
  readonly anthropicTimeoutMs: number;
  readonly anthropicMaxRetries: number;
  readonly maxBodyBytes: number;
  /** null: Plaid is not configured (plaid-sync answers 503); otherwise every setting it needs. */
  readonly plaid: PlaidEnv | null;
}

export interface PlaidEnv {
  readonly clientId: string;
  readonly secret: string;
  readonly environment: PlaidEnvironment;
  /** The 32-byte AES-GCM key of the stored access tokens (PLAID_TOKEN_KEY decoded). */
  readonly tokenKey: Uint8Array<ArrayBuffer>;
  /** null: the environment's Plaid host. */
  readonly baseUrl: string | null;
  readonly timeoutMs: number;
}

export class EnvError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Edge function environment is not usable:\n  - ${problems.join('\n  - ')}`);
    this.name = 'EnvError';
  }
}

export function readEnv(get: (name: string) => string | undefined): FunctionEnv {
  const problems: string[] = [];
  const optional = (name: string): string | null => {
    const value = get(name)?.trim();
    return value === undefined || value === '' ? null : value;
  };
  const required = (name: string): string => {
    const value = optional(name);
    if (value === null) problems.push(`${name} is required`);
    return value ?? '';
  };
  const url = (name: string, value: string | null): string | null => {
    if (value === null) return null;
    try {
      const parsed = new URL(value);
      if (!/^(https?|postgres(ql)?):$/.test(parsed.protocol)) problems.push(`${name} has an unsupported scheme (${parsed.protocol})`);
    } catch {
      problems.push(`${name} is not a URL`);
    }
    return value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = optional(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  const supabaseUrl = url('SUPABASE_URL', required('SUPABASE_URL')) ?? '';
  const supabaseAnonKey = required('SUPABASE_ANON_KEY');
  const supabaseServiceRoleKey = required('SUPABASE_SERVICE_ROLE_KEY');
  const supabaseDbUrl = url('SUPABASE_DB_URL', required('SUPABASE_DB_URL')) ?? '';
  const jwtSecret = optional('SUPABASE_JWT_SECRET');
  const explicitJwks = url('SUPABASE_JWKS_URL', optional('SUPABASE_JWKS_URL'));
  const jwksUrl =
    explicitJwks ?? (jwtSecret === null && supabaseUrl !== '' ? `${supabaseUrl.replace(/\/+$/, '')}/auth/v1/.well-known/jwks.json` : null);

  const env: FunctionEnv = {
    supabaseUrl,
    supabaseAnonKey,
    supabaseServiceRoleKey,
    supabaseDbUrl,
    jwtSecret,
    jwksUrl,
    jwtIssuer: optional('SUPABASE_JWT_ISSUER'),
    anthropicApiKey: optional('ANTHROPIC_API_KEY'),
    anthropicBaseUrl: url('ANTHROPIC_BASE_URL', optional('ANTHROPIC_BASE_URL')),
    anthropicModel: optional('ANTHROPIC_MODEL') ?? DEFAULT_ANTHROPIC_MODEL,
    anthropicTimeoutMs: integer('ANTHROPIC_TIMEOUT_MS', DEFAULT_ANTHROPIC_TIMEOUT_MS, 1, 600_000),
    anthropicMaxRetries: integer('ANTHROPIC_MAX_RETRIES', DEFAULT_ANTHROPIC_MAX_RETRIES, 0, 10),
    maxBodyBytes: integer('MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, 1, 64 * 1024 * 1024),
    plaid: plaidEnv(optional, url, integer, problems),
  };
  if (problems.length > 0) throw new EnvError(problems);
  return env;
}

/**
 * Plaid's settings: null unless PLAID_CLIENT_ID, PLAID_SECRET, PLAID_ENV and
 * PLAID_TOKEN_KEY are all set (then plaid-sync answers 503); a malformed
 * PLAID_ENV or PLAID_TOKEN_KEY is a startup problem, as any malformed variable.
 */
function plaidEnv(
  optional: (name: string) => string | null,
  url: (name: string, value: string | null) => string | null,
  integer: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): PlaidEnv | null {
  const clientId = optional('PLAID_CLIENT_ID');
  const secret = optional('PLAID_SECRET');
  const environment = optional('PLAID_ENV');
  const tokenKeyText = optional('PLAID_TOKEN_KEY');
  const tokenKey = tokenKeyText === null ? null : decodeTokenKey(tokenKeyText);
  const baseUrl = url('PLAID_BASE_URL', optional('PLAID_BASE_URL'));
  const timeoutMs = integer('PLAID_TIMEOUT_MS', DEFAULT_PLAID_TIMEOUT_MS, 1, 600_000);
  if (environment !== null && !(PLAID_ENVIRONMENTS as readonly string[]).includes(environment)) {
    problems.push(`PLAID_ENV must be one of ${PLAID_ENVIRONMENTS.join(', ')}, got "${environment}"`);
  }
  if (tokenKeyText !== null && tokenKey === null) problems.push('PLAID_TOKEN_KEY must be 32 bytes, base64');
  if (clientId === null || secret === null || environment === null || tokenKey === null) return null;
  return { clientId, secret, environment: environment as PlaidEnvironment, tokenKey, baseUrl, timeoutMs };
}

/** A 32-byte key from its base64 (standard or URL-safe) text; null for anything else. */
export function decodeTokenKey(text: string): Uint8Array<ArrayBuffer> | null {
  const normalized = text.trim().replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(normalized)) return null;
  let binary: string;
  try {
    binary = atob(normalized);
  } catch {
    return null;
  }
  return binary.length === 32 ? Uint8Array.from(binary, (c) => c.charCodeAt(0)) : null;
}
