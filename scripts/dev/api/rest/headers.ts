/**
 * The request headers PostgREST reads, as pure functions: `Prefer`
 * (ApiRequest/Preferences.hs), `Accept` negotiation (MediaType.hs, Plan/Negotiate.hs)
 * and `Range` with the `Content-Range` / status it answers (RangeQuery.hs).
 */
import { RestError } from './errors.ts';
import type { Range } from './query-params.ts';

export interface Preferences {
  readonly resolution: 'merge-duplicates' | 'ignore-duplicates' | null;
  readonly representation: 'full' | 'none' | 'headers-only' | null;
  readonly count: 'exact' | 'planned' | 'estimated' | null;
  readonly missing: 'default' | 'null' | null;
  readonly handling: 'strict' | 'lenient' | null;
  readonly transaction: 'commit' | 'rollback' | null;
  readonly timezone: string | null;
  readonly maxAffected: number | null;
  readonly invalid: readonly string[];
}

const ACCEPTED = new Map<string, [keyof Preferences, string]>([
  ['resolution=merge-duplicates', ['resolution', 'merge-duplicates']],
  ['resolution=ignore-duplicates', ['resolution', 'ignore-duplicates']],
  ['return=representation', ['representation', 'full']],
  ['return=minimal', ['representation', 'none']],
  ['return=headers-only', ['representation', 'headers-only']],
  ['count=exact', ['count', 'exact']],
  ['count=planned', ['count', 'planned']],
  ['count=estimated', ['count', 'estimated']],
  ['tx=commit', ['transaction', 'commit']],
  ['tx=rollback', ['transaction', 'rollback']],
  ['missing=default', ['missing', 'default']],
  ['missing=null', ['missing', 'null']],
  ['handling=strict', ['handling', 'strict']],
  ['handling=lenient', ['handling', 'lenient']],
]);

