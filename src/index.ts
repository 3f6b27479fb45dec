/**
 * @module polis
 *
 * The public library surface of polis. Each layer exports its own `index.ts`.
 */
export * from './hubble/index.js';
