/**
 * Sessions and rotating refresh tokens in auth.sessions, auth.mfa_amr_claims
 * and auth.refresh_tokens, as GoTrue's (v1) refresh tokens work:
 *
 *   - every sign-in creates a session and its first refresh token;
 *   - a refresh revokes the token it was given and issues its child;
 *   - a revoked token may be used again while it is the parent of the active
 *     one (the client did not store the answer: the active token comes back) or
 *     within refresh_token_reuse_interval seconds of its rotation (concurrent tabs);
 *   - any other reuse is taken as theft: with rotation enabled the whole session
 *     ends (every token of it, and its access tokens at /user), as GoTrue's v2
 *     tokens do, and the request answers refresh_token_already_used.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '@wallai/db-client';
import type { AuthConfig } from './config.ts';
import { AuthError, badRequest } from './errors.ts';
import type { TokenService } from './tokens.ts';
import { isBanned, userJson, type Json, type UserRow } from './users.ts';

export type AuthMethod = 'password' | 'anonymous' | 'token_refresh';

export interface RequestInfo {
  readonly userAgent: string | null;
  readonly ip: string | null;
}

export interface SessionContext {
  readonly config: AuthConfig;
  readonly tokens: TokenService;
  readonly issuer: () => string;
  readonly now: () => Date;
}

/** GoTrue v1 refresh tokens are short random strings; these carry 128 bits. */
const newRefreshToken = (): string => randomBytes(16).toString('base64url');

const unix = (date: Date): number => Math.floor(date.getTime() / 1000);

/** The `{ access_token, token_type, expires_in, expires_at, refresh_token, user }` GoTrue answers. */
export interface TokenResponse extends Json {
  readonly access_token: string;
  readonly token_type: 'bearer';
  readonly expires_in: number;
  readonly expires_at: number;
  readonly refresh_token: string;
  readonly user: Json;
}

async function accessToken(
  ctx: SessionContext,
  q: Queryable,
  user: UserRow,
  sessionId: string,
): Promise<{ token: string; issuedAt: number; expiresAt: number }> {
  const amr = await q.query<{ method: string; timestamp: number }>(
    `select authentication_method as method, extract(epoch from updated_at)::bigint as timestamp
       from auth.mfa_amr_claims where session_id = $1 order by updated_at desc`,
    [sessionId],
  );
  const [session] = await q.query<{ aal: string | null }>('select aal from auth.sessions where id = $1', [sessionId]);
  const issuedAt = unix(ctx.now());
  const expiresAt = issuedAt + ctx.config.jwtExpiry;
  const token = await ctx.tokens.sign({
    iss: ctx.issuer(),
    sub: user.id,
    aud: user.aud ?? 'authenticated',
    exp: expiresAt,
    iat: issuedAt,
    email: user.email ?? '',
    phone: user.phone ?? '',
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: user.role ?? 'authenticated',
    aal: session?.aal ?? 'aal1',
    amr: amr.map((a) => ({ method: a.method, timestamp: Number(a.timestamp) })),
    session_id: sessionId,
    is_anonymous: user.is_anonymous,
  });
  return { token, issuedAt, expiresAt };
}

function tokenResponse(user: UserRow, token: { token: string; issuedAt: number; expiresAt: number }, refreshToken: string): TokenResponse {
  return {
    access_token: token.token,
    token_type: 'bearer',
    // Counted from the token's own iat, so it is always jwt_expiry.
    expires_in: token.expiresAt - token.issuedAt,
    expires_at: token.expiresAt,
    refresh_token: refreshToken,
    user: userJson(user),
  };
}

/** A new session for a user who just signed in (or up), with its first refresh token. */
export async function issueSession(
  ctx: SessionContext,
  q: Queryable,
  userId: string,
  method: Exclude<AuthMethod, 'token_refresh'>,
  info: RequestInfo,
  reload: (id: string) => Promise<UserRow>,
): Promise<TokenResponse> {
  const now = ctx.now();
  const sessionId = randomUUID();
  await q.query(
    `insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
     values ($1, $2, $3, $3, 'aal1', $4, $5::inet)`,
    [sessionId, userId, now, info.userAgent, ipOrNull(info.ip)],
  );
  await q.query(
    `insert into auth.mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id) values ($1, $2, $2, $3, $4)`,
    [sessionId, now, method, randomUUID()],
  );
  const refreshToken = newRefreshToken();
  await q.query(
    `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
     values ('00000000-0000-0000-0000-000000000000', $1, $2, false, $3, $3, null, $4)`,
    [refreshToken, userId, now, sessionId],
  );
  await q.query('update auth.users set last_sign_in_at = $2, updated_at = $2 where id = $1', [userId, now]);
  await q.query(`update auth.identities set last_sign_in_at = $2 where user_id = $1`, [userId, now]);
  const user = await reload(userId);
  return tokenResponse(user, await accessToken(ctx, q, user, sessionId), refreshToken);
}

