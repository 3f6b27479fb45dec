/**
 * @module polis
 *
 * The public library surface of polis: load manifests, build the cluster
 * model, validate policies, ask the engine for verdicts and explanations,
 * run connectivity tests, work with identities and Hubble flows. The CLI,
 * the server and the editor use exactly this.
 */
export type { Diagnostic, Severity, SourceLocation } from './diagnostics/diagnostic.js';
export { hasErrors, sortDiagnostics } from './diagnostics/diagnostic.js';
export { formatDiagnostic, diagnosticsToJson } from './diagnostics/format.js';
export type { SourceFile } from './manifest/source.js';
export type { ManifestObject, FieldPath } from './manifest/object.js';
export { formatPath } from './manifest/object.js';
export { loadManifests, type LoadOptions, type LoadResult } from './manifest/load.js';
export type * from './model/types.js';
export { buildCluster, type ClusterOptions, type BuildResult } from './model/build.js';
export type { LoadedPolicy, LoadedCiliumPolicy, LoadedNetworkPolicy, PolicyRef, PolicyKind } from './policy/types.js';
export { formatPolicyRef } from './policy/types.js';
export { validatePolicies, type PolicyValidation } from './policy/validate/index.js';
export { loadWorkspace, type Workspace, type WorkspaceOptions } from './workspace/load.js';
export * from './identity/index.js';
export { normalizePolicies, type NormalizedPolicies } from './policy/normalize/index.js';
export type { NormalizedRule, PolicyEntry, PortEntry, L4Protocol, Direction } from './policy/rule.js';
export { compileEngine, PolicyEngine, type EngineInputs } from './engine/engine.js';
export * from './engine/types.js';
export {
  parseConnectivityTests, runConnectivityTests, parseEndpointRef, resolveCase, formatText, formatJson, formatJunit,
  ENDPOINT_FORMS, SOURCE_FORMS, type CaseResult, type ConnectivityTest, type TestCase, type EngineFactory,
} from './analysis/connectivity/index.js';
export { formatExplanation, explanationLine } from './analysis/explain/format.js';
export * from './usecases/index.js';
export { Reduction, type ObservedConnection, type ObservedEndpoint, type ReduceOptions } from './generate/observed.js';
export type { PolicyFile, PolicyKind as GeneratedPolicyKind } from './generate/policies.js';
export type { ReplayReport, ReplayedConnection, DecidingRule } from './generate/replay.js';
export { FlowLog, HUBBLE_BUFFER_SIZE, type FlowListener } from './simulate/flow-log.js';
export type { ResponseRule, Change as ClusterChange } from './simulate/virtual-cluster.js';
export type { Step as CommandStep, HttpResponse } from './simulate/network.js';
export { parseScenarios, runScenario, type Scenario, type ScenarioRun, type StepResult, type ReadManifests } from './simulate/scenario.js';
export { formatScenarioJson, formatScenarioJunit, scenarioFailure } from './simulate/scenario-format.js';
/** Hubble flows: types, reader, printers and filters (namespaced: its Flow types reuse names such as Service). */
export * as hubble from './hubble/index.js';
export { LINT_RULES, type LintRule } from './analysis/lint/rules.js';
export { lintWorkspace, parseLintConfig, activeRules, SUPPRESS_ANNOTATION, type LintConfig, type LintResult } from './analysis/lint/lint.js';
export { computeMatrix, sampleDns, PortState, type Matrix, type MatrixEndpoint, type MatrixOptions, type GroupBy } from './analysis/matrix/matrix.js';
export { formatMatrixText, formatMatrixMarkdown, formatMatrixCsv, formatMatrixDot, formatMatrixSvg, matrixToJson, describeCell, symbolOf } from './analysis/matrix/format.js';
export { semanticDiff, responsible, type Change, type DiffResult, type DiffSide } from './analysis/diff/diff.js';
export { formatDiffText, formatDiffMarkdown, diffToJson, diffSummary } from './analysis/diff/format.js';
export { toSarif, toJunit, testResultsReport, type Report, type ReportRule } from './analysis/report/report.js';
export type { PortClass } from './engine/classes.js';
