import path from 'node:path';
import { supabaseDir } from '@wallai/db-client';
import { describe, expect, it } from 'vitest';
import { ApiConfigError, DEFAULT_API_CONFIG, parseApiConfig, readApiConfig } from './config.ts';

describe('the [api] settings of config.toml', () => {
  it("reads the project's supabase/config.toml: public and graphql_public exposed, 1000 rows at most", () => {
    expect(readApiConfig(path.join(supabaseDir, 'config.toml'))).toEqual({
      schemas: ['public', 'graphql_public'],
      extraSearchPath: ['public', 'extensions'],
      maxRows: 1000,
    });
  });

  it('takes values from [api] only, with the defaults for what is missing; max_rows = 0 means no limit', () => {
    const text = [
      '[db]',
      'schemas = ["nope"]',
      '[api]',
      'schemas = [\'app\', "public"] # comment',
      'max_rows = 0',
      '[auth]',
      'max_rows = 5',
    ].join('\n');
    expect(parseApiConfig(text)).toEqual({
      schemas: ['app', 'public'],
      extraSearchPath: DEFAULT_API_CONFIG.extraSearchPath,
      maxRows: null,
    });
    expect(parseApiConfig('')).toEqual(DEFAULT_API_CONFIG);
  });

  it('refuses values of the wrong type instead of guessing', () => {
    expect(() => parseApiConfig('[api]\nmax_rows = "many"')).toThrow(ApiConfigError);
    expect(() => parseApiConfig('[api]\nschemas = "public"')).toThrow(/array of schema names/);
    expect(() => parseApiConfig('[api]\nschemas = []')).toThrow(/at least one schema/);
  });
});
