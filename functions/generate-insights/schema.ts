/** Request shapes of `generate-insights`. */
import { z } from 'zod';
import { parseInput } from '../_shared/validation.ts';

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

/** Any 8-4-4-4-12 hex id, as Postgres' uuid type accepts (seed data uses non-v4 ids). */
const Id = z.guid({ error: 'must be a uuid' });

/** The service role: one space, or a page of all active spaces (after the previous page's next_after). */
export const ServiceRequest = z.strictObject({
  space_id: Id.optional(),
  limit: z.int().min(1).max(MAX_PAGE).optional(),
  after: Id.optional(),
});

/** A member refreshes their own space. */
export const MemberRequest = z.strictObject({ space_id: Id });

export type ServiceRequestBody = z.output<typeof ServiceRequest>;
export type MemberRequestBody = z.output<typeof MemberRequest>;

export function parseServiceRequest(body: unknown): ServiceRequestBody {
  const parsed = parseInput(ServiceRequest, body ?? {});
  return parsed;
}

export function parseMemberRequest(body: unknown): MemberRequestBody {
  return parseInput(MemberRequest, body, 'Send { "space_id" }: the space whose insights to refresh.');
}
