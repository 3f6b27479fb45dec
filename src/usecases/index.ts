/**
 * @module usecases
 *
 * One function per question a user asks. The CLI and the server call these
 * and only format what they return.
 */
export { Session } from './session.js';
export { checkConnection, explainConnection, type ConnectionAnswer, type ConnectionRequest, type PairAnswer } from './connection.js';
export { runTests, type TestRun } from './tests.js';
export { listIdentities } from './identities.js';
export { runCommandIn, runScenarioFile, VirtualCluster, type CommandResult, type VirtualClusterOptions } from './run.js';
