/**
 * @module policy/validate/ports
 *
 * Checks of `toPorts` (ports, protocols, L7 rules, TLS, listeners) and
 * `icmps`, following Cilium 1.18's `(*PortRule).sanitize`,
 * `(*PortProtocol).sanitize`, `(*L7Rules).sanitize` and the HTTP, Kafka and
 * DNS rule checks (`pkg/policy/api/rule_validation.go`, `l4.go`, `http.go`,
 * `icmp.go`, `github.com/cilium/proxy/pkg/policy/api/kafka`).
 */
import type { FieldPath } from '../../manifest/object.js';
import { compileRe2 } from '../../util/re2.js';
import type { IcmpRuleSpec, KafkaRuleSpec, L7RulesSpec, PortProtocolSpec, PortRuleSpec } from '../schema/cilium.js';
import { parsePortString } from '../ports.js';
import { headerRule } from '../http-header.js';
import { icmpTypeNumber } from '../icmp.js';
import { ciliumRejects, crdRejects, type Reporter } from './reporter.js';
import { checkFqdnSelector } from './fqdn.js';

/** Cilium's limit on ports per PortRule and ICMP fields per rule (`maxPorts`, `maxICMPFields`). */
const MAX_PORTS = 40;
const MAX_ICMP_FIELDS = 40;

export interface PortContext {
  readonly ingress: boolean;
  /** Deny rules carry only ports (PortDenyRule). */
  readonly deny: boolean;
  /** Rule selects nodes (host policy): L7 is restricted. */
  readonly host: boolean;
}

