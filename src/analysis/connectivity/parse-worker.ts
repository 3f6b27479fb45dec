/**
 * @module analysis/connectivity/parse-worker
 *
 * Worker-thread entry of {@link startParse}: parses the tests sources it is
 * given and posts the result back as plain data.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SourceFile } from '../../manifest/source.js';
import { parseConnectivityTests } from './parse.js';
import { toWire } from './parse-parallel.js';

const sources = workerData as readonly SourceFile[];
parentPort?.postMessage(toWire(parseConnectivityTests(sources)));
