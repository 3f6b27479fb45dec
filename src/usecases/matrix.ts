/**
 * @module usecases/matrix
 *
 * The connectivity matrix of a session: the engine is built with DNS
 * answers for the toFQDNs names of the policies, so that the matrix can
 * show what each source may reach by name (the engine decides whether the
 * name is learnt). The CLI and the server call this.
 */
import { computeMatrix, sampleDns, type Matrix, type MatrixOptions } from '../analysis/matrix/matrix.js';
import type { EngineOptions } from '../engine/types.js';
import type { Session } from './session.js';

export function connectivityMatrix(session: Session, options: MatrixOptions = {}, engineOptions: EngineOptions = {}): Matrix {
  const dns = sampleDns(session.inspectable(engineOptions));
  const engine = session.inspectable({ ...engineOptions, dns });
  return computeMatrix(session.workspace, engine, dns, options);
}
