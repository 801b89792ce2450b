/**
 * The request headers a browser may send to the edge functions, as a CORS
 * preflight answers them: supabase-js's own (authorization, x-client-info,
 * apikey, content-type) and Idempotency-Key, which retried writes carry. One
 * list for the functions and for whatever serves them (Supabase's gateway, or
 * the local Deno gateway of `npm run dev`), so a preflight never passes one and
 * fails the other.
 */
export const CORS_ALLOW_HEADERS = 'authorization, x-client-info, apikey, content-type, idempotency-key';
