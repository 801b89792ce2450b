/**
 * SQL text helpers: every identifier quoted, every value a bound parameter.
 *
 * Parameters are always declared text (`$n::text`) and cast to the type the
 * schema cache knows for the column or argument. PostgREST binds its values
 * as `unknown` and lets Postgres infer the type; declaring them text keeps
 * the drivers (postgres.js, PGlite) from re-serializing a string by the
 * inferred type (they would turn 'true' into 'f' for a boolean, or
 * JSON-encode a string again for json), and the explicit cast gives the same
 * comparison as the inferred type.
 */
import { RestError } from './errors.ts';

export class Params {
  readonly values: string[] = [];

  /** Binds a value; the placeholder is text, cast to `type` when one is given. */
  add(value: string, type: string | null = null): string {
    this.values.push(value.replaceAll('\u0000', ''));
    const placeholder = `$${this.values.length}::text`;
    return type === null || type === 'text' ? placeholder : `${placeholder}::${type}`;
  }
}

/**
 * A quoted identifier; NUL characters (which Postgres cannot store) dropped, as PostgREST does.
 * A name that is nothing else cannot name anything (Postgres has no zero-length identifier):
 * refused as unparseable rather than sent as `""`, a syntax error.
 */
export function ident(name: string): string {
  const kept = name.replaceAll('\u0000', '');
  if (kept === '') throw new RestError(400, 'PGRST100', 'failed to parse an empty name', 'A column, table or key name must not be empty.');
  return `"${kept.replaceAll('"', '""')}"`;
}

export function qualified(q: { readonly schema: string; readonly name: string }): string {
  return `${ident(q.schema)}.${ident(q.name)}`;
}

/** A Postgres array literal of text elements (PostgREST's pgBuildArrayLiteral), for `= ANY($n::text::type[])`. */
export function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replaceAll('\u0000', '').replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

/** The array type of a type name as format_type prints it. */
export function arrayOf(type: string): string {
  return `${type}[]`;
}