/** Checks one element of `toPorts`. */
export function checkPortRule(r: Reporter, pr: PortRuleSpec, path: FieldPath, ctx: PortContext): void {
  const rules = pr.rules;
  const hasDns = (rules?.dns?.length ?? 0) > 0;
  // Cilium checks L7 rules only where `!pr.Rules.IsEmpty()`, and IsEmpty looks at the http, kafka,
  // dns and l7 lists, never at l7proto (pkg/policy/api/l4.go; rule_validation.go PortRule.Sanitize):
  // `rules: {l7proto: x}` with no `l7` entries passes the TCP, port-0, listener and SNI checks.
  const hasL7 = rules !== undefined && ['http', 'kafka', 'dns', 'l7'].some((k) => ((rules as Record<string, unknown[] | undefined>)[k]?.length ?? 0) > 0);

  if (hasL7 && ctx.host) {
    // countL7Rules counts DNS, HTTP and Kafka; host ingress refuses any, host egress all but DNS.
    const refused = ((rules!.http?.length ?? 0) > 0 && 'HTTP') || ((rules!.kafka?.length ?? 0) > 0 && 'Kafka') || undefined;
    if (ctx.ingress) {
      r.error([...path, 'rules'], 'host-l7', 'host policies cannot have L7 rules on ingress', ciliumRejects('L7 policy is not supported on host ingress yet', 'remove "rules" from this host policy'));
    } else if (refused) {
      r.error([...path, 'rules'], 'host-l7', 'host policies support only DNS rules on egress', ciliumRejects(`L7 protocol ${refused} is not supported on host egress yet`, 'keep only "dns" rules here'));
    }
  }
  if (hasDns && ctx.ingress) {
    r.error([...path, 'rules', 'dns'], 'dns-on-ingress', 'DNS rules apply only to egress', ciliumRejects('L7 protocol DNS is not supported on ingress yet', 'move the DNS rule to an egress rule of the pods that send the queries'));
  }
  if ((pr.serverNames?.length ?? 0) > 0 && hasL7 && !pr.terminatingTLS) {
    r.error([...path, 'serverNames'], 'server-names-with-l7', 'serverNames cannot be combined with L7 rules unless TLS is terminated', ciliumRejects('ServerNames are not allowed with L7 rules without TLS termination', 'add terminatingTLS, or move the L7 rules to another port rule'));
  }
  (pr.serverNames ?? []).forEach((sn, i) => {
    if (sn === '') r.error([...path, 'serverNames', i], 'empty-server-name', 'a server name must not be empty', ciliumRejects('empty server name is not allowed', 'remove the empty entry'));
  });
  const ports = pr.ports ?? [];
  checkPortCount(r, ports, path);
  if (ports.length === 0 && !hasDns) {
    // Cilium accepts it and makes no filter of it (pkg/policy/rule.go: one per entry of `ports`).
    r.warn(path, 'port-rule-without-ports', `this port rule names no ports, so it allows nothing${hasL7 ? ' (its L7 rules apply to no port)' : ''}`,
      'list the ports, e.g. ports: [{port: "80", protocol: TCP}]; to allow every port leave toPorts out');
  }
  let zeroPort = false;
  ports.forEach((pp, i) => {
    const p = [...path, 'ports', i];
    if (checkPortProtocol(r, pp, p, hasDns) === 0) zeroPort = true;
    const proto = pp.protocol ?? 'ANY';
    if (hasL7 && !hasDns && proto !== 'TCP') {
      r.error([...p, pp.protocol ? 'protocol' : 'port'], 'l7-needs-tcp', `${l7Kinds(rules!).join('/') || 'L7'} rules apply only to TCP, but this port's protocol is ${proto}`,
        ciliumRejects(`L7 rules can only apply to TCP (not ${proto}) except for DNS rules`, 'add protocol: TCP to the port'));
    }
  });
  if (pr.listener) {
    if (ctx.ingress) r.error([...path, 'listener'], 'listener-on-ingress', 'a listener cannot be used on ingress', ciliumRejects(`Listener is not allowed on ingress (${pr.listener.name})`, 'remove the listener'));
    if (hasL7) r.error([...path, 'listener'], 'listener-with-l7', 'a listener cannot be combined with L7 rules', ciliumRejects(`Listener is not allowed with L7 rules (${pr.listener.name})`, 'remove "rules" or the listener'));
  }
  if (rules) {
    if (zeroPort && hasL7) {
      r.error([...path, 'rules'], 'l7-on-port-zero', 'L7 rules need a specific port, but a port here is 0 (all ports)', ciliumRejects('L7 rules can not be used when a port is 0', 'name the port the L7 protocol runs on, e.g. port: "80"'));
    }
    checkL7Rules(r, rules, [...path, 'rules'], ports.length);
  }
}

/** The `maxPorts` limit, which PortDenyRule shares with PortRule (`pkg/policy/api/rule_validation.go: PortDenyRule.Validate`). */
export function checkPortCount(r: Reporter, ports: readonly unknown[], path: FieldPath): void {
  if (ports.length > MAX_PORTS) {
    r.error([...path, 'ports'], 'too-many-ports', `${ports.length} ports in one port rule; Cilium allows at most ${MAX_PORTS}`, ciliumRejects(`too many ports, the max is ${MAX_PORTS}`, 'split them over several port rules or use a range (endPort)'));
  }
}

