import path from 'node:path';
import { supabaseDir } from '@wallai/db-client';
import { describe, expect, it } from 'vitest';
import { AuthConfigError, DEFAULT_AUTH_CONFIG, parseAuthConfig, readAuthConfig } from './config.ts';

describe('the [auth] settings of config.toml', () => {
  it("reads the project's supabase/config.toml: auto-confirmed email sign-up, anonymous sign-ins off, rotation with a 10 s reuse interval", () => {
    expect(readAuthConfig(path.join(supabaseDir, 'config.toml'))).toEqual({
      jwtExpiry: 3600,
      enableSignup: true,
      enableEmailProvider: true,
      enableAnonymousSignIns: false,
      enableConfirmations: false,
      minimumPasswordLength: 6,
      passwordRequirements: '',
      refreshTokenRotation: true,
      refreshTokenReuseInterval: 10,
      signInRateLimit: 30,
      signingKeysPath: null,
    });
  });

  it('takes values from [auth], [auth.email] and [auth.rate_limit] only, and the defaults for what is missing', () => {
    const config = parseAuthConfig(
      [
        '[auth]',
        'jwt_expiry = 600',
        'enable_anonymous_sign_ins = true # guests',
        'password_requirements = "letters_digits"',
        'signing_keys_path = "./signing_keys.json"',
        '[auth.email]',
        'enable_confirmations = true',
        '[auth.rate_limit]',
        'sign_in_sign_ups = 5',
        '[auth.sms]',
        'enable_confirmations = false',
      ].join('\n'),
      '/project/supabase/config.toml',
    );
    expect(config).toEqual({
      ...DEFAULT_AUTH_CONFIG,
      jwtExpiry: 600,
      enableAnonymousSignIns: true,
      passwordRequirements: 'letters_digits',
      enableConfirmations: true,
      signInRateLimit: 5,
      signingKeysPath: '/project/supabase/signing_keys.json',
    });
  });

  it('refuses a value of the wrong type or an unknown password requirement instead of falling back', () => {
    expect(() => parseAuthConfig('[auth]\nenable_signup = "yes"')).toThrow(AuthConfigError);
    expect(() => parseAuthConfig('[auth]\npassword_requirements = "strong"')).toThrow(/password_requirements/);
  });
});
