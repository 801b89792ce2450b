/**
 * The local Auth server: GoTrue's HTTP protocol as @supabase/auth-js calls it,
 * over the database's own auth schema (auth.users, and the sessions and
 * refresh tokens of supabase/local/compat.sql). Mounted by scripts/dev/api/server.ts
 * at /auth/v1; `path` is what follows that prefix.
 *
 * Served: POST /signup (email + password, or anonymous), POST /token
 * (grant_type=password | refresh_token), GET/PUT /user, POST /logout?scope=,
 * /admin/users (list, create, get, update, delete; service role only),
 * GET /.well-known/jwks.json, GET /settings, GET /health. Every other GoTrue
 * endpoint (OTP, magic links, recovery, MFA, SSO, OAuth) answers 400
 * feature_disabled naming it; see docs/local-api.md.
 */
import { randomUUID } from 'node:crypto';
import type { Queryable, SqlClient } from '@wallai/db-client';
import { errors as joseErrors } from 'jose';
import { DEFAULT_AUTH_CONFIG, type AuthConfig } from './config.ts';
import {
  AuthError,
  badRequest,
  errorResponse,
  forbidden,
  jsonResponse,
  notFound,
  OAuthError,
  requestedApiVersion,
  unprocessable,
} from './errors.ts';
import { hashPassword, passwordProblem, verifyPassword } from './password.ts';
import { FailureLimiter } from './rate-limit.ts';
import {
  CommittedAuthError,
  issueSession,
  logout,
  refreshSession,
  sessionExists,
  type LogoutScope,
  type RequestInfo,
  type SessionContext,
} from './sessions.ts';
import { TokenService, type AccessTokenClaims, type SigningKey } from './tokens.ts';
import {
  DEFAULT_AUD,
  DEFAULT_ROLE,
  findUserByEmail,
  findUserById,
  findUserByPhone,
  identityData,
  insertIdentity,
  insertUser,
  isBanned,
  isConfirmed,
  mergeMetadata,
  userJson,
  type Json,
  type UserRow,
} from './users.ts';

export { DEFAULT_AUTH_CONFIG, type AuthConfig } from './config.ts';

export interface AuthApiOptions {
  readonly sql: SqlClient;
  readonly jwtSecret: string;
  /** The `iss` of access tokens: the public Auth URL, e.g. http://127.0.0.1:54321/auth/v1 (a function when known later). */
  readonly issuer: string | (() => string);
  readonly config?: Partial<AuthConfig>;
  /** Asymmetric signing keys (the first one signs); none: HS256 with jwtSecret. */
  readonly signingKeys?: readonly SigningKey[];
  /** The clock (tests move it to cross the refresh-token reuse interval). */
  readonly now?: () => Date;
}

export interface AuthApi {
  handle(req: Request, path: string): Promise<Response>;
  readonly tokens: TokenService;
  close(): Promise<void>;
}

/** The roles GoTrue treats as administrators (GOTRUE_JWT_ADMIN_ROLES). */
const ADMIN_ROLES = new Set(['service_role', 'supabase_admin']);
const MAX_BODY_BYTES = 1_000_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** GoTrue checks the format with checkmail; this is the same shape (local@domain with a dot-free or dotted domain). */
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** GoTrue endpoints the local server knows about but does not serve. */
const NOT_SERVED: readonly [RegExp, string][] = [
  [/^\/otp$/, 'one-time passwords (signInWithOtp)'],
  [/^\/magiclink$/, 'magic links'],
  [/^\/recover$/, 'password recovery e-mails (resetPasswordForEmail)'],
  [/^\/resend$/, 'resending confirmation e-mails'],
  [/^\/verify$/, 'e-mail and OTP verification (verifyOtp)'],
  [/^\/reauthenticate$/, 'reauthentication nonces'],
  [/^\/invite$/, 'invitations (admin.inviteUserByEmail)'],
  [/^\/factors(\/.*)?$/, 'multi-factor authentication (mfa.*)'],
  [/^\/admin\/users\/[^/]+\/factors(\/.*)?$/, 'multi-factor authentication (admin.mfa.*)'],
  [/^\/admin\/generate_link$/, 'admin.generateLink'],
  [/^\/admin\/(sso|oauth|custom-providers|audit)(\/.*)?$/, 'SSO, OAuth server and audit administration'],
  [/^\/(authorize|callback)$/, 'OAuth providers (signInWithOAuth)'],
  [/^\/sso(\/.*)?$/, 'single sign-on (signInWithSSO)'],
  [/^\/user\/identities(\/.*)?$/, 'identity linking (linkIdentity, unlinkIdentity)'],
  [/^\/passkeys(\/.*)?$/, 'passkeys'],
  [/^\/(oauth)(\/.*)?$/, 'the OAuth 2.1 server'],
];

