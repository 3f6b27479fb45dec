/**
 * @module policy/validate/cilium-policy
 *
 * Validates a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy object:
 * its shape against the CRD (what the API server checks), then every rule as
 * Cilium's agent checks it (`(*CiliumNetworkPolicy).Parse`, `Rule.Sanitize`).
 */
import type { ManifestObject } from '../../manifest/object.js';
import { checkSchemaRepairing } from '../../manifest/check-schema.js';
import { ciliumPolicySchema } from '../schema/cilium.js';
import type { LoadedCiliumPolicy, LocatedRule } from '../types.js';
import { checkCiliumRule } from './cilium-rule.js';
import { ciliumRejects, Reporter } from './reporter.js';
import { checkObjectName } from './names.js';

/**
 * Errors the API server finds before Cilium sees the object: the CRD types
 * `CIDR` with `+kubebuilder:validation:Format=cidr` (pkg/policy/api/cidr.go),
 * which the apiextensions server checks with net.ParseCIDR (kube-openapi strfmt "cidr"),
 * and the oneOf unions of FQDNSelector (fqdn.ts) and L7Rules (ports.ts).
 */
const SCHEMA_FORMAT_CODES: ReadonlySet<string> = new Set(['invalid-cidr', 'fqdn-name-and-pattern', 'fqdn-empty', 'mixed-l7', 'l7-rules-empty']);

export function validateCiliumPolicy(obj: ManifestObject): { policy: LoadedCiliumPolicy; diagnostics: Reporter['diagnostics'] } {
  const r = new Reporter(obj);
  const kind = obj.kind as LoadedCiliumPolicy['kind'];
  const clusterwide = kind === 'CiliumClusterwideNetworkPolicy';
  const { value: spec, repaired, removed, diagnostics } = checkSchemaRepairing(obj, ciliumPolicySchema);
  r.diagnostics.push(...diagnostics);
  const checked = spec ?? repaired;
  checkObjectName(r, obj);
  if (clusterwide && obj.namespace !== undefined) {
    r.warn(['metadata', 'namespace'], 'namespace-ignored', 'a CiliumClusterwideNetworkPolicy is cluster-scoped: metadata.namespace is ignored', 'remove metadata.namespace', 'key');
  }
  const rules: LocatedRule[] = [];
  if (checked) {
    // On a repaired copy, problems caused by the removed fields were already reported.
    const semantic = spec ? r : r.scoped(removed);
    if (checked.spec === undefined && checked.specs === undefined && removed.length === 0) {
      r.error([], 'empty-policy', `the ${kind} has neither spec nor specs`, ciliumRejects(`Invalid ${kind} spec(s): empty policy`, 'add a spec with an endpointSelector and rules'));
    }
    if (checked.spec) rules.push({ rule: checked.spec, path: ['spec'] });
    (checked.specs ?? []).forEach((rule, i) => rules.push({ rule, path: ['specs', i] }));
    for (const { rule, path } of rules) checkCiliumRule(semantic, rule, path, { clusterwide, isSpec: path[0] === 'spec' });
  }
  const policy: LoadedCiliumPolicy = {
    kind, ref: { kind, namespace: clusterwide ? undefined : (obj.namespace ?? 'default'), name: obj.name },
    object: obj, spec, rules: spec ? rules : [], valid: spec !== undefined && !r.hasErrors,
    refusedByApiServer: spec === undefined || r.diagnostics.some((d) => d.severity === 'error' && SCHEMA_FORMAT_CODES.has(d.code)),
  };
  return { policy, diagnostics: r.diagnostics };
}
