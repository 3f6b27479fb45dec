/**
 * @module identity
 *
 * The identity layer: Cilium labels, EndpointSelectors as Cilium matches
 * them, the identity label filter, reserved / cluster / CIDR identities,
 * entities and the ipcache. It sits between `model`/`policy` and `engine`:
 * the policy layer builds {@link EndpointSelector}s; the engine builds one
 * {@link IdentityTable} per evaluated node and asks it which identities a
 * selector selects and which identity an IP has.
 */
export { LabelSet, LabelSource, formatLabel, label, parseLabel, parseSelectLabel, type Label } from './labels.js';
export { cidrIdentityLabels, cidrLabel, cidrLabelKeyToPrefix, prefixToCidrLabelKey } from './cidr-labels.js';
export {
  DEFAULT_LABEL_PREFIXES,
  K8sLabel,
  filterIdentityLabels,
  isIdentityRelevant,
  podIdentityLabels,
  sanitizedPodLabels,
  type PodLabelOptions,
} from './label-filter.js';
export {
  EndpointSelector,
  normaliseSelectorKey,
  type MatchExpressionTerm,
  type MatchLabelTerm,
  type SelectorKey,
  type SelectorOperator,
  type SelectorTerm,
} from './selector.js';
export {
  labelKeyProblems,
  labelSelectorProblems,
  labelValueProblems,
  type K8sLabelSelector,
  type K8sLabelSelectorRequirement,
  type SelectorProblem,
} from './selector-validation.js';
export { ENTITY_NAMES, entitySelectors, isEntityName, type EntityName, type InternalEntityName } from './entities.js';
export {
  LOCAL_IDENTITY_FLAG,
  MAX_CLUSTER_IDENTITY,
  MIN_CLUSTER_IDENTITY,
  Reserved,
  identityId,
  identityScope,
  isWorldId,
  reservedLabels,
  reservedName,
  type IdentityId,
  type IdentityScope,
  type ReservedLabelOptions,
} from './reserved.js';
export { allocateClusterIdentities, allocatePrefixIdentities, type Allocation, type PrefixAllocation, type PrefixLabels } from './allocator.js';
export { IpCache, hostPrefix, type IpCacheEntry } from './ipcache.js';
export { IdentityTable, buildIdentityTable, type IdentityTableBuild, type IdentityTableOptions } from './table.js';
export type { IdentityDiagnosticCode } from './messages.js';
