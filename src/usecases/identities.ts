/**
 * @module usecases/identities
 *
 * The security identities of the workspace as the engine allocates them
 * (the same table verdicts use: endpoint identities, reserved ones and the
 * CIDR identities the policies reference), for `polis get identities` and
 * the server.
 */
import type { EngineOptions, IdentityInfo } from '../engine/types.js';
import type { Session } from './session.js';

export function listIdentities(session: Session, options: EngineOptions = {}): readonly IdentityInfo[] {
  return session.engine(options).identities();
}
