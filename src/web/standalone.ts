/**
 * @module web/standalone
 *
 * `npm start` until `polis serve` lands: the editor's handler in a bare
 * loopback HTTP server over the files given with `-f` (files or folders of
 * YAML), the demo by default. `polis serve` mounts the same handler beside
 * the Kubernetes API and replaces this entry.
 */
import { createServer } from 'node:http';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createWebHandler } from './handler.js';

function yamlFiles(path: string): string[] {
  const st = statSync(path);
  if (!st.isDirectory()) return [resolve(path)];
  return readdirSync(path).filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => resolve(join(path, n)));
}

const args = process.argv.slice(2);
const paths: string[] = [];
let port = 8080;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '-f') paths.push(args[++i] ?? '');
  else if (args[i] === '--port') port = Number(args[++i]);
  else {
    console.error(`usage: node dist/web/standalone.js [-f FILE_OR_DIR]… [--port N]   (unknown argument ${args[i]})`);
    process.exit(2);
  }
}
let files: string[];
try {
  files = (paths.length ? paths : ['examples/demo']).flatMap(yamlFiles);
} catch (e) {
  console.error(`cannot read ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}
const handle = createWebHandler({ files });
const server = createServer((req, res) => {
  handle(req, res).then((mine) => {
    if (!mine) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
    }
  }, () => {
    res.writeHead(500);
    res.end();
  });
});
server.on('error', (e) => {
  console.error(`cannot listen on 127.0.0.1:${port}: ${e.message} (choose another with --port)`);
  process.exit(2);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`polis editor: http://127.0.0.1:${port}/  (${files.length} files; Ctrl+C to stop)`);
});
