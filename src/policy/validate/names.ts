/**
 * @module policy/validate/names
 *
 * Object names: Kubernetes requires a DNS subdomain name (lower case, ≤ 253).
 */
import type { ManifestObject } from '../../manifest/object.js';
import type { Reporter } from './reporter.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function checkObjectName(r: Reporter, obj: ManifestObject): void {
  if (typeof (obj.value.metadata as Record<string, unknown> | undefined)?.name !== 'string') return; // the schema reported it
  if (obj.name === '') {
    r.error(['metadata', 'name'], 'missing-name', `${obj.kind} must have a name`, 'set metadata.name');
  } else if (obj.name.length > 253 || !DNS_SUBDOMAIN.test(obj.name)) {
    r.error(['metadata', 'name'], 'invalid-name', `"${obj.name}" is not a valid object name: use lower-case letters, digits, "-" and ".", starting and ending with a letter or digit`,
      `e.g. ${obj.name.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'my-policy'}`);
  }
}
