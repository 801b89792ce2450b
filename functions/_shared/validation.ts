/** Input validation with zod: failures are 422 with the issues in `details`. */
import type { z } from 'zod';
import { HttpError } from './http.ts';

export interface ValidationIssue {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export function issuesOf(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    code: issue.code,
    message: issue.message,
  }));
}

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, message = 'The request body is not valid.'): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(422, 'validation_failed', message, { issues: issuesOf(result.error) });
  return result.data;
}
