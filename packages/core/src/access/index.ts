/**
 * Who may do what: one rule function per resource, used by every surface so that the code and
 * docs/security.md say the same thing.
 * @packageDocumentation
 */
export { type ArtifactOwner, canReadArtifact } from './artifacts.js';
export { ownConversationId } from './conversations.js';
export {
  canAddKnowledge,
  canModifySource,
  canReadSource,
  readScopeOf,
  type SourceScope,
  writeScopeOf,
} from './knowledge.js';
export { canUseModel, type ModelPolicy, type ModelTask } from './models.js';
export { hasGrant, type Party, partyOf } from './parties.js';
export { canCallTool } from './tools.js';
