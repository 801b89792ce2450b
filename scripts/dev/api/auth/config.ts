/**
 * The Auth settings of supabase/config.toml that the local Auth server honours,
 * with the Supabase CLI's defaults for keys that are absent:
 *
 *   [auth]             jwt_expiry, enable_signup, enable_anonymous_sign_ins,
 *                      minimum_password_length, password_requirements,
 *                      enable_refresh_token_rotation, refresh_token_reuse_interval,
 *                      signing_keys_path
 *   [auth.email]       enable_signup, enable_confirmations
 *   [auth.rate_limit]  sign_in_sign_ups
 *
 * A small reader for `key = value` lines with booleans, integers and quoted
 * strings in those three tables; a value of the wrong type is an error rather
 * than a silent default.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export type PasswordRequirements = '' | 'letters_digits' | 'lower_upper_letters_digits' | 'lower_upper_letters_digits_symbols';

export interface AuthConfig {
  /** Access-token lifetime in seconds. */
  readonly jwtExpiry: number;
  /** false: every sign-up (email and anonymous) answers signup_disabled. */
  readonly enableSignup: boolean;
  /** [auth.email] enable_signup: email sign-ups and sign-ins. */
  readonly enableEmailProvider: boolean;
  readonly enableAnonymousSignIns: boolean;
  /** true: sign-up returns a user without a session until the address is confirmed (no mail is sent locally). */
  readonly enableConfirmations: boolean;
  readonly minimumPasswordLength: number;
  readonly passwordRequirements: PasswordRequirements;
  readonly refreshTokenRotation: boolean;
  /** Seconds during which a just-rotated refresh token may still be used (concurrent tabs). */
  readonly refreshTokenReuseInterval: number;
  /** Failed password sign-ins allowed per client address (and per email) in five minutes. */
  readonly signInRateLimit: number;
  /** Absolute path of a JSON array of private JWKs (asymmetric signing keys), or null for HS256 only. */
  readonly signingKeysPath: string | null;
}

/** The Supabase CLI's defaults (and GoTrue's), used for keys config.toml leaves out. */
export const DEFAULT_AUTH_CONFIG: AuthConfig = {
  jwtExpiry: 3600,
  enableSignup: true,
  enableEmailProvider: true,
  enableAnonymousSignIns: false,
  enableConfirmations: false,
  minimumPasswordLength: 6,
  passwordRequirements: '',
  refreshTokenRotation: true,
  refreshTokenReuseInterval: 10,
  signInRateLimit: 30,
  signingKeysPath: null,
};

const REQUIREMENTS = new Set<string>(['', 'letters_digits', 'lower_upper_letters_digits', 'lower_upper_letters_digits_symbols']);

export class AuthConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthConfigError';
  }
}

type Scalar = boolean | number | string;

/** Scalar values of the tables `[auth]`, `[auth.email]`, `[auth.rate_limit]` of a config.toml text. */
function readTables(text: string): Map<string, Map<string, { value: Scalar | undefined; line: number }>> {
  const tables = new Map<string, Map<string, { value: Scalar | undefined; line: number }>>();
  let current: Map<string, { value: Scalar | undefined; line: number }> | null = null;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = stripComment(raw).trim();
    if (line === '') return;
    const header = /^\[\s*([A-Za-z0-9_.-]+)\s*\]$/.exec(line);
    if (header) {
      const name = header[1] ?? '';
      current = name === 'auth' || name === 'auth.email' || name === 'auth.rate_limit' ? new Map() : null;
      if (current) tables.set(name, current);
      return;
    }
    if (line.startsWith('[')) {
      current = null;
      return;
    }
    if (current === null) return;
    const assignment = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(line);
    if (!assignment) return;
    (current as Map<string, { value: Scalar | undefined; line: number }>).set(assignment[1] ?? '', {
      value: parseScalar(assignment[2] ?? ''),
      line: index + 1,
    });
  });
  return tables;
}

export function parseAuthConfig(text: string, file = 'supabase/config.toml'): AuthConfig {
  const tables = readTables(text);
  const get = <T extends Scalar>(table: string, key: string, type: 'boolean' | 'number' | 'string', fallback: T): T => {
    const entry = tables.get(table)?.get(key);
    if (entry === undefined) return fallback;
    if (typeof entry.value !== type) throw new AuthConfigError(`${file}:${entry.line}: [${table}] ${key} must be a ${type}`);
    return entry.value as T;
  };
  const d = DEFAULT_AUTH_CONFIG;
  const requirements = get('auth', 'password_requirements', 'string', d.passwordRequirements as string);
  if (!REQUIREMENTS.has(requirements)) {
    throw new AuthConfigError(`${file}: [auth] password_requirements must be one of ${[...REQUIREMENTS].map((r) => `"${r}"`).join(', ')}`);
  }
  const keysPath = get('auth', 'signing_keys_path', 'string', '');
  return {
    jwtExpiry: get('auth', 'jwt_expiry', 'number', d.jwtExpiry),
    enableSignup: get('auth', 'enable_signup', 'boolean', d.enableSignup),
    enableEmailProvider: get('auth.email', 'enable_signup', 'boolean', d.enableEmailProvider),
    enableAnonymousSignIns: get('auth', 'enable_anonymous_sign_ins', 'boolean', d.enableAnonymousSignIns),
    enableConfirmations: get('auth.email', 'enable_confirmations', 'boolean', d.enableConfirmations),
    minimumPasswordLength: get('auth', 'minimum_password_length', 'number', d.minimumPasswordLength),
    passwordRequirements: requirements as PasswordRequirements,
    refreshTokenRotation: get('auth', 'enable_refresh_token_rotation', 'boolean', d.refreshTokenRotation),
    refreshTokenReuseInterval: get('auth', 'refresh_token_reuse_interval', 'number', d.refreshTokenReuseInterval),
    signInRateLimit: get('auth.rate_limit', 'sign_in_sign_ups', 'number', d.signInRateLimit),
    // Supabase resolves the path relative to the supabase/ directory.
    signingKeysPath: keysPath === '' ? null : path.resolve(path.dirname(path.resolve(file)), keysPath),
  };
}

export function readAuthConfig(file: string): AuthConfig {
  return parseAuthConfig(readFileSync(file, 'utf8'), file);
}

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (quote !== null) {
      if (ch === '\\' && quote === '"') i += 1;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') return line.slice(0, i);
  }
  return line;
}

function parseScalar(text: string): Scalar | undefined {
  const value = text.trim();
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^[+-]?\d[\d_]*$/.test(value)) return Number(value.replaceAll('_', ''));
  const basic = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
  if (basic) {
    try {
      return JSON.parse(`"${basic[1] ?? ''}"`) as string;
    } catch {
      return undefined;
    }
  }
  const literal = /^'([^']*)'$/.exec(value);
  return literal ? (literal[1] ?? '') : undefined;
}
