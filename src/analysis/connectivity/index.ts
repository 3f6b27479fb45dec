/**
 * @module analysis/connectivity
 *
 * Connectivity tests (`polis test`): a `ConnectivityTest` file lists
 * connections and the verdict each should get; polis parses the file, looks
 * the endpoints up in the cluster, asks the engine, and reports pass/fail as
 * text, JSON or JUnit XML. Pure: the CLI reads the files and picks the
 * exit code.
 *
 * Pipeline: {@link parseConnectivityTests} → {@link runConnectivityTests}
 * (or {@link runCases} with an engine at hand) → {@link formatText} /
 * {@link formatJson} / {@link formatJunit}.
 */
export { parseConnectivityTests, streamConnectivityTests, type ParseEvent, type ParseResult, type TestHeader } from './parse.js';
export { startParse, type PendingParse } from './parse-parallel.js';
export { parseEndpointRef, ENDPOINT_FORMS, SOURCE_FORMS, type EndpointRef, type EndpointRefResult } from './endpoint-ref.js';
export { resolveCase, KUBE_DNS, type DnsAnswerSource, type Probe, type ResolvedCase, type ResolveResult } from './resolve.js';
export { runCases, runConnectivityTests, TestRunner, type EngineFactory, type RunOutcome } from './run.js';
export { formatText } from './format-text.js';
export { formatJson, formatJsonChunks } from './format-json.js';
export { formatJunit } from './format-junit.js';
export { portLabel, type CaseField, type CaseResult, type ConnectivityTest, type TestCase } from './types.js';
export { connectivityTestSchema, caseSchema, CASE_PROTOCOLS, type CaseSpec, type ConnectivityTestSpec } from './schema.js';
