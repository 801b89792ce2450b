import { expect } from 'vitest';

export interface SqlError {
  code: string;
  message: string;
}

/** Awaits a promise that must fail with this SQLSTATE; returns the error for further checks. */
export async function expectSqlError(promise: Promise<unknown>, code: string, message?: RegExp): Promise<SqlError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected SQLSTATE ${code}, but the statement succeeded`).toBeDefined();
  const error = caught as SqlError;
  expect({ code: error.code, message: error.message }).toMatchObject({ code });
  if (message) expect(error.message).toMatch(message);
  return error;
}
