/**
 * @module server/status
 *
 * Kubernetes `Status` errors (apimachinery `pkg/api/errors`): every failure
 * the API server answers is one of these, with the reason and code kubectl
 * reads to print "Error from server (NotFound): …" and to decide what to do
 * next (a 404 on GET makes `kubectl apply` create; a 409 Conflict makes it
 * retry).
 */
import type { ResourceType } from './resources.js';

export interface StatusCause {
  readonly reason?: string;
  readonly message: string;
  readonly field?: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: { name?: string; group?: string; kind?: string; causes?: readonly StatusCause[] },
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason,
      ...(this.details ? { details: this.details } : {}), code: this.code,
    };
  }
}

/** `deployments.apps`, `pods`: how Kubernetes names a resource in messages. */
export const qualified = (r: ResourceType): string => (r.group ? `${r.plural}.${r.group}` : r.plural);
const details = (r: ResourceType, name: string) => ({ name, ...(r.group ? { group: r.group } : {}), kind: r.plural });

export const notFound = (r: ResourceType, name: string) => new ApiError(404, 'NotFound', `${qualified(r)} "${name}" not found`, details(r, name));
export const alreadyExists = (r: ResourceType, name: string) =>
  new ApiError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, details(r, name));
export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);
export const conflict = (r: ResourceType, name: string, message: string, causes?: StatusCause[]) =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${message}`, { ...details(r, name), ...(causes ? { causes } : {}) });
export function invalid(r: ResourceType, name: string, causes: readonly StatusCause[]): ApiError {
  const list = causes.map((c) => `${c.field ? `${c.field}: ` : ''}${c.message}`);
  const text = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${r.kind}${r.group ? `.${r.group}` : ''} "${name}" is invalid: ${text}`, { name, ...(r.group ? { group: r.group } : {}), kind: r.kind, causes });
}
