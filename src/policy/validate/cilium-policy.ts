/**
 * @module policy/validate/cilium-policy
 *
 * Validates a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy object:
 * its shape against the CRD (what the API server checks), then every rule as
 * Cilium's agent checks it (`(*CiliumNetworkPolicy).Parse`, `Rule.Sanitize`).
 */
import type { ManifestObject } from '../../manifest/object.js';
import { checkSchema } from '../../manifest/check-schema.js';
import { ciliumPolicySchema } from '../schema/cilium.js';
import type { LoadedCiliumPolicy, LocatedRule } from '../types.js';
import { checkCiliumRule } from './cilium-rule.js';
import { ciliumRejects, Reporter } from './reporter.js';
import { checkObjectName } from './names.js';

export function validateCiliumPolicy(obj: ManifestObject): { policy: LoadedCiliumPolicy; diagnostics: Reporter['diagnostics'] } {
  const r = new Reporter(obj);
  const kind = obj.kind as LoadedCiliumPolicy['kind'];
  const clusterwide = kind === 'CiliumClusterwideNetworkPolicy';
  const { value: spec, diagnostics } = checkSchema(obj, ciliumPolicySchema);
  r.diagnostics.push(...diagnostics);
  checkObjectName(r, obj);
  if (clusterwide && obj.namespace !== undefined) {
    r.warn(['metadata', 'namespace'], 'namespace-ignored', 'a CiliumClusterwideNetworkPolicy is cluster-scoped: metadata.namespace is ignored', 'remove metadata.namespace', 'key');
  }
  const rules: LocatedRule[] = [];
  if (spec) {
    if (spec.spec === undefined && spec.specs === undefined) {
      r.error([], 'empty-policy', `the ${kind} has neither spec nor specs`, ciliumRejects(`Invalid ${kind} spec(s): empty policy`, 'add a spec with an endpointSelector and rules'));
    }
    if (spec.spec) rules.push({ rule: spec.spec, path: ['spec'] });
    (spec.specs ?? []).forEach((rule, i) => rules.push({ rule, path: ['specs', i] }));
    for (const { rule, path } of rules) checkCiliumRule(r, rule, path, { clusterwide, isSpec: path[0] === 'spec' });
  }
  const policy: LoadedCiliumPolicy = {
    kind, ref: { kind, namespace: clusterwide ? undefined : (obj.namespace ?? 'default'), name: obj.name },
    object: obj, spec, rules, valid: spec !== undefined && !r.hasErrors,
  };
  return { policy, diagnostics: r.diagnostics };
}
