/**
 * @module engine
 *
 * The verdict engine: `compileEngine(workspace, options)` and the types of
 * its questions and answers.
 */
export { compileEngine, PolicyEngine } from './engine.js';
export * from './types.js';