export function createAuthApi(options: AuthApiOptions): AuthApi {
  const config: AuthConfig = { ...DEFAULT_AUTH_CONFIG, ...options.config };
  const now = options.now ?? (() => new Date());
  const tokens = new TokenService(options.jwtSecret, options.signingKeys ?? []);
  const issuer = options.issuer;
  const ctx: SessionContext = { config, tokens, issuer: typeof issuer === 'string' ? () => issuer : issuer, now };
  const limiter = new FailureLimiter(config.signInRateLimit, () => now().getTime());
  const sql = options.sql;
  const autoconfirm = !config.enableConfirmations;

  const transaction = <T>(fn: (q: Queryable) => Promise<T>): Promise<T> => sql.transaction(fn);
  const mustFind = async (q: Queryable, id: string): Promise<UserRow> => {
    const user = await findUserById(q, id);
    if (user === null) throw new AuthError(500, 'unexpected_failure', 'Database error loading user');
    return user;
  };

  async function handle(req: Request, path: string): Promise<Response> {
    try {
      const response = await route(req, path === '' ? '/' : path.replace(/\/+$/, '') || '/');
      const version = requestedApiVersion(req);
      if (version !== null && !response.headers.has('X-Supabase-Api-Version')) response.headers.set('X-Supabase-Api-Version', version);
      return response;
    } catch (error) {
      if (error instanceof AuthError || error instanceof OAuthError) return errorResponse(req, error);
      const message = error instanceof Error ? error.message : String(error);
      return errorResponse(req, new AuthError(500, 'unexpected_failure', `Unexpected failure: ${message}`));
    }
  }

  async function route(req: Request, path: string): Promise<Response> {
    const method = req.method;
    const url = new URL(req.url);
    const only = (...methods: string[]) => {
      if (!methods.includes(method)) throw new AuthError(405, 'validation_failed', `Method ${method} is not allowed on ${path}`);
    };
    switch (path) {
      case '/health':
        only('GET');
        return jsonResponse(200, { version: 'wallai-local', name: 'GoTrue', description: 'The local Auth server of npm run dev' });
      case '/settings':
        only('GET');
        return jsonResponse(200, settings());
      case '/.well-known/jwks.json':
        only('GET');
        return jsonResponse(200, tokens.jwks, { 'Cache-Control': 'public, max-age=600' });
      case '/signup':
        only('POST');
        return signup(req);
      case '/token':
        only('POST');
        return token(req, url);
      case '/user':
        only('GET', 'PUT');
        return method === 'GET' ? getUser(req) : updateUser(req);
      case '/logout':
        only('POST');
        return signOut(req, url);
      case '/admin/users':
        only('GET', 'POST');
        await requireAdmin(req);
        return method === 'GET' ? adminList(url) : adminCreate(req);
      default:
        break;
    }
    const adminUser = /^\/admin\/users\/([^/]+)$/.exec(path);
    if (adminUser) {
      only('GET', 'PUT', 'DELETE');
      await requireAdmin(req);
      const id = decodeURIComponent(adminUser[1] ?? '');
      if (!UUID.test(id)) throw notFound('validation_failed', 'user_id must be an UUID');
      if (method === 'GET') return adminGet(id);
      if (method === 'PUT') return adminUpdate(req, id);
      return adminDelete(req, id);
    }
    const refused = NOT_SERVED.find(([pattern]) => pattern.test(path));
    if (refused) {
      throw badRequest(
        'feature_disabled',
        `Not served by the local Auth server of npm run dev: ${refused[1]} (${path}); see docs/local-api.md`,
      );
    }
    throw notFound('not_found', `Not found: ${path} is not a GoTrue endpoint`);
  }

  function settings(): Json {
    return {
      external: { email: config.enableEmailProvider, phone: false, anonymous_users: config.enableAnonymousSignIns },
      disable_signup: !config.enableSignup,
      mailer_autoconfirm: autoconfirm,
      phone_autoconfirm: false,
      sms_provider: '',
      saml_enabled: false,
    };
  }

  // --- sign-up ------------------------------------------------------------------

  async function signup(req: Request): Promise<Response> {
    const params = await body(req);
    const email = optionalString(params, 'email');
    const phone = optionalString(params, 'phone');
    const password = optionalString(params, 'password');
    const data = optionalObject(params, 'data') ?? {};
    if (email === '' && phone === '') {
      if (!config.enableAnonymousSignIns) throw unprocessable('anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
      if (!config.enableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
      return signupAnonymously(req, data);
    }
    if (!config.enableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
    if (password === '') throw badRequest('validation_failed', 'Signup requires a valid password');
    const weak = passwordProblem(password, config.minimumPasswordLength, config.passwordRequirements);
    if (weak) throw weak;
    if (email !== '' && phone !== '')
      throw badRequest('validation_failed', 'Only an email address or phone number should be provided on signup.');
    if (phone !== '') throw badRequest('phone_provider_disabled', 'Phone signups are disabled');
    if (!config.enableEmailProvider) throw badRequest('email_provider_disabled', 'Email signups are disabled');
    const address = validateEmail(email);

    const existing = await findUserByEmail(sql, address);
    if (existing !== null) {
      if (autoconfirm) throw unprocessable('user_already_exists', 'User already registered');
      // With confirmations on GoTrue does not reveal who is registered: an unconfirmed user gets the
      // confirmation again (no mail is sent locally), a confirmed one an obfuscated copy.
      if (!isConfirmed(existing)) return jsonResponse(200, userJson(existing));
      return jsonResponse(200, obfuscatedUser(existing, data));
    }

    const encrypted = await hashPassword(password);
    const info = requestInfo(req);
    const at = now();
    const result = await transaction(async (q) => {
      const user = await insertUser(q, {
        id: randomUUID(),
        email: address,
        phone: null,
        encryptedPassword: encrypted,
        appMetadata: { provider: 'email', providers: ['email'] },
        userMetadata: autoconfirm ? mergeMetadata(data, { email_verified: true }) : data,
        role: DEFAULT_ROLE,
        aud: DEFAULT_AUD,
        isAnonymous: false,
        emailConfirmedAt: autoconfirm ? at : null,
        phoneConfirmedAt: null,
        confirmationSentAt: autoconfirm ? null : at,
        bannedUntil: null,
        now: at,
      }).catch((error: unknown) => {
        if ((error as { code?: string }).code === '23505') throw unprocessable('user_already_exists', 'User already registered');
        throw error;
      });
      if (!autoconfirm) return userJson(user);
      return issueSession(ctx, q, user.id, 'password', info, (id) => mustFind(q, id));
    });
    return jsonResponse(200, result);
  }

  async function signupAnonymously(req: Request, data: Json): Promise<Response> {
    const info = requestInfo(req);
    const at = now();
    const result = await transaction(async (q) => {
      const user = await insertUser(q, {
        id: randomUUID(),
        email: null,
        phone: null,
        encryptedPassword: null,
        appMetadata: {},
        userMetadata: data,
        role: DEFAULT_ROLE,
        aud: DEFAULT_AUD,
        isAnonymous: true,
        emailConfirmedAt: null,
        phoneConfirmedAt: null,
        confirmationSentAt: null,
        bannedUntil: null,
        now: at,
      });
      return issueSession(ctx, q, user.id, 'anonymous', info, (id) => mustFind(q, id));
    });
    return jsonResponse(200, result);
  }

  // --- token ---------------------------------------------------------------------

  async function token(req: Request, url: URL): Promise<Response> {
    const grantType = url.searchParams.get('grant_type') ?? '';
    if (grantType === 'password') return passwordGrant(req);
    if (grantType === 'refresh_token') return refreshGrant(req);
    if (grantType === 'id_token' || grantType === 'pkce' || grantType === 'web3') {
      throw badRequest(
        'feature_disabled',
        `Not served by the local Auth server of npm run dev: grant_type=${grantType}; see docs/local-api.md`,
      );
    }
    throw badRequest('invalid_credentials', 'unsupported_grant_type');
  }

  async function passwordGrant(req: Request): Promise<Response> {
    const params = await body(req);
    const email = optionalString(params, 'email');
    const phone = optionalString(params, 'phone');
    const password = optionalString(params, 'password');
    if (email !== '' && phone !== '')
      throw badRequest('validation_failed', 'Only an email address or phone number should be provided on login.');
    if (phone !== '') throw unprocessable('phone_provider_disabled', 'Phone logins are disabled');
    if (email === '') throw badRequest('validation_failed', 'missing email or phone');
    if (!config.enableEmailProvider) throw unprocessable('email_provider_disabled', 'Email logins are disabled');

    const info = requestInfo(req);
    const keys = [`ip:${info.ip ?? 'unknown'}`, `email:${email.toLowerCase()}`];
    if (limiter.blocked(keys)) throw new AuthError(429, 'over_request_rate_limit', 'Request rate limit reached');
    const user = await findUserByEmail(sql, email);
    const valid = user !== null && (await verifyPassword(password, user.encrypted_password));
    if (user === null || !valid) {
      limiter.record(keys);
      throw badRequest('invalid_credentials', 'Invalid login credentials');
    }
    limiter.clear(`email:${email.toLowerCase()}`);
    if (isBanned(user, now())) throw badRequest('user_banned', 'User is banned');
    if (!isConfirmed(user)) throw badRequest('email_not_confirmed', 'Email not confirmed');

    const response: Json = await transaction((q) => issueSession(ctx, q, user.id, 'password', info, (id) => mustFind(q, id)));
    const weak = passwordProblem(password, config.minimumPasswordLength, config.passwordRequirements);
    if (weak && weak.extra.weak_password) {
      return jsonResponse(200, { ...response, weak_password: { message: weak.message, ...(weak.extra.weak_password as Json) } });
    }
    return jsonResponse(200, response);
  }

  async function refreshGrant(req: Request): Promise<Response> {
    const params = await body(req);
    const refreshToken = optionalString(params, 'refresh_token');
    if (refreshToken === '') throw new OAuthError('invalid_request', 'refresh_token required');
    const info = requestInfo(req);
    const outcome = await transaction(async (q) => {
      try {
        return { response: await refreshSession(ctx, q, refreshToken, info, (id) => findUserById(q, id)) };
      } catch (error) {
        // Ending a session on detected reuse must be committed, not rolled back with the error.
        if (error instanceof CommittedAuthError) return { error: error.error };
        throw error;
      }
    });
    if ('error' in outcome) throw outcome.error;
    return jsonResponse(200, outcome.response);
  }

  // --- the signed-in user ----------------------------------------------------------

  interface Authenticated {
    readonly claims: AccessTokenClaims;
    readonly user: UserRow;
    readonly sessionId: string | null;
  }

  async function verifiedClaims(req: Request): Promise<AccessTokenClaims> {
    const match = /^\s*bearer\s+(\S+)\s*$/i.exec(req.headers.get('authorization') ?? '');
    if (!match?.[1]) throw new AuthError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
    try {
      return await tokens.verify(match[1]);
    } catch (error) {
      throw forbidden('bad_jwt', `invalid JWT: unable to parse or verify signature, ${joseReason(error)}`);
    }
  }

  async function authenticate(req: Request): Promise<Authenticated> {
    const claims = await verifiedClaims(req);
    if (!claims.sub) throw forbidden('bad_jwt', 'invalid claim: missing sub claim');
    if (!UUID.test(claims.sub)) throw badRequest('bad_jwt', 'invalid claim: sub claim must be a UUID');
    const user = await findUserById(sql, claims.sub);
    if (user === null) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
    let sessionId: string | null = null;
    if (claims.session_id && claims.session_id !== '00000000-0000-0000-0000-000000000000') {
      if (!UUID.test(claims.session_id)) throw forbidden('bad_jwt', 'invalid claim: session_id claim must be a UUID');
      if (!(await sessionExists(sql, claims.session_id))) {
        throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
      }
      sessionId = claims.session_id;
    }
    if (isBanned(user, now())) throw forbidden('user_banned', 'User is banned');
    return { claims, user, sessionId };
  }

  async function getUser(req: Request): Promise<Response> {
    const { claims, user } = await authenticate(req);
    const audience = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
    if (audience !== (req.headers.get('x-jwt-aud') || DEFAULT_AUD)) {
      throw badRequest('validation_failed', "Token audience doesn't match request audience");
    }
    return jsonResponse(200, userJson(user));
  }

  async function updateUser(req: Request): Promise<Response> {
    const { user } = await authenticate(req);
    const params = await body(req);
    const email = optionalString(params, 'email');
    const phone = optionalString(params, 'phone');
    const password = 'password' in params && params.password !== null ? optionalString(params, 'password') : null;
    const data = optionalObject(params, 'data');
    const appData = optionalObject(params, 'app_metadata');
    const address = email === '' ? '' : validateEmail(email);
    if (password !== null) {
      const weak = passwordProblem(password, config.minimumPasswordLength, config.passwordRequirements);
      if (weak) throw weak;
    }
    if (appData !== null && !ADMIN_ROLES.has(user.role ?? '')) {
      throw forbidden('not_admin', 'Updating app_metadata requires admin privileges');
    }
    if (user.is_anonymous && password !== null && password !== '' && address === '' && phone === '') {
      throw unprocessable('validation_failed', 'Updating password of an anonymous user without an email or phone is not allowed');
    }
    if (phone !== '' && phone !== (user.phone ?? '')) {
      throw badRequest('phone_provider_disabled', 'Not served by the local Auth server of npm run dev: phone numbers (no SMS provider)');
    }
    const changingEmail = address !== '' && address !== (user.email ?? '').toLowerCase();
    if (changingEmail) {
      const other = await findUserByEmail(sql, address);
      if (other !== null && other.id !== user.id)
        throw unprocessable('email_exists', 'A user with this email address has already been registered');
    }
    let encrypted: string | null = null;
    if (password !== null && password !== '') {
      if (await verifyPassword(password, user.encrypted_password)) {
        throw unprocessable('same_password', 'New password should be different from the old password.');
      }
      encrypted = await hashPassword(password);
    }

    const at = now();
    const updated = await transaction(async (q) => {
      if (encrypted !== null) {
        await q.query('update auth.users set encrypted_password = $2, updated_at = $3 where id = $1', [user.id, encrypted, at]);
      }
      if (data !== null) {
        await q.query('update auth.users set raw_user_meta_data = $2::text::jsonb, updated_at = $3 where id = $1', [
          user.id,
          JSON.stringify(mergeMetadata(user.raw_user_meta_data, data)),
          at,
        ]);
      }
      if (changingEmail) await changeEmail(q, user, address, at);
      return mustFind(q, user.id);
    });
    return jsonResponse(200, userJson(updated));
  }

  /**
   * An anonymous user adding an address becomes a permanent email user (GoTrue
   * does this with autoconfirm). A permanent user's change would wait for the
   * link GoTrue mails to both addresses; no mail leaves this machine, so with
   * autoconfirm the change applies at once, and with confirmations on it stays
   * pending (new_email) until the service role confirms it.
   */
  async function changeEmail(q: Queryable, user: UserRow, address: string, at: Date): Promise<void> {
    if (!autoconfirm) {
      await q.query('update auth.users set email_change = $2, email_change_sent_at = $3, updated_at = $3 where id = $1', [
        user.id,
        address,
        at,
      ]);
      return;
    }
    const providers = new Set([...((user.raw_app_meta_data?.providers as string[] | undefined) ?? []), 'email']);
    const appMetadata = mergeMetadata(user.raw_app_meta_data, {
      provider: (user.raw_app_meta_data?.provider as string | undefined) ?? 'email',
      providers: [...providers],
    });
    await q
      .query(
        `update auth.users set email = $2, email_confirmed_at = coalesce(email_confirmed_at, $3), email_change = '',
              email_change_sent_at = null, is_anonymous = false, raw_app_meta_data = $4::text::jsonb, updated_at = $3 where id = $1`,
        [user.id, address, at, JSON.stringify(appMetadata)],
      )
      .catch((error: unknown) => {
        if ((error as { code?: string }).code === '23505')
          throw unprocessable('email_exists', 'A user with this email address has already been registered');
        throw error;
      });
    await insertIdentity(q, user.id, 'email', identityData(user.id, { email: address }, true, {}), at);
  }

  async function signOut(req: Request, url: URL): Promise<Response> {
    const { user, sessionId } = await authenticate(req);
    const scope = url.searchParams.get('scope') ?? '';
    const scopes: Record<string, LogoutScope> = { '': 'global', global: 'global', local: 'local', others: 'others' };
    const chosen = scopes[scope];
    if (chosen === undefined) throw badRequest('validation_failed', `Unsupported logout scope "${scope}"`);
    await transaction((q) => logout(q, user.id, sessionId, chosen));
    return new Response(null, { status: 204 });
  }

  // --- admin -------------------------------------------------------------------------

  async function requireAdmin(req: Request): Promise<void> {
    const claims = await verifiedClaims(req);
    if (claims.session_id && UUID.test(claims.session_id) && !(await sessionExists(sql, claims.session_id))) {
      throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
    }
    if (!ADMIN_ROLES.has(String(claims.role ?? ''))) throw forbidden('not_admin', 'User not allowed');
  }

  async function adminList(url: URL): Promise<Response> {
    const page = positiveInt(url.searchParams.get('page'), 1);
    const perPage = positiveInt(url.searchParams.get('per_page'), 50);
    const filter = url.searchParams.get('filter') ?? '';
    const where = `u.aud = $1 and ($2 = '' or u.email ilike '%' || $2 || '%' or u.raw_user_meta_data ->> 'full_name' ilike '%' || $2 || '%')`;
    const [count] = await sql.query<{ n: number }>(`select count(*)::int as n from auth.users u where ${where}`, [DEFAULT_AUD, filter]);
    const ids = await sql.query<{ id: string }>(
      `select u.id from auth.users u where ${where} order by u.created_at desc, u.id limit $3 offset $4`,
      [DEFAULT_AUD, filter, perPage, (page - 1) * perPage],
    );
    const users: Json[] = [];
    for (const { id } of ids) {
      const user = await findUserById(sql, id);
      if (user) users.push(userJson(user));
    }
    const total = count?.n ?? 0;
    const totalPages = Math.ceil(total / perPage);
    const link = (p: number) => {
      const query = new URLSearchParams({ page: String(p), per_page: String(perPage) });
      if (filter) query.set('filter', filter);
      query.sort();
      return `</admin/users?${query.toString()}>`;
    };
    const links = [...(totalPages > page ? [`${link(page + 1)}; rel="next"`] : []), `${link(totalPages)}; rel="last"`];
    return jsonResponse(200, { users, aud: DEFAULT_AUD }, { Link: links.join(', '), 'X-Total-Count': String(total) });
  }

  async function adminGet(id: string): Promise<Response> {
    const user = await findUserById(sql, id);
    if (user === null) throw notFound('user_not_found', 'User not found');
    return jsonResponse(200, userJson(user));
  }

  async function adminCreate(req: Request): Promise<Response> {
    const params = await body(req);
    const email = optionalString(params, 'email');
    const phone = optionalString(params, 'phone');
    const password = 'password' in params && params.password !== null ? optionalString(params, 'password') : '';
    const passwordHash = optionalString(params, 'password_hash');
    const id = optionalString(params, 'id');
    const role = optionalString(params, 'role') || DEFAULT_ROLE;
    const userMetadata = optionalObject(params, 'user_metadata') ?? {};
    const appMetadata = optionalObject(params, 'app_metadata');
    const banDuration = optionalString(params, 'ban_duration');
    if (email === '' && phone === '') throw badRequest('validation_failed', 'Cannot create a user without either an email or phone');
    const address = email === '' ? null : validateEmail(email);
    const number = phone === '' ? null : validatePhone(phone);
    if (address !== null && (await findUserByEmail(sql, address)) !== null) {
      throw unprocessable('email_exists', 'A user with this email address has already been registered');
    }
    if (number !== null && (await findUserByPhone(sql, number)) !== null) {
      throw unprocessable('phone_exists', 'Phone number already registered by another user');
    }
    if (password !== '' && passwordHash !== '')
      throw badRequest('validation_failed', 'Only a password or a password hash should be provided');
    if (passwordHash !== '' && !/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(passwordHash)) {
      throw badRequest('validation_failed', 'Invalid password hash format: the local Auth server accepts bcrypt hashes');
    }
    if (id !== '' && !UUID.test(id)) throw badRequest('validation_failed', 'ID must conform to the uuid v4 format');
    if (id === '00000000-0000-0000-0000-000000000000') throw badRequest('validation_failed', 'ID cannot be a nil uuid');
    const bannedUntil = banUntil(banDuration);
    // Without a password GoTrue sets a random one nobody knows.
    const encrypted = passwordHash !== '' ? passwordHash : await hashPassword(password !== '' ? password : randomUUID() + randomUUID());
    const providers = [...(address !== null ? ['email'] : []), ...(number !== null ? ['phone'] : [])];
    const at = now();
    const created = await transaction((q) =>
      insertUser(q, {
        id: id || randomUUID(),
        email: address,
        phone: number,
        encryptedPassword: encrypted,
        appMetadata: mergeMetadata({ provider: providers[0], providers }, appMetadata ?? {}),
        userMetadata: params.email_confirm === true ? mergeMetadata(userMetadata, { email_verified: true }) : userMetadata,
        role,
        aud: optionalString(params, 'aud') || DEFAULT_AUD,
        isAnonymous: false,
        emailConfirmedAt: params.email_confirm === true && address !== null ? at : null,
        phoneConfirmedAt: params.phone_confirm === true && number !== null ? at : null,
        confirmationSentAt: null,
        bannedUntil: bannedUntil === undefined ? null : bannedUntil,
        now: at,
      }).catch((error: unknown) => {
        if ((error as { code?: string }).code === '23505')
          throw unprocessable('email_exists', 'A user with this email address has already been registered');
        throw error;
      }),
    );
    return jsonResponse(200, userJson(created));
  }

  async function adminUpdate(req: Request, id: string): Promise<Response> {
    const user = await findUserById(sql, id);
    if (user === null) throw notFound('user_not_found', 'User not found');
    const params = await body(req);
    const email = optionalString(params, 'email');
    const phone = optionalString(params, 'phone');
    const password = 'password' in params && params.password !== null ? optionalString(params, 'password') : null;
    const role = optionalString(params, 'role');
    const userMetadata = optionalObject(params, 'user_metadata');
    const appMetadata = optionalObject(params, 'app_metadata');
    const bannedUntil = banUntil(optionalString(params, 'ban_duration'));
    const address = email === '' ? null : validateEmail(email);
    const number = phone === '' ? null : validatePhone(phone);
    if (address !== null && address !== (user.email ?? '').toLowerCase()) {
      const other = await findUserByEmail(sql, address);
      if (other !== null && other.id !== id)
        throw unprocessable('email_exists', 'A user with this email address has already been registered');
    }
    if (number !== null && number !== user.phone && (await findUserByPhone(sql, number)) !== null) {
      throw unprocessable('phone_exists', 'A user with this phone number has already been registered');
    }
    let encrypted: string | null = null;
    if (password !== null) {
      const weak = passwordProblem(password, config.minimumPasswordLength, config.passwordRequirements);
      if (weak) throw weak;
      encrypted = await hashPassword(password);
    }
    const at = now();
    const updated = await transaction(async (q) => {
      const set = async (column: string, value: unknown, cast = '') =>
        q.query(`update auth.users set ${column} = $2${cast}, updated_at = $3 where id = $1`, [id, value, at]);
      if (role !== '') await set('role', role);
      if (encrypted !== null) await set('encrypted_password', encrypted);
      if (address !== null && address !== user.email) {
        await set('email', address);
        await insertIdentity(
          q,
          id,
          'email',
          identityData(id, { email: address }, params.email_confirm === true || isConfirmed(user), {}),
          at,
        );
      }
      if (number !== null && number !== user.phone) await set('phone', number);
      if (params.email_confirm === true) {
        await q.query(
          `update auth.users set email_confirmed_at = coalesce(email_confirmed_at, $2),
                  email = case when email_change <> '' then email_change else email end, email_change = '', updated_at = $2 where id = $1`,
          [id, at],
        );
      }
      if (params.phone_confirm === true) await set('phone_confirmed_at', at);
      const current = await mustFind(q, id);
      if (userMetadata !== null || params.email_confirm === true) {
        const merged = mergeMetadata(current.raw_user_meta_data, {
          ...(userMetadata ?? {}),
          ...(params.email_confirm === true ? { email_verified: true } : {}),
        });
        await set('raw_user_meta_data', JSON.stringify(merged), '::text::jsonb');
      }
      if (appMetadata !== null)
        await set('raw_app_meta_data', JSON.stringify(mergeMetadata(current.raw_app_meta_data, appMetadata)), '::text::jsonb');
      if (bannedUntil !== undefined) {
        await set('banned_until', bannedUntil);
        if (bannedUntil !== null) await logout(q, id, null, 'global');
      }
      return mustFind(q, id);
    });
    return jsonResponse(200, userJson(updated));
  }

  async function adminDelete(req: Request, id: string): Promise<Response> {
    const user = await findUserById(sql, id);
    if (user === null) throw notFound('user_not_found', 'User not found');
    const text = await readBody(req);
    const params = text.trim() === '' ? {} : parseJson(text);
    const soft = params.should_soft_delete === true;
    await transaction(async (q) => {
      if (!soft) {
        await q.query('delete from auth.users where id = $1', [id]);
        return;
      }
      if (user.deleted_at !== null) return;
      // GoTrue's SoftDeleteUser: the row stays (and with it what references it), the person is gone.
      await q.query(
        `update auth.users set deleted_at = $2, updated_at = $2, email = null, phone = null, encrypted_password = '',
                email_change = '', raw_app_meta_data = '{}'::jsonb, raw_user_meta_data = '{}'::jsonb where id = $1`,
        [id, now()],
      );
      await q.query('delete from auth.identities where user_id = $1', [id]);
      await logout(q, id, null, 'global');
    });
    return jsonResponse(200, {});
  }

  // --- helpers -------------------------------------------------------------------------

  function obfuscatedUser(user: UserRow, data: Json): Json {
    const at = now().toISOString();
    return {
      ...userJson({ ...user, identities: [] }),
      id: randomUUID(),
      role: '',
      phone: '',
      created_at: at,
      updated_at: at,
      confirmation_sent_at: at,
      user_metadata: data,
      app_metadata: { provider: 'email', providers: ['email'] },
      identities: [],
      email_confirmed_at: undefined,
      confirmed_at: undefined,
      last_sign_in_at: undefined,
    };
  }

  function banUntil(duration: string): Date | null | undefined {
    if (duration === '') return undefined;
    if (duration === 'none') return null;
    const ms = goDuration(duration);
    if (ms === null) throw badRequest('validation_failed', `invalid format for ban duration: time: invalid duration "${duration}"`);
    return new Date(now().getTime() + ms);
  }

  return {
    handle,
    tokens,
    async close() {},
  };
}

// --- request parsing -----------------------------------------------------------------------

async function readBody(req: Request): Promise<string> {
  const text = await req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new AuthError(413, 'request_entity_too_large', `Request body too large (max ${MAX_BODY_BYTES} bytes)`);
  }
  return text;
}

function parseJson(text: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw badRequest('bad_json', `Could not parse request body as JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badRequest('bad_json', 'Could not parse request body as JSON: expected an object');
  }
  return parsed as Json;
}

const body = async (req: Request): Promise<Json> => {
  const text = await readBody(req);
  return text.trim() === '' ? {} : parseJson(text);
};

function optionalString(params: Json, key: string): string {
  const value = params[key];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw badRequest('bad_json', `Could not parse request body as JSON: ${key} must be a string`);
  return value;
}

function optionalObject(params: Json, key: string): Json | null {
  const value = params[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('bad_json', `Could not parse request body as JSON: ${key} must be an object`);
  }
  return value as Json;
}

function validateEmail(email: string): string {
  if (email === '') throw badRequest('validation_failed', 'An email address is required');
  if (email.length > 255) throw badRequest('validation_failed', 'An email address is too long');
  if (!EMAIL.test(email)) throw badRequest('validation_failed', 'Unable to validate email address: invalid format');
  return email.toLowerCase();
}

function validatePhone(phone: string): string {
  const digits = phone.replace(/[\s()+-]/g, '');
  if (!/^[1-9]\d{1,14}$/.test(digits)) throw badRequest('validation_failed', 'Invalid phone number format (E.164 required)');
  return digits;
}

function positiveInt(value: string | null, fallback: number): number {
  if (value === null || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw badRequest('validation_failed', `Bad Pagination Parameters: invalid value "${value}"`);
  return Number(value);
}

/** Go's time.ParseDuration for the units GoTrue's ban_duration takes (e.g. "24h", "1h30m", "90s"). */
function goDuration(text: string): number | null {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const pattern = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let position = 0;
  while (position < text.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (!match) return null;
    total += Number(match[1]) * (units[match[2] ?? ''] ?? 0);
    position = pattern.lastIndex;
  }
  return position === 0 ? null : total;
}

/** golang-jwt's wording for why a token was refused. */
function joseReason(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token has invalid claims: token is expired';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature is invalid: signature is invalid';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `token has invalid claims: ${error.message}`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JWKSNoMatchingKey) {
    return 'token is unverifiable: error while executing keyfunc: unrecognized JWT kid or algorithm';
  }
  return `token is malformed: ${error instanceof Error ? error.message : String(error)}`;
}

/** The client address the server put in X-Forwarded-For (it overwrites what clients send). */
function requestInfo(req: Request): RequestInfo {
  const forwarded = req.headers.get('x-forwarded-for');
  return { userAgent: req.headers.get('user-agent'), ip: forwarded ? (forwarded.split(',')[0]?.trim() ?? null) : null };
}