/** Checks one `ports` entry; returns the port number (or undefined for names/errors). */
export function checkPortProtocol(r: Reporter, pp: PortProtocolSpec, path: FieldPath, hasDns: boolean): number | undefined {
  if (pp.port === undefined || pp.port === '') {
    r.error([...path, 'port'], 'port-required', 'port must be specified', ciliumRejects('port must be specified', 'write a port number as a string, e.g. port: "443", or "0" for all ports'), 'key');
    return undefined;
  }
  const parsed = parsePortString(pp.port);
  if (parsed.kind === 'invalid') {
    r.error([...path, 'port'], 'invalid-port', `port "${pp.port}" is neither a number from 0 to 65535 nor a port name`, ciliumRejects(`unable to parse port: ${pp.port}`, 'write a number such as "443" or a container port name such as "http"'));
    return undefined;
  }
  if (parsed.kind === 'number') {
    if (parsed.text !== String(parsed.port)) {
      r.warn([...path, 'port'], 'port-odd-notation', `port "${pp.port}" is read by Cilium as ${parsed.port} (Go number syntax)`, `write port: "${parsed.port}" to say what you mean`);
    }
    if (pp.endPort !== undefined && pp.endPort !== 0) {
      if (hasDns && pp.endPort > parsed.port) {
        r.error([...path, 'endPort'], 'dns-port-range', 'DNS rules cannot use a port range', ciliumRejects('DNS rules do not support port ranges', 'remove endPort and name the DNS port, usually "53"'));
      } else if (pp.endPort < parsed.port) {
        r.warn([...path, 'endPort'], 'endport-below-port', `endPort ${pp.endPort} is below port ${parsed.port}, so the range is just port ${parsed.port}`, 'make endPort at least port, or remove it');
      } else if (parsed.port === 0 && pp.endPort !== 65535) {
        r.warn([...path, 'endPort'], 'range-from-zero', `port "0" already means every port; endPort ${pp.endPort} does not narrow it`, 'start the range at 1, e.g. port: "1"');
      }
    }
    return parsed.port;
  }
  if (pp.endPort) {
    r.warn([...path, 'endPort'], 'endport-with-named-port', `endPort with the named port "${parsed.name}": Cilium applies the range from the number the name resolves to`, 'use a numeric port with endPort');
  }
  return undefined;
}

export function l7Kinds(rules: L7RulesSpec): string[] {
  const kinds: string[] = [];
  if ((rules.http?.length ?? 0) > 0) kinds.push('HTTP');
  if ((rules.kafka?.length ?? 0) > 0) kinds.push('Kafka');
  if ((rules.dns?.length ?? 0) > 0) kinds.push('DNS');
  if (rules.l7proto !== undefined && rules.l7proto !== '') kinds.push(`L7 (${rules.l7proto})`);
  return kinds;
}

/**
 * L7Rules' http, kafka, dns and l7proto each carry +kubebuilder:validation:OneOf
 * (pkg/policy/api/l4.go in cilium 1.17 and 1.18.0-pre.3, as vendored by
 * cilium-cli 7a84943d4 / 6e65fa094), which the CRD renders as a oneOf of
 * `required` lists: exactly one of them must be written, an empty list counting.
 */
const L7_UNION = ['http', 'kafka', 'dns', 'l7proto'] as const;