interface RefreshTokenRow extends Record<string, unknown> {
  id: number;
  token: string;
  user_id: string;
  revoked: boolean;
  updated_at: Date;
  parent: string | null;
  session_id: string;
}

/** Thrown when reuse was detected: the session was ended, and that must be committed. */
export class CommittedAuthError extends Error {
  constructor(readonly error: AuthError) {
    super(error.message);
  }
}

/** The refresh_token grant, in the caller's transaction. */
export async function refreshSession(
  ctx: SessionContext,
  q: Queryable,
  refreshToken: string,
  info: RequestInfo,
  load: (id: string) => Promise<UserRow | null>,
): Promise<TokenResponse> {
  const [token] = await q.query<RefreshTokenRow>(
    `select id, token, user_id, revoked, updated_at, parent, session_id from auth.refresh_tokens where token = $1 for update`,
    [refreshToken],
  );
  if (token === undefined) throw badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
  const user = await load(token.user_id);
  if (user === null) throw badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
  if (isBanned(user, ctx.now())) throw badRequest('user_banned', 'Invalid Refresh Token: User Banned');
  const [session] = await q.query<{ id: string; not_after: Date | null }>(
    'select id, not_after from auth.sessions where id = $1 for update',
    [token.session_id],
  );
  if (session === undefined) throw badRequest('session_not_found', 'Invalid Refresh Token: No Valid Session Found');
  if (session.not_after !== null && new Date(session.not_after) <= ctx.now()) {
    throw badRequest('session_expired', 'Invalid Refresh Token: Session Expired');
  }

  const now = ctx.now();
  let issued: string | null = null;
  if (token.revoked) {
    const [active] = await q.query<{ token: string; parent: string | null }>(
      `select token, parent from auth.refresh_tokens where session_id = $1 and not revoked order by id desc limit 1`,
      [token.session_id],
    );
    if (active !== undefined && active.parent === token.token) {
      // The client lost the answer to its last refresh: give it the active token again.
      issued = active.token;
    } else {
      const reuseUntil = new Date(token.updated_at).getTime() + ctx.config.refreshTokenReuseInterval * 1000;
      if (now.getTime() > reuseUntil) {
        if (ctx.config.refreshTokenRotation) {
          await q.query('delete from auth.sessions where id = $1', [token.session_id]);
        }
        throw new CommittedAuthError(badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used'));
      }
    }
  }
  if (issued === null) {
    issued = newRefreshToken();
    await q.query('update auth.refresh_tokens set revoked = true, updated_at = $2 where id = $1 and not revoked', [token.id, now]);
    await q.query(
      `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
       values ('00000000-0000-0000-0000-000000000000', $1, $2, false, $3, $3, $4, $5)`,
      [issued, token.user_id, now, token.token, token.session_id],
    );
  }
  await q.query(
    `update auth.sessions set refreshed_at = $2::timestamptz at time zone 'UTC', updated_at = $2, user_agent = $3, ip = $4::inet where id = $1`,
    [token.session_id, now, info.userAgent, ipOrNull(info.ip)],
  );
  return tokenResponse(user, await accessToken(ctx, q, user, token.session_id), issued);
}

export type LogoutScope = 'global' | 'local' | 'others';

/** GoTrue's logout: global ends every session of the user, local this one, others all but this one. */
export async function logout(q: Queryable, userId: string, sessionId: string | null, scope: LogoutScope): Promise<void> {
  if (sessionId !== null && scope === 'local') {
    await q.query('delete from auth.sessions where id = $1', [sessionId]);
  } else if (sessionId !== null && scope === 'others') {
    await q.query('delete from auth.sessions where user_id = $1 and id <> $2', [userId, sessionId]);
  } else {
    await q.query('delete from auth.sessions where user_id = $1', [userId]);
    // Tokens issued before sessions existed have none; GoTrue revokes those too.
    await q.query('delete from auth.refresh_tokens where user_id = $1', [userId]);
  }
}

export async function sessionExists(q: Queryable, sessionId: string): Promise<boolean> {
  const [row] = await q.query<{ ok: boolean }>('select exists (select 1 from auth.sessions where id = $1) as ok', [sessionId]);
  return row?.ok === true;
}

/** An address Postgres' inet accepts, or null (the column is informational). */
function ipOrNull(ip: string | null): string | null {
  if (ip === null) return null;
  const cleaned = ip.replace(/^::ffff:/, '');
  return /^[\d.]+$/.test(cleaned) || /^[0-9a-f:]+$/i.test(cleaned) ? cleaned : null;
}
