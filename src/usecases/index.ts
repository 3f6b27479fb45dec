/**
 * @module usecases
 *
 * One function per question a user asks. The CLI and the server call these
 * and only format what they return.
 */
export { Session } from './session.js';
export { checkConnection, explainConnection, type ConnectionAnswer, type ConnectionRequest, type PairAnswer } from './connection.js';
export { runTests, runParsedTests, runTestStream, type TestRun } from './tests.js';
export { listIdentities } from './identities.js';
export { lintSession } from './lint.js';
export { connectivityMatrix } from './matrix.js';
export { diffSessions } from './diff.js';
export {
  generateFromReduction, reduceFlowChunks, replayReduction,
  type GenerateOptions, type GenerateResult, type ReplayResult, type SurfaceEntry,
} from './generate.js';
export { runCommandIn, runScenarioFile, VirtualCluster, type CommandResult, type VirtualClusterOptions } from './run.js';
