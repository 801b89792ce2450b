/**
 * The `[api]` settings of supabase/config.toml that the local REST API
 * honours, with the Supabase CLI's defaults for keys that are absent:
 * `schemas` (the exposed schemas, the first is the default),
 * `extra_search_path` and `max_rows`. A small reader for one-line
 * `key = value` entries (string arrays and integers) in `[api]` only; a value
 * of the wrong type is an error rather than a silent default.
 */
import { readFileSync } from 'node:fs';

export interface ApiConfig {
  readonly schemas: readonly string[];
  readonly extraSearchPath: readonly string[];
  /** null: no limit (`max_rows = 0`); absent: the CLI's 1000. */
  readonly maxRows: number | null;
}

/** The Supabase CLI's defaults. */
export const DEFAULT_API_CONFIG: ApiConfig = {
  schemas: ['public', 'graphql_public'],
  extraSearchPath: ['public', 'extensions'],
  maxRows: 1000,
};

export class ApiConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiConfigError';
  }
}

export function parseApiConfig(text: string, file = 'supabase/config.toml'): ApiConfig {
  const values = new Map<string, { raw: string; line: number }>();
  let inApi = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#[^"']*$/, '').trim();
    if (line === '') return;
    if (line.startsWith('[')) {
      inApi = /^\[\s*api\s*\]$/.test(line);
      return;
    }
    if (!inApi) return;
    const assignment = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(line);
    if (assignment) values.set(assignment[1] ?? '', { raw: (assignment[2] ?? '').trim(), line: index + 1 });
  });

  const strings = (key: string, fallback: readonly string[]): readonly string[] => {
    const entry = values.get(key);
    if (entry === undefined) return fallback;
    const list = /^\[(.*)\]$/.exec(entry.raw);
    const items = list
      ? (list[1] ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : null;
    const parsed = items?.map((item) => /^"([^"\\]*)"$/.exec(item)?.[1] ?? /^'([^']*)'$/.exec(item)?.[1] ?? null);
    if (!parsed || parsed.some((item) => item === null || item === '')) {
      throw new ApiConfigError(`${file}:${entry.line}: [api] ${key} must be an array of schema names on one line`);
    }
    return parsed as string[];
  };
  const schemas = strings('schemas', DEFAULT_API_CONFIG.schemas);
  if (schemas.length === 0) throw new ApiConfigError(`${file}: [api] schemas must name at least one schema`);

  let maxRows = DEFAULT_API_CONFIG.maxRows;
  const rows = values.get('max_rows');
  if (rows !== undefined) {
    if (!/^\d[\d_]*$/.test(rows.raw)) throw new ApiConfigError(`${file}:${rows.line}: [api] max_rows must be a non-negative integer`);
    const n = Number(rows.raw.replaceAll('_', ''));
    // PostgREST's db-max-rows: unset (0 in the CLI's template) means no limit.
    maxRows = n === 0 ? null : n;
  }
  return { schemas, extraSearchPath: strings('extra_search_path', DEFAULT_API_CONFIG.extraSearchPath), maxRows };
}

export function readApiConfig(file: string): ApiConfig {
  return parseApiConfig(readFileSync(file, 'utf8'), file);
}
