/**
 * Roles of a space member (space_members_role_check), from the most to the
 * least powerful: the owner (one per space), admins manage the space and its
 * budgets, members write their own records, viewers only read.
 */
export const SPACE_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type SpaceRole = (typeof SPACE_ROLES)[number];

export function isSpaceRole(value: string): value is SpaceRole {
  return (SPACE_ROLES as readonly string[]).includes(value);
}
