/**
 * ClickHouse as a flow source, against a real server: the testdata flows are
 * inserted one row per flow (the documented table), reduced by the single
 * GROUP BY, and must give exactly the reduction the file reader gives for
 * the same flows. `.ci/run` starts a server (Debian's clickhouse-server
 * 18.16) and sets POLIS_CLICKHOUSE_URL=clickhouse://127.0.0.1:PORT; outside
 * CI these tests are skipped when it is unset, in CI they fail.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/main.js';
import { memoryIO } from '../../cli/io.js';
import { readFlowFile } from '../../hubble/io/read-flows.js';
import type { FlowRecord } from '../../hubble/flow.js';
import { Reduction } from '../observed.js';
import { CLICKHOUSE_TABLE_SQL, clickhouseQuery, flowToRow, parseClickHouseUrl, reduceClickHouse, reductionQuery, type ClickHouseSource } from './clickhouse.js';

const DATA = 'testdata/hubble';
const FILES = readdirSync(DATA).filter((f) => f.endsWith('.jsonl')).sort();
const URL_ENV = process.env['POLIS_CLICKHOUSE_URL'];
const IN_CI = process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false';

test('clickhouse:// URLs: host, port (8123 by default), DB.TABLE, credentials; bad ones are messages', () => {
  assert.deepEqual(parseClickHouseUrl('clickhouse://db.example:9999/hubble.flows'), { endpoint: 'http://db.example:9999/', database: 'hubble', table: 'flows' });
  assert.deepEqual(parseClickHouseUrl('clickhouse://me:s%40cret@h/a.b'), { endpoint: 'http://h:8123/', database: 'a', table: 'b', user: 'me', password: 's@cret' });
  assert.match(parseClickHouseUrl('clickhouse://h/flows') as string, /expected DB\.TABLE/);
  assert.match(parseClickHouseUrl('clickhouse://h/a.b;DROP TABLE x') as string, /expected DB\.TABLE/);
  assert.match(parseClickHouseUrl('http://h/a.b') as string, /expected clickhouse:\/\//);
});

test('the reduction is one GROUP BY, without pod addresses or source ports in its key', () => {
  const q = reductionQuery({ endpoint: 'http://h:1/', database: 'd', table: 't' }, false);
  assert.equal(q.match(/\bSELECT\b/g)?.length, 1);
  assert.match(q, / FROM d\.t GROUP BY .* FORMAT JSONEachRow$/);
  assert.doesNotMatch(q, /GROUP BY.*source_port/);
});

describe('against a ClickHouse server', { skip: !URL_ENV && !IN_CI ? 'POLIS_CLICKHOUSE_URL is not set (.ci/run starts a server and sets it)' : false }, () => {
  const base = parseClickHouseUrl(`${(URL_ENV ?? '').replace(/\/+$/, '')}/polis_test.flows`);
  const server = (table: string): ClickHouseSource => {
    assert.ok(URL_ENV, 'in CI, POLIS_CLICKHOUSE_URL must be set (by .ci/run)');
    assert.equal(typeof base, 'object', String(base));
    return { ...(base as ClickHouseSource), table };
  };

  async function load(table: string, files: readonly string[]): Promise<{ src: ClickHouseSource; records: FlowRecord[] }> {
    const src = server(table);
    const must = async (sql: string) => {
      // Statements run in `default`: polis_test may not exist yet.
      const r = await clickhouseQuery({ ...src, database: 'default' }, sql);
      assert.ok(r.ok, `${sql.slice(0, 80)}: ${r.ok ? '' : r.error}`);
    };
    await must('CREATE DATABASE IF NOT EXISTS polis_test');
    await must(`DROP TABLE IF EXISTS polis_test.${table}`);
    await must(CLICKHOUSE_TABLE_SQL.replace('{table}', `polis_test.${table}`));
    const records: FlowRecord[] = [];
    for (const f of files) await readFlowFile(join(DATA, f), { flow: (r) => records.push(r) });
    await must(`INSERT INTO polis_test.${table} FORMAT JSONEachRow\n${records.map((r) => JSON.stringify(flowToRow(r))).join('\n')}\n`);
    return { src, records };
  }

  for (const name of FILES) {
    test(`${name}: the GROUP BY gives the file reader's connections, with and without --l7`, async () => {
      const { src, records } = await load('one', [name]);
      for (const l7 of [false, true]) {
        const fromFile = new Reduction(l7);
        for (const r of records) fromFile.add(r);
        const fromDb = await reduceClickHouse(src, { l7 });
        assert.equal(fromDb.error, undefined);
        assert.ok(fromDb.groups <= records.length);
        assert.deepEqual(fromDb.reduction.toData(), fromFile.toData());
      }
    });
  }

  test('polis generate --flows clickhouse://… prints what it prints for the same flows in files', async () => {
    await load('all', FILES);
    const run = async (...flows: string[]) => {
      const io = memoryIO();
      const code = await main(['generate', '-q', '--workers', '1', '--flows', ...flows], io);
      return { code, out: io.stdout(), err: io.stderr() };
    };
    const db = await run(`${URL_ENV!.replace(/\/+$/, '')}/polis_test.all`);
    const files = await run(...FILES.map((f) => join(DATA, f)));
    assert.equal(db.code, 0, db.err);
    assert.equal(db.out, files.out);
  });

  test('a missing table is a clear message, not a crash', async () => {
    const r = await reduceClickHouse(server('no_such_table'));
    assert.match(r.error ?? '', /ClickHouse at http:\/\/.* answered 404: .*no_such_table/i);
  });
});
