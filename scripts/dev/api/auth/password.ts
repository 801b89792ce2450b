/**
 * Passwords as GoTrue keeps them: bcrypt (cost 10, GoTrue's), in
 * auth.users.encrypted_password. bcryptjs also verifies the `$2a$` hashes that
 * pgcrypto's crypt() writes (supabase/seed.sql), so the demo users sign in.
 */
import bcrypt from 'bcryptjs';
import type { PasswordRequirements } from './config.ts';
import { badRequest, weakPassword, type AuthError } from './errors.ts';

export const BCRYPT_COST = 10;
/** bcrypt ignores what follows the 72nd byte; GoTrue refuses longer passwords instead. */
export const MAX_PASSWORD_LENGTH = 72;

export const hashPassword = (password: string): Promise<string> => bcrypt.hash(password, BCRYPT_COST);

/** false for a missing or malformed hash as well as a wrong password. */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  if (!hash || !/^\$2[aby]\$\d\d\$/.test(hash)) return false;
  try {
    return await bcrypt.compare(password, hash);
  } catch {
    return false;
  }
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const SYMBOLS = '!@#$%^&*()_+-=[]{};\'\\:"|<>?,./`~';

/** The character sets the Supabase CLI gives GoTrue for each password_requirements value. */
export const REQUIRED_CHARACTERS: Readonly<Record<PasswordRequirements, readonly string[]>> = {
  '': [],
  letters_digits: [LOWER + UPPER, DIGITS],
  lower_upper_letters_digits: [LOWER, UPPER, DIGITS],
  lower_upper_letters_digits_symbols: [LOWER, UPPER, DIGITS, SYMBOLS],
};

/** GoTrue's checkPasswordStrength: null when the password is acceptable. */
export function passwordProblem(password: string, minLength: number, requirements: PasswordRequirements): AuthError | null {
  if (password.length > MAX_PASSWORD_LENGTH) {
    return badRequest('validation_failed', `Password cannot be longer than ${MAX_PASSWORD_LENGTH} characters`);
  }
  const reasons: string[] = [];
  const messages: string[] = [];
  if (password.length < minLength) {
    reasons.push('length');
    messages.push(`Password should be at least ${minLength} characters.`);
  }
  const sets = REQUIRED_CHARACTERS[requirements];
  if (sets.some((set) => ![...set].some((ch) => password.includes(ch)))) {
    reasons.push('characters');
    messages.push(`Password should contain at least one character of each: ${sets.join(', ')}.`);
  }
  return reasons.length > 0 ? weakPassword(messages.join(' '), reasons) : null;
}