/** All `Prefer` headers (a Headers object joins repeated ones with ", "); the first value of each kind wins. */
export function parsePreferences(header: string | null): Preferences {
  const prefs = (header ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const out: Record<string, unknown> = {
    resolution: null,
    representation: null,
    count: null,
    missing: null,
    handling: null,
    transaction: null,
    timezone: null,
    maxAffected: null,
  };
  const invalid: string[] = [];
  for (const p of prefs) {
    const known = ACCEPTED.get(p);
    if (known) {
      if (out[known[0]] === null) out[known[0]] = known[1];
    } else if (p.startsWith('timezone=')) {
      out.timezone ??= p.slice('timezone='.length);
    } else if (p.startsWith('max-affected=')) {
      const n = Number(p.slice('max-affected='.length));
      if (Number.isInteger(n)) out.maxAffected ??= n;
    } else {
      invalid.push(p);
    }
  }
  return { ...(out as Omit<Preferences, 'invalid'>), invalid };
}

/** `Preference-Applied`, in PostgREST's order, from the preferences that applied to this request. */
export function preferenceApplied(p: Partial<Preferences>): string | null {
  const values = [
    p.resolution ? `resolution=${p.resolution}` : null,
    p.missing ? `missing=${p.missing}` : null,
    p.representation
      ? `return=${p.representation === 'full' ? 'representation' : p.representation === 'none' ? 'minimal' : 'headers-only'}`
      : null,
    p.count ? `count=${p.count}` : null,
    p.transaction ? `tx=${p.transaction}` : null,
    p.handling ? `handling=${p.handling}` : null,
    p.timezone ? `timezone=${p.timezone}` : null,
    p.handling === 'strict' && p.maxAffected !== null && p.maxAffected !== undefined ? `max-affected=${p.maxAffected}` : null,
  ].filter((v): v is string => v !== null);
  return values.length === 0 ? null : values.join(', ');
}

export type MediaType =
  | { readonly kind: 'json'; readonly stripNulls: boolean }
  | { readonly kind: 'object'; readonly stripNulls: boolean }
  | { readonly kind: 'csv' };

interface AcceptEntry {
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
  readonly q: number;
}

function parseAccept(header: string): AcceptEntry[] {
  return header
    .split(',')
    .map((part, index) => {
      const [type = '', ...rest] = part.split(';').map((s) => s.trim());
      const params = new Map<string, string>();
      for (const r of rest) {
        const eq = r.indexOf('=');
        if (eq > 0)
          params.set(
            r.slice(0, eq).trim().toLowerCase(),
            r
              .slice(eq + 1)
              .trim()
              .replace(/^"|"$/g, ''),
          );
      }
      const q = params.has('q') ? Number(params.get('q')) : 1;
      return { type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((e) => e.type !== '' && e.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
}

/**
 * The response media type for a read or a mutation's representation: JSON
 * arrays by default, a single object for `application/vnd.pgrst.object+json`,
 * CSV for `text/csv`. Anything else is PostgREST's 406 PGRST107.
 */
export function negotiateMediaType(accept: string | null): MediaType {
  const entries = parseAccept(accept === null || accept.trim() === '' ? '*/*' : accept);
  for (const e of entries) {
    const strip = e.params.get('nulls') === 'stripped';
    switch (e.type) {
      case '*/*':
      case 'application/*':
      case 'application/json':
        return { kind: 'json', stripNulls: false };
      case 'application/vnd.pgrst.array+json':
        return { kind: 'json', stripNulls: strip };
      case 'application/vnd.pgrst.object+json':
      case 'application/vnd.pgrst.object':
        return { kind: 'object', stripNulls: strip };
      case 'text/csv':
      case 'text/*':
        return { kind: 'csv' };
    }
  }
  throw new RestError(406, 'PGRST107', `None of these media types are available: ${entries.map((e) => e.type).join(', ')}`);
}

export function contentType(media: MediaType): string {
  switch (media.kind) {
    case 'json':
      return media.stripNulls ? 'application/vnd.pgrst.array+json; nulls=stripped; charset=utf-8' : 'application/json; charset=utf-8';
    case 'object':
      return media.stripNulls
        ? 'application/vnd.pgrst.object+json; nulls=stripped; charset=utf-8'
        : 'application/vnd.pgrst.object+json; charset=utf-8';
    case 'csv':
      return 'text/csv; charset=utf-8';
  }
}

/** Inclusive bounds; `upper` null for unbounded. */
export interface Bounds {
  readonly lower: number;
  readonly upper: number | null;
}

/** `Range: 0-9` (items). A header PostgREST cannot read means the whole range, as there. */
export function parseRangeHeader(header: string | null): Bounds {
  const m = header === null ? null : /^(?:items=)?(\d+)-(\d*)$/.exec(header.trim());
  if (!m) return { lower: 0, upper: null };
  const lower = Number(m[1]);
  const upper = m[2] === '' ? null : Number(m[2]);
  if (upper !== null && lower > upper) {
    throw new RestError(
      416,
      'PGRST103',
      'Requested range not satisfiable',
      'The lower boundary must be lower than or equal to the upper boundary in the Range header.',
    );
  }
  return { lower, upper };
}

/** The top-level range: Range header ∩ limit/offset, restricted to max-rows. */
export function topLevelRange(header: Bounds, params: Range | null, maxRows: number | null): Range {
  let lower = header.lower;
  let upper = header.upper;
  if (params) {
    const pUpper = params.limit === null ? null : params.offset + params.limit - 1;
    lower = Math.max(lower, params.offset);
    upper = upper === null ? pUpper : pUpper === null ? upper : Math.min(upper, pUpper);
  }
  if (maxRows !== null) {
    const mUpper = lower + maxRows - 1;
    upper = upper === null ? mUpper : Math.min(upper, mUpper);
  }
  if (params?.limit === 0) return { offset: lower, limit: 0 };
  return { offset: lower, limit: upper === null ? null : Math.max(0, upper - lower + 1) };
}

/** `Content-Range` and the status of a read (200, 206 for a part, 416 past the end). */
export function rangeStatus(offset: number, pageTotal: number, total: number | null): { status: number; contentRange: string } {
  const upper = offset + pageTotal - 1;
  const range = total !== 0 && offset <= upper ? `${offset}-${upper}` : '*';
  const contentRange = `${range}/${total === null ? '*' : total}`;
  let status = 200;
  if (total !== null) {
    if (offset > total) status = 416;
    else if (1 + upper - offset < total) status = 206;
  }
  return { status, contentRange };
}
