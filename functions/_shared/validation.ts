/**
 * Input validation with zod: failures are 422 with the issues in `details`.
 *
 * Every string a request carries can reach Postgres, whose text and jsonb
 * types cannot hold the NUL character (U+0000): a query would fail deep down
 * (SQLSTATE 22021) with a 500. parseInput refuses it up front, in any string
 * or object key of the parsed value, with the field's path.
 */
import type { z } from 'zod';
import { HttpError } from './http.ts';

export interface ValidationIssue {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export const NUL_MESSAGE = 'must not contain the NUL character (\\u0000)';

export function issuesOf(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    code: issue.code,
    message: issue.message,
  }));
}

/** Paths of the strings (and object keys) in value that contain a NUL character. */
export function nulPaths(value: unknown, path: ReadonlyArray<string | number> = []): Array<Array<string | number>> {
  if (typeof value === 'string') return value.includes('\u0000') ? [[...path]] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => nulPaths(item, [...path, index]));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => (key.includes('\u0000') ? [[...path, key]] : nulPaths(item, [...path, key])));
  }
  return [];
}

/** The schema, also refusing a NUL character anywhere in what it accepts. */
export function withoutNul<S extends z.ZodType>(schema: S): S {
  return schema.superRefine((value, ctx) => {
    for (const path of nulPaths(value)) ctx.addIssue({ code: 'custom', path, message: NUL_MESSAGE });
  });
}

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, message = 'The request body is not valid.'): z.output<S> {
  const result = withoutNul(schema).safeParse(value);
  if (!result.success) throw new HttpError(422, 'validation_failed', message, { issues: issuesOf(result.error) });
  return result.data;
}
