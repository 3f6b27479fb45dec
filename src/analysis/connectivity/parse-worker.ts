/**
 * @module analysis/connectivity/parse-worker
 *
 * Worker-thread entry of {@link startParse}: parses the tests sources it is
 * given and posts the parse back as it goes, as plain data.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SourceFile } from '../../manifest/source.js';
import { postParse } from './parse-parallel.js';

postParse(workerData as readonly SourceFile[], (e) => parentPort?.postMessage(e));
