import path from 'node:path';
import { supabaseDir } from '@wallai/db-client';
import { describe, expect, it } from 'vitest';
import { ConfigTomlError, parseFunctionsConfig, readFunctionsConfig } from './config-toml.ts';

describe('config.toml functions reader', () => {
  it('reads [functions.<name>] sections with Supabase defaults (verify_jwt and enabled true)', () => {
    const text = `
project_id = "x"
[api]
port = 54321
verify_jwt = false # not a function: ignored

[functions.categorize-expense]
verify_jwt = true
entrypoint = "./functions/categorize-expense/index.ts"
static_files = ["./a.html"]

[functions."public-hook"] # quoted name
verify_jwt = false   # comment after a value

[functions.off]
enabled = false
import_map = './x # not a comment'

[functions.plain]

[edge_runtime]
enabled = true
`;
    expect(parseFunctionsConfig(text)).toEqual([
      { name: 'categorize-expense', verifyJwt: true, enabled: true, entrypoint: './functions/categorize-expense/index.ts' },
      { name: 'public-hook', verifyJwt: false, enabled: true, entrypoint: null },
      { name: 'off', verifyJwt: true, enabled: false, entrypoint: null },
      { name: 'plain', verifyJwt: true, enabled: true, entrypoint: null },
    ]);
  });

  it('a verify_jwt it cannot read is an error, never silently "off"', () => {
    expect(() => parseFunctionsConfig('[functions.a]\nverify_jwt = "false"\n')).toThrow(/verify_jwt must be true or false/);
    expect(() => parseFunctionsConfig('[functions.a]\nverify_jwt = nope\n')).toThrow(ConfigTomlError);
    expect(() => parseFunctionsConfig('[functions.a]\nverify_jwt\n')).toThrow(/:2: cannot read/);
  });

  it('rejects invalid and duplicate function names', () => {
    expect(() => parseFunctionsConfig('[functions."bad name"]\n')).toThrow(/not a valid function name/);
    expect(() => parseFunctionsConfig('[functions.a]\n[functions.a]\n')).toThrow(/defined twice/);
  });

  it('ignores sub-tables of a function and other tables', () => {
    expect(parseFunctionsConfig('[functions.a.secrets]\nkey = "v"\n[auth.external.apple]\nenabled = false\n')).toEqual([]);
  });

  it('reads the project config.toml', () => {
    const functions = readFunctionsConfig(path.join(supabaseDir, 'config.toml'));
    for (const fn of functions) expect(fn.name).toMatch(/^[A-Za-z][A-Za-z0-9_-]*$/);
  });
});
