import { readFileSync, readdirSync } from 'node:fs';
import { startServer } from './server.js';
const dir = 'examples/demo';
const sources = readdirSync(dir).filter((f) => f.endsWith('.yaml') && !f.includes('connectivity')).map((f) => ({ path: `${dir}/${f}`, text: readFileSync(`${dir}/${f}`, 'utf8') }));
const s = await startServer({ sources: process.argv[2] === 'empty' ? [] : sources, port: 18080, hubblePort: 14245 });
console.log(s.url, s.hubbleAddress, s.skipped);
