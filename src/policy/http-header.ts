/**
 * @module policy/http-header
 *
 * How Cilium reads an HTTP rule's `headers` entry, shared by validation
 * (an entry that names no header is refused) and normalisation (what the
 * engine matches). The agent does not sanitize headers; the L7 rules
 * translator (`getHTTPRule`, pkg/envoy/policy envoy_l7_rules_translator.go)
 * splits each entry at its first space (`strings.SplitN(hdr, " ", 2)`):
 * - with a space, `"X-Key: true"`: the header name is the text before it with
 *   every trailing colon trimmed (`strings.TrimRight(strs[0], ":")`), and the
 *   value the rest exactly as written, for Envoy's exact match;
 * - without one, `"X-Key"`: the whole text names a header that must be
 *   present, colons and all (`"X-Key:"` names a header no request can carry).
 */

export interface HeaderRule {
  readonly name: string;
  /** Undefined: the header must only be present. */
  readonly value?: string;
}

export function headerRule(text: string): HeaderRule {
  const sp = text.indexOf(' ');
  if (sp < 0) return { name: text };
  return { name: text.slice(0, sp).replace(/:+$/, ''), value: text.slice(sp + 1) };
}
