// The README's library example: load manifests, ask for a verdict, explain it.
// Run with `node --import tsx examples/library/verdict.ts` (or import from 'polis' once installed).
import { readdirSync, readFileSync } from 'node:fs';
import { Session, checkConnection, explainConnection, formatExplanation } from '../../src/index.js';

const dir = 'examples/demo';
const session = Session.load(readdirSync(dir).map((f) => ({ path: `${dir}/${f}`, text: readFileSync(`${dir}/${f}`, 'utf8') })));
const asked = { from: 'default/frontend', to: 'database', traffic: { port: 80 } };
const answer = checkConnection(session, asked);
if (!answer.ok) throw new Error(answer.diagnostics[0]!.message);
for (const p of answer.pairs) console.log(`${p.from} → ${p.to}: ${p.answer.verdict} (${p.answer.reason})`);
const why = explainConnection(session, asked);
if (why.ok) console.log(formatExplanation(why.pairs[0]!.answer));
