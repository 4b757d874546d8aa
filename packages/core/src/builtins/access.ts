import { type Caller, type Permission, PermissionDeniedError } from '@hearth/sdk';

/**
 * Built-in tools' check of the caller: an MCP principal needs the permission in its grants;
 * on other surfaces write access needs an admin.
 */
export function requireCaller(caller: Caller, permission: Permission, what: string): void {
  if (caller.grants) {
    if (!caller.grants.includes(permission)) {
      throw new PermissionDeniedError(
        `You may not ${what}: the operator has not granted "${permission}" to ${caller.userId}.`,
      );
    }
    return;
  }
  if (permission === 'knowledge:write' && !caller.isAdmin) {
    throw new PermissionDeniedError(`You may not ${what}: only server admins may change the knowledge base.`);
  }
}
