/**
 * @module analysis/connectivity/endpoint-ref
 *
 * The syntax of a case's `from` / `to`: what the author named, before
 * anything is looked up in the cluster (that is `resolve.ts`).
 *
 * - `NS/NAME`        a pod by exact name, or every pod of the workload NAME
 * - `svc:NS/NAME`    a Service (the engine picks the backend, as Cilium does)
 * - `NAME`, `NAME.NS`, `NAME.NS.svc.cluster.local`
 *                    a DNS name, as a pod would look it up: a Service (or a pod
 *                    of a headless one) from the source's namespace, else an
 *                    external name answered by the test's `spec.dns`
 * - `ip:ADDR`        any address: world, a node (with a node port: that
 *                    NodePort service), a pod IP, a ClusterIP (that service)
 * - `fqdn:NAME`      an external name, resolved through the test's `spec.dns`
 *
 * Which of these a DNS name or an address is depends on the cluster, so it
 * is settled in `resolve.ts`.
 */
import { parseIp } from '../../net/ip.js';

/** A parsed endpoint reference; `text` is what the author wrote, for messages and output. */
export type EndpointRef =
  | { readonly kind: 'workload'; readonly namespace: string; readonly name: string; readonly text: string }
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string; readonly text: string }
  | { readonly kind: 'ip'; readonly ip: string; readonly text: string }
  /** A DNS name written bare, lower-cased (a trailing dot kept: it means "as written, no search path"). */
  | { readonly kind: 'name'; readonly name: string; readonly text: string }
  | { readonly kind: 'fqdn'; readonly name: string; readonly text: string };

export type EndpointRefResult =
  | { readonly ok: true; readonly ref: EndpointRef }
  | { readonly ok: false; readonly message: string; readonly hint: string };

/** The forms, for hints and help texts. */
export const ENDPOINT_FORMS = 'NS/POD, NS/WORKLOAD, svc:NS/NAME, a service DNS name (NAME, NAME.NS, NAME.NS.svc.cluster.local), ip:ADDRESS (a ClusterIP, or a node address with a node port, reaches the service) or fqdn:NAME';
/** What may start a connection. */
export const SOURCE_FORMS = 'NS/POD, NS/WORKLOAD or ip:ADDRESS';

/** The usage error for a Service given as the source; `example` is a workload to suggest. */
export function serviceAsSource(what: string, example = 'default/frontend'): { message: string; hint: string } {
  return {
    message: `${what} is a Service, and a Service never sends traffic`,
    hint: `name a pod or workload as the source, e.g. ${example}`,
  };
}

// DNS-1123 label (namespace) and subdomain (object names), as the API server checks them.
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const FQDN = /^[-a-zA-Z0-9_]+(\.[-a-zA-Z0-9_]+)*\.?$/;

/** Parses one endpoint reference. */
export function parseEndpointRef(text: string): EndpointRefResult {
  // An address written bare, as in `curl 10.96.0.10`.
  if (parseIp(text)) return { ok: true, ref: { kind: 'ip', ip: text, text } };
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
      if (!prefix && parts.length === 1 && FQDN.test(rest)) return { ok: true, ref: { kind: 'name', name: rest.toLowerCase(), text } };
      if (parts.length !== 2 || !LABEL.test(parts[0]!) || !SUBDOMAIN.test(parts[1]!)) {
        return bad(
          `${JSON.stringify(text)} is not an endpoint`,
          `endpoints are ${ENDPOINT_FORMS}`,
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
