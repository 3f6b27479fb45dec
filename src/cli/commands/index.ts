/**
 * @module cli/commands
 *
 * The list of commands. Each command module exports one `register` function
 * that adds its subcommand to the program.
 */
import type { Command } from 'commander';
import type { CliIO } from '../io.js';
import { registerValidate } from './validate.js';
import { registerGet } from './get.js';
import { registerObserve } from './observe.js';
import { registerTest } from './test.js';
import { registerExplain } from './explain.js';
import { registerLint } from './lint.js';
import { registerMatrix } from './matrix.js';
import { registerDiff } from './diff.js';
import { registerRun } from './run.js';
import { compileEngine } from '../../engine/index.js';
import { registerServe } from './serve.js';
import { registerGenerate } from './generate.js';
import { registerReplay } from './replay.js';

/** Adds a subcommand; `setExit` records the exit code the command decided on. */
export type RegisterCommand = (program: Command, io: CliIO, setExit: (code: number) => void) => void;

export const commands: readonly RegisterCommand[] = [registerValidate, registerGet, registerExplain(compileEngine), registerTest(compileEngine), registerObserve, registerLint, registerMatrix, registerDiff, registerGenerate, registerReplay, registerRun, registerServe];