function checkL7Rules(r: Reporter, rules: L7RulesSpec, path: FieldPath, portCount: number): void {
  const written = L7_UNION.filter((f) => rules[f] !== undefined);
  if (written.length > 1) {
    r.error(path, 'mixed-l7', `one port rule mixes ${written.join(' and ')} rules`,
      crdRejects('exactly one of http, kafka, dns and l7proto: its oneOf; the agent also refuses "multiple L7 protocol rule types specified in single rule"', 'put each L7 protocol in its own port rule'));
  } else if (written.length === 0 && rules.l7 === undefined) {
    r.error(path, 'l7-rules-empty', 'rules sets none of http, kafka, dns and l7proto',
      crdRejects('exactly one of http, kafka, dns and l7proto: its oneOf', 'remove rules for an L4-only rule, or write the L7 rules'));
  }
  if ((rules.l7?.length ?? 0) > 0 && !rules.l7proto) {
    r.error([...path, 'l7'], 'l7-without-l7proto', '"l7" rules need "l7proto" to name the parser', ciliumRejects("'l7' may only be specified when a 'l7proto' is also specified", 'add l7proto: <parser name>'));
  }
  (rules.l7 ?? []).forEach((kv, i) => {
    if (Object.keys(kv).some((k) => k === '')) r.error([...path, 'l7', i], 'l7-empty-key', 'an l7 rule has an empty key', ciliumRejects('Empty key not allowed', 'name every key'));
  });
  if ((rules.dns?.length ?? 0) > 0 && portCount === 0) {
    r.error([...path, 'dns'], 'dns-needs-port', 'DNS rules need the DNS port in "ports"', ciliumRejects('port 53 must be specified for DNS rules', 'add ports: [{port: "53", protocol: ANY}]'));
  }
  (rules.dns ?? []).forEach((sel, i) => checkFqdnSelector(r, sel, [...path, 'dns', i], 'dns'));
  (rules.http ?? []).forEach((h, i) => {
    const p = [...path, 'http', i];
    for (const field of ['path', 'method', 'host'] as const) {
      const re = h[field];
      if (re === undefined) continue;
      const c = compileRe2(re);
      if (!c.ok) {
        r.error([...p, field], 'invalid-regex', `${field} "${re}" is not a valid RE2 regular expression: ${c.error}`,
          field === 'host'
            ? 'Envoy rejects the generated configuration, so no HTTP rule of this port works; fix the expression'
            : ciliumRejects(`error parsing regexp: ${c.error}`, 'fix the expression (RE2 syntax: no lookaround or backreferences)'));
      }
    }
    if (h.method !== undefined && /^[a-z]+$/.test(h.method)) {
      r.warn([...p, 'method'], 'lowercase-method', `method "${h.method}" is matched case-sensitively and HTTP methods are upper-case, so it matches no request`, `write method: "${h.method.toUpperCase()}"`);
    }
    if (h.path !== undefined && h.path !== '' && !h.path.startsWith('/') && !h.path.startsWith('^') && !h.path.startsWith('.') && !h.path.startsWith('(')) {
      r.warn([...p, 'path'], 'path-not-absolute', `path "${h.path}" does not start with "/", but request paths always do, so it matches nothing`, `write path: "/${h.path}"`);
    }
    (h.headers ?? []).forEach((hd, j) => {
      if (headerRule(hd).name === '') {
        r.error([...p, 'headers', j], 'empty-header', `header rule ${JSON.stringify(hd)} names no header`,
          'write "Name" or "Name: value". Cilium accepts it ("Headers are not sanitized") but turns it into an Envoy header matcher with an empty name, which Envoy refuses (HeaderMatcher.name min_len 1): the proxy gets no policy update for the endpoint');
      }
    });
    (h.headerMatches ?? []).forEach((m, j) => {
      const mp = [...p, 'headerMatches', j];
      if (m.name === '') r.error([...mp, 'name'], 'header-name-missing', 'headerMatches needs a header name', ciliumRejects('Header name missing', 'set name'));
      if (m.mismatch !== undefined && !['LOG', 'ADD', 'DELETE', 'REPLACE'].includes(m.mismatch)) {
        r.error([...mp, 'mismatch'], 'invalid-header-action', `mismatch must be one of LOG, ADD, DELETE, REPLACE, not "${m.mismatch}"`, ciliumRejects(`Invalid header action: ${m.mismatch}`, 'use one of the four actions'));
      }
      if (m.secret && m.secret.name === '') r.error([...mp, 'secret', 'name'], 'secret-name-missing', 'the secret needs a name', ciliumRejects('Secret name missing', 'set secret.name'));
    });
  });
  (rules.kafka ?? []).forEach((k, i) => checkKafkaRule(r, k, [...path, 'kafka', i]));
}

const KAFKA_API_KEYS = new Set([
  'produce', 'fetch', 'offsets', 'metadata', 'leaderandisr', 'stopreplica', 'updatemetadata', 'controlledshutdown',
  'offsetcommit', 'offsetfetch', 'findcoordinator', 'joingroup', 'heartbeat', 'leavegroup', 'syncgroup',
  'describegroups', 'listgroups', 'saslhandshake', 'apiversions', 'createtopics', 'deletetopics', 'deleterecords',
  'initproducerid', 'offsetforleaderepoch', 'addpartitionstotxn', 'addoffsetstotxn', 'endtxn', 'writetxnmarkers',
  'txnoffsetcommit', 'describeacls', 'createacls', 'deleteacls', 'describeconfigs', 'alterconfigs',
]);

