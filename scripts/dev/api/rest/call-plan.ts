/**
 * RPC: which function a request calls (PostgREST's overload resolution by
 * argument names, or a single unnamed json/jsonb argument taking the whole
 * body) and the SQL that calls it with named arguments read from the JSON
 * body through json_to_record, so every argument is bound and typed.
 */
import { RestError } from './errors.ts';
import { qualifiedKey, type Column, type Routine, type SchemaCache } from './schema-cache.ts';
import { Params, ident, qualified } from './sql.ts';

export interface CallTarget {
  readonly routine: Routine;
  /** The whole body is the one unnamed json/jsonb argument. */
  readonly singleUnnamed: boolean;
  /** The arguments passed, by name (a subset of the routine's, the rest take their defaults). */
  readonly argumentNames: readonly string[];
}

const isJsonType = (type: string): boolean => type === 'json' || type === 'jsonb';

export function findRoutine(
  cache: SchemaCache,
  schema: string,
  name: string,
  argumentNames: readonly string[],
  isPost: boolean,
): CallTarget {
  const overloads = cache.routines.get(qualifiedKey({ schema, name })) ?? [];
  const matches: CallTarget[] = [];
  for (const routine of overloads) {
    const named = routine.params;
    if (isPost && named.length === 1 && named[0]?.name === '' && isJsonType(named[0].type)) {
      matches.push({ routine, singleUnnamed: true, argumentNames: [] });
      continue;
    }
    if (named.some((p) => p.name === '')) continue;
    const known = argumentNames.every((a) => named.some((p) => p.name === a));
    const required = named.every((p) => p.hasDefault || argumentNames.includes(p.name));
    if (known && required) matches.push({ routine, singleUnnamed: false, argumentNames });
  }
  // A named match wins over the single-unnamed-json fallback, as in PostgREST.
  const preferred = matches.filter((m) => !m.singleUnnamed);
  const candidates = preferred.length > 0 ? preferred : matches;
  const [only, ...rest] = candidates;
  if (only !== undefined && rest.length === 0) return only;
  const fn = `${schema}.${name}`;
  if (only === undefined) {
    const list = argumentNames.join(', ');
    const withParams = argumentNames.length === 0 ? ' without parameters' : ` with parameter${argumentNames.length > 1 ? 's' : ''} ${list}`;
    throw new RestError(
      404,
      'PGRST202',
      `Could not find the function ${fn}${argumentNames.length === 0 ? ' without parameters' : `(${list})`} in the schema cache`,
      `Searched for the function ${fn}${withParams}${isPost ? ' or with a single unnamed json/jsonb parameter' : ''}, but no matches were found in the schema cache.`,
    );
  }
  throw new RestError(
    300,
    'PGRST203',
    `Could not choose the best candidate function between: ${candidates
      .map((c) => `${fn}(${c.routine.params.map((p) => `${p.name} => ${p.type}`).join(', ')})`)
      .join(', ')}`,
    null,
    'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
  );
}

/** What the call's rows look like to the read plan over them. */
export function resultColumns(routine: Routine): Column[] {
  if (routine.returnColumns !== null) return [...routine.returnColumns];
  return [{ name: 'pgrst_scalar', type: routine.returnType, nullable: true, default: null, generated: false }];
}

export const returnsScalar = (r: Routine): boolean => r.returnColumns === null;

/** `SELECT pgrst_call.* FROM json_to_record($1) AS pgrst_args(…), LATERAL "s"."fn"("a" := pgrst_args."a") pgrst_call` */
export function callSql(target: CallTarget, argsJson: string, params: Params): string {
  const r = target.routine;
  const fn = qualified(r);
  const scalar = returnsScalar(r);
  const alias = scalar ? 'pgrst_call(pgrst_scalar)' : 'pgrst_call';
  if (target.singleUnnamed) {
    return `SELECT pgrst_call.* FROM ${fn}(${params.add(argsJson, r.params[0]?.type ?? 'json')}) ${alias}`;
  }
  const args = target.argumentNames.map((name) => {
    const p = r.params.find((x) => x.name === name);
    if (!p) throw new Error(`unreachable: argument ${name} was matched`);
    return p;
  });
  if (args.length === 0) return `SELECT pgrst_call.* FROM ${fn}() ${alias}`;
  const record = args.map((p) => `${ident(p.name)} ${p.type}`).join(', ');
  const call = args.map((p) => `${p.variadic ? 'VARIADIC ' : ''}${ident(p.name)} := pgrst_args.${ident(p.name)}`).join(', ');
  return `SELECT pgrst_call.* FROM json_to_record(${params.add(argsJson, 'json')}) AS pgrst_args(${record}), LATERAL ${fn}(${call}) ${alias}`;
}
