/**
 * @module analysis/connectivity/endpoint-ref
 *
 * The syntax of a case's `from` / `to`: what the author named, before
 * anything is looked up in the cluster (that is `resolve.ts`).
 *
 * - `NS/NAME`        a pod by exact name, or every pod of the workload NAME
 * - `svc:NS/NAME`    a Service (the engine picks the backend, as Cilium does)
 * - `ip:ADDR`        any address: world, a node, a pod IP
 * - `fqdn:NAME`      an external name, resolved through the test's `spec.dns`
 */
import { parseIp } from '../../net/ip.js';

/** A parsed endpoint reference; `text` is what the author wrote, for messages and output. */
export type EndpointRef =
  | { readonly kind: 'workload'; readonly namespace: string; readonly name: string; readonly text: string }
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string; readonly text: string }
  | { readonly kind: 'ip'; readonly ip: string; readonly text: string }
  | { readonly kind: 'fqdn'; readonly name: string; readonly text: string };

export type EndpointRefResult =
  | { readonly ok: true; readonly ref: EndpointRef }
  | { readonly ok: false; readonly message: string; readonly hint: string };

/** The forms, for hints. */
export const ENDPOINT_FORMS = 'NS/POD, NS/WORKLOAD, svc:NS/NAME, ip:ADDRESS or fqdn:NAME';

// DNS-1123 label (namespace) and subdomain (object names), as the API server checks them.
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const FQDN = /^[-a-zA-Z0-9_]+(\.[-a-zA-Z0-9_]+)*\.?$/;

/** Parses one endpoint reference. */
export function parseEndpointRef(text: string): EndpointRefResult {
  const colon = text.indexOf(':');
  const prefix = colon > 0 && !text.startsWith('[') ? text.slice(0, colon) : '';
  const rest = prefix ? text.slice(colon + 1) : text;
  switch (prefix) {
    case 'ip': {
      if (!parseIp(rest)) return bad(`${JSON.stringify(rest)} is not an IP address`, 'write an address such as ip:203.0.113.5 or ip:2001:db8::1');
      return { ok: true, ref: { kind: 'ip', ip: rest, text } };
    }
    case 'fqdn': {
      if (!FQDN.test(rest)) return bad(`${JSON.stringify(rest)} is not a DNS name`, 'write a name such as fqdn:storage.cloud.google.com');
      return { ok: true, ref: { kind: 'fqdn', name: rest.toLowerCase().replace(/\.$/, ''), text } };
    }
    case 'svc':
    case '': {
      const parts = rest.split('/');
      if (parts.length !== 2 || !LABEL.test(parts[0]!) || !SUBDOMAIN.test(parts[1]!)) {
        return bad(
          `${JSON.stringify(text)} is not an endpoint`,
          parts.length === 1 && !prefix ? `name the namespace too, e.g. default/${rest}; endpoints are ${ENDPOINT_FORMS}` : `endpoints are ${ENDPOINT_FORMS}`,
        );
      }
      const [namespace, name] = parts as [string, string];
      return { ok: true, ref: { kind: prefix ? 'service' : 'workload', namespace, name, text } };
    }
    default:
      return bad(`unknown endpoint prefix "${prefix}:" in ${JSON.stringify(text)}`, `endpoints are ${ENDPOINT_FORMS}`);
  }
}

function bad(message: string, hint: string): EndpointRefResult {
  return { ok: false, message, hint };
}