function checkKafkaRule(r: Reporter, k: KafkaRuleSpec, path: FieldPath): void {
  if (k.role && k.apiKey) {
    r.error(path, 'kafka-role-and-apikey', 'a Kafka rule may set role or apiKey, not both', ciliumRejects(`cannot set both Role:"${k.role}" and APIKey :"${k.apiKey}" together`, 'keep one of them'));
  }
  if (k.role && !['produce', 'consume'].includes(k.role.toLowerCase())) {
    r.error([...path, 'role'], 'invalid-kafka-role', `Kafka role must be "produce" or "consume", not "${k.role}"`, ciliumRejects('invalid Kafka Role', 'use produce or consume'));
  }
  if (k.apiKey && !KAFKA_API_KEYS.has(k.apiKey.toLowerCase())) {
    r.error([...path, 'apiKey'], 'invalid-kafka-apikey', `"${k.apiKey}" is not a Kafka API key`, ciliumRejects('invalid Kafka APIKey', 'use a name such as produce, fetch, metadata or createtopics'));
  }
  if (k.apiVersion && !/^-?\d+$/.test(k.apiVersion)) {
    r.error([...path, 'apiVersion'], 'invalid-kafka-apiversion', `Kafka apiVersion must be a whole number, not "${k.apiVersion}"`, ciliumRejects('invalid Kafka APIVersion', 'write e.g. "2", or leave it out for any version'));
  } else if (k.apiVersion && (Number(k.apiVersion) < -32768 || Number(k.apiVersion) > 32767)) {
    r.error([...path, 'apiVersion'], 'invalid-kafka-apiversion', `Kafka apiVersion ${k.apiVersion} does not fit in 16 bits`, ciliumRejects('invalid Kafka APIVersion', 'use a real API version'));
  }
  if (k.topic !== undefined) {
    if (k.topic.length > 255) r.error([...path, 'topic'], 'kafka-topic-too-long', 'Kafka topic is longer than 255 characters', ciliumRejects('kafka topic exceeds maximum len of 255', 'shorten it'));
    else if (k.topic !== '' && !/^[a-zA-Z0-9._-]+$/.test(k.topic)) r.error([...path, 'topic'], 'invalid-kafka-topic', `"${k.topic}" is not a valid Kafka topic name (letters, digits, ".", "_", "-")`, ciliumRejects('invalid Kafka Topic name', 'fix the name'));
  }
}

/** Checks `icmps` of a rule. */
export function checkIcmps(r: Reporter, icmps: readonly IcmpRuleSpec[], path: FieldPath): void {
  icmps.forEach((rule, i) => {
    const fields = rule.fields ?? [];
    if (fields.length > MAX_ICMP_FIELDS) {
      r.error([...path, i, 'fields'], 'too-many-icmp-types', `${fields.length} ICMP types in one rule; Cilium allows at most ${MAX_ICMP_FIELDS}`, ciliumRejects(`too many types, the max is ${MAX_ICMP_FIELDS}`, 'split them over several rules'));
    }
    fields.forEach((f, j) => {
      const family = f.family ?? 'IPv4';
      if (icmpTypeNumber(f.type, family) === undefined) {
        const isName = typeof f.type === 'string' && !/^\d+$/.test(f.type);
        r.error([...path, i, 'fields', j, 'type'], 'invalid-icmp-type',
          isName ? `ICMP type "${String(f.type)}" is not an ${family} type name` : `ICMP type ${String(f.type)} must be a number from 0 to 255`,
          isName ? `use a number, or a name such as ${family === 'IPv4' ? 'EchoRequest' : 'EchoRequest (IPv6: 128)'}; for IPv6 names set family: IPv6` : 'use a type from 0 to 255, e.g. 8 for echo request');
      }
    });
  });
}
