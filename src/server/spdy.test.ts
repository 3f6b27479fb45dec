/**
 * SPDY/3.1 exec (kubectl 1.29 and older; the real clients are exercised in
 * kubectl.test.ts): the header dictionary, and connections that send
 * garbage or close at once after the upgrade, which must not disturb the
 * server.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { SPDY3_DICTIONARY, spdyDictionaryHash, parseHeaderBlock } from './spdy.js';
import { startServer, type RunningServer } from './server.js';

test('the SPDY/3 header dictionary is the draft\'s, byte for byte (moby/spdystream spdy/dictionary.go: 1423 bytes)', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  assert.equal(spdyDictionaryHash(), '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02');
});

test('header blocks: count, then length-prefixed names and values; a truncated one throws', () => {
  const block = Buffer.from('00000001' + '0000000a' + Buffer.from('streamtype').toString('hex') + '00000005' + Buffer.from('error').toString('hex'), 'hex');
  assert.deepEqual([...parseHeaderBlock(block)], [['streamtype', 'error']]);
  assert.throws(() => parseHeaderBlock(block.subarray(0, 12)));
});

let server: RunningServer;
before(async () => {
  server = await startServer({ sources: [{ path: 'app.yaml', text: readFileSync('examples/demo/app.yaml', 'utf8') }], port: 0, hubblePort: null });
});
after(() => server.close());

function upgrade(payload: Buffer | null, protocol = 'v4.channel.k8s.io'): Promise<string> {
  const { port } = new URL(server.url);
  return new Promise((resolve) => {
    const s = connect(Number(port), '127.0.0.1');
    let got = '';
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n\r\n')) {
        if (payload) s.write(payload);
        else s.destroy();
      }
    });
    s.on('error', () => resolve(got));
    s.on('close', () => resolve(got));
    setTimeout(() => s.destroy(), 500);
    s.write(`POST /api/v1/namespaces/default/pods/backend-f7b7ddfdf-9wp48/exec?command=echo&command=x&stdout=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  });
}

test('a SPDY connection that closes at once, or sends garbage, leaves the server serving', async () => {
  assert.match(await upgrade(null), /^HTTP\/1\.1 101 Switching Protocols/);
  assert.match(await upgrade(Buffer.from('80030001ffffffff' + 'deadbeef'.repeat(8), 'hex')), /^HTTP\/1\.1 101/);
  assert.match(await upgrade(Buffer.alloc(4096, 0xff)), /^HTTP\/1\.1 101/);
  assert.match(await upgrade(Buffer.from('hello'), 'v3.channel.k8s.io'), /^HTTP\/1\.1 400 BadRequest/);
  assert.equal((await fetch(`${server.url}/version`)).status, 200);
});
