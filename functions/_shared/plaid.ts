/**
 * The official Plaid client (`plaid`), configured from the environment and
 * seen through the sync service's PlaidApi: `null` without Plaid's settings
 * (plaid-sync then answers 503). Credentials go in Plaid's headers
 * (PLAID-CLIENT-ID, PLAID-SECRET), the API version is pinned, and every error
 * comes out as a PlaidApiError with Plaid's error_type and error_code.
 */
import { PlaidApiError, type PlaidApi } from '@wallai/bank-import/plaid-sync';
import type { PlaidEnv } from '@wallai/function-env';
import { Configuration, PlaidApi as PlaidClient, PlaidEnvironments } from 'plaid';

/** The API version the client is generated for (plaid-node 47). */
export const PLAID_API_VERSION = '2020-09-14';
/** Transactions per /transactions/sync page: Plaid's maximum. */
export const SYNC_PAGE_SIZE = 500;

export function createPlaidApi(env: PlaidEnv | null): PlaidApi | null {
  if (env === null) return null;
  const client = new PlaidClient(
    new Configuration({
      basePath: env.baseUrl ?? PlaidEnvironments[env.environment],
      baseOptions: {
        timeout: env.timeoutMs,
        headers: { 'PLAID-CLIENT-ID': env.clientId, 'PLAID-SECRET': env.secret, 'Plaid-Version': PLAID_API_VERSION },
      },
    }),
  );
  return {
    async exchangePublicToken(publicToken) {
      const { data } = await call(() => client.itemPublicTokenExchange({ public_token: publicToken }));
      return { accessToken: data.access_token, itemId: data.item_id };
    },
    async getItem(accessToken) {
      const { data } = await call(() => client.itemGet({ access_token: accessToken }));
      return { institutionId: data.item.institution_id ?? null, institutionName: data.item.institution_name ?? null };
    },
    async syncPage(accessToken, cursor) {
      const { data } = await call(() =>
        client.transactionsSync({ access_token: accessToken, count: SYNC_PAGE_SIZE, ...(cursor === null ? {} : { cursor }) }),
      );
      return data as unknown as Record<string, unknown>;
    },
  };
}

/** Runs one request; Plaid's error body (or the failure to reach Plaid) as a PlaidApiError. */
async function call<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw plaidError(error);
  }
}

export function plaidError(error: unknown): PlaidApiError {
  const response = (error as { response?: { status?: number; data?: unknown } }).response;
  const body = response?.data;
  if (response !== undefined && typeof body === 'object' && body !== null) {
    const b = body as Record<string, unknown>;
    const text = (key: string) => (typeof b[key] === 'string' ? (b[key] as string) : null);
    return new PlaidApiError(
      response.status ?? null,
      text('error_type') ?? 'API_ERROR',
      text('error_code') ?? 'UNKNOWN',
      text('error_message') ?? `Plaid answered ${response.status}`,
      text('request_id'),
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PlaidApiError(response?.status ?? null, 'API_ERROR', 'PLAID_UNREACHABLE', `Plaid could not be reached: ${message}`);
}
