/**
 * Capabilities a plugin must declare before its tools may use them. The host grants a subset,
 * as the operator's config allows; a call outside the grant fails with {@link PermissionDeniedError}.
 */
export const PERMISSIONS = [
  'models:chat',
  'models:embed',
  'models:image',
  'knowledge:read',
  'knowledge:write',
  'storage',
  'network',
] as const;

/** One declared capability. */
export type Permission = (typeof PERMISSIONS)[number];

/** True when `value` names a known permission. */
export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}
