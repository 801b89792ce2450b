/**
 * The part of supabase/config.toml the local stack needs: which edge functions
 * exist and whether the gateway verifies their JWTs.
 *
 * A deliberately small reader, not a TOML parser: it understands table headers
 * (`[functions.name]`, `[functions."name"]`) and `key = value` lines with
 * booleans, quoted strings and integers, and skips everything else (arrays,
 * inline tables, multi-line strings only appear outside `[functions.*]` in
 * Supabase's template). A `[functions.*]` key it cannot read is an error, so a
 * typo never silently turns JWT verification off.
 */
import { readFileSync } from 'node:fs';

export interface FunctionConfig {
  readonly name: string;
  /** Supabase's default is true: the gateway rejects requests without a valid JWT. */
  readonly verifyJwt: boolean;
  /** false: listed but not served. */
  readonly enabled: boolean;
  /** As written in config.toml (relative to supabase/), when present. */
  readonly entrypoint: string | null;
}

/** Supabase's own rule for function names (`supabase functions new`). */
export const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

export class ConfigTomlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigTomlError';
  }
}

type Scalar = boolean | string | number;

/** The `[functions.<name>]` sections of a config.toml text, in file order. */
export function parseFunctionsConfig(text: string, fileLabel = 'supabase/config.toml'): FunctionConfig[] {
  const sections = new Map<string, { line: number; values: Map<string, Scalar> }>();
  let current: Map<string, Scalar> | null = null;

  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    const line = stripComment(raw).trim();
    if (line === '') return;
    const where = `${fileLabel}:${lineNo}`;

    if (line.startsWith('[')) {
      const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
      if (!header || line.startsWith('[[')) {
        current = null;
        return;
      }
      const parts = splitDottedKey(header[1] ?? '');
      if (parts?.[0] !== 'functions' || parts.length < 2) {
        current = null;
        return;
      }
      const name = parts[1] ?? '';
      if (parts.length > 2) {
        // e.g. [functions.x.something]: not a key this stack uses.
        current = null;
        return;
      }
      if (!FUNCTION_NAME.test(name)) throw new ConfigTomlError(`${where}: "${name}" is not a valid function name`);
      if (sections.has(name)) throw new ConfigTomlError(`${where}: [functions.${name}] is defined twice`);
      current = new Map();
      sections.set(name, { line: lineNo, values: current });
      return;
    }

    if (current === null) return;
    const assignment = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(line);
    if (!assignment) throw new ConfigTomlError(`${where}: cannot read "${raw.trim()}"`);
    const key = assignment[1] ?? '';
    const value = parseScalar(assignment[2] ?? '');
    if (value === undefined) {
      if (key === 'verify_jwt' || key === 'enabled' || key === 'entrypoint') {
        throw new ConfigTomlError(`${where}: cannot read the value of ${key}`);
      }
      return; // a key the stack does not use (static_files arrays…)
    }
    (current as Map<string, Scalar>).set(key, value);
  });

  return [...sections].map(([name, { line, values }]) => {
    const flag = (key: string, fallback: boolean): boolean => {
      const value = values.get(key);
      if (value === undefined) return fallback;
      if (typeof value !== 'boolean') {
        throw new ConfigTomlError(`${fileLabel}:${line}: [functions.${name}] ${key} must be true or false`);
      }
      return value;
    };
    const entrypoint = values.get('entrypoint');
    if (entrypoint !== undefined && typeof entrypoint !== 'string') {
      throw new ConfigTomlError(`${fileLabel}:${line}: [functions.${name}] entrypoint must be a string`);
    }
    return { name, verifyJwt: flag('verify_jwt', true), enabled: flag('enabled', true), entrypoint: entrypoint ?? null };
  });
}

export function readFunctionsConfig(file: string): FunctionConfig[] {
  return parseFunctionsConfig(readFileSync(file, 'utf8'), file);
}

/** Removes a `#` comment that is not inside a quoted string. */
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

/** `functions."my-fn"` → ['functions', 'my-fn']; null when malformed. */
function splitDottedKey(key: string): string[] | null {
  const parts: string[] = [];
  const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(\.|$)/y;
  let position = 0;
  while (position < key.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(key);
    if (!match) return null;
    parts.push(match[1] ?? match[2] ?? match[3] ?? '');
    position = pattern.lastIndex;
    if (match[4] === '') break;
  }
  return parts.length > 0 ? parts : null;
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
  if (literal) return literal[1] ?? '';
  return undefined;
}
