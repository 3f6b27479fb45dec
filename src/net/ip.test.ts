import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp, parseCidr, cidrContains, cidrContainsCidr, formatCidr, formatIp } from './ip.js';
import { seededRandom } from '../util/random.js';

// Go's net/netip rules, which Cilium's CIDR parsing follows
// (https://pkg.go.dev/net/netip#ParseAddr: "IPv4 addresses with leading zeros are rejected").
const validIps = ['10.0.0.1', '0.0.0.0', '255.255.255.255', '::', '::1', 'fd00::1', '2001:db8::ffff:1.2.3.4'];
const invalidIps = ['172.224.3', '010.0.0.1', '256.1.1.1', '1.2.3.4.5', '', 'fe80::1%eth0', '1.2.3.-1', 'abc', ' 1.2.3.4'];

for (const ip of validIps) test(`parseIp accepts ${ip}`, () => assert.ok(parseIp(ip)));
for (const ip of invalidIps) test(`parseIp rejects ${JSON.stringify(ip)}`, () => assert.equal(parseIp(ip), undefined));

test('parseCidr clears host bits and keeps the family', () => {
  assert.equal(formatCidr(parseCidr('10.1.2.3/8')!), '10.0.0.0/8');
  assert.equal(formatCidr(parseCidr('fd00::1/64')!), 'fd00::/64');
  assert.equal(formatCidr(parseCidr('0.0.0.0/0')!), '0.0.0.0/0');
});

test('parseCidr rejects the tutorial typo and bad lengths', () => {
  for (const bad of ['172.224.3/32', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/08', '::/129', '10.0.0.0']) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
});

test('parseCidr with allowBareIp treats an address as a host prefix', () => {
  assert.equal(formatCidr(parseCidr('10.0.0.1', true)!), '10.0.0.1/32');
  assert.equal(formatCidr(parseCidr('::1', true)!), '::1/128');
});

test('containment', () => {
  const c = parseCidr('192.168.0.0/16')!;
  assert.ok(cidrContains(c, parseIp('192.168.3.4')!));
  assert.ok(!cidrContains(c, parseIp('192.169.0.1')!));
  assert.ok(!cidrContains(c, parseIp('::1')!));
  assert.ok(cidrContainsCidr(c, parseCidr('192.168.1.0/24')!));
  assert.ok(!cidrContainsCidr(parseCidr('192.168.1.0/24')!, c));
  assert.ok(cidrContains(parseCidr('0.0.0.0/0')!, parseIp('8.8.8.8')!));
});

test('formatIp round-trips', () => {
  for (const ip of ['10.244.1.7', '2001:db8::1', '::']) assert.equal(formatIp(parseIp(ip)!), ip);
});

test('the character-code IPv4 reader accepts exactly what the netip grammar (as a regex) accepts', () => {
  // The grammar parseIp used to test with: four octets 0-255, no leading zeros, nothing around them.
  const grammar = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
  const alphabet = '0123456789.....12525:a -';
  const rnd = seededRandom(7);
  const cases = ['1.2.3.4', '0.0.0.0', '255.255.255.255', '256.0.0.0', '1.2.3', '1.2.3.4.', '.1.2.3.4', '01.2.3.4', '1.2.3.04', '1..2.3', '1.2.3.4\n', '١.2.3.4', '1.2.3.249', '1.2.3.250', '1.2.3.2555', '10.0.0.1/8'];
  for (let i = 0; i < 20000; i++) {
    let s = '';
    for (let j = rnd(17); j > 0; j--) s += alphabet[rnd(alphabet.length)];
    cases.push(s);
  }
  for (let i = 0; i < 2000; i++) cases.push([rnd(300), rnd(300), rnd(300), rnd(300)].join('.'));
  for (const c of cases) {
    const ip = parseIp(c);
    assert.equal(ip?.family === 4, grammar.test(c), JSON.stringify(c));
    if (ip?.family === 4) assert.equal(formatIp(ip), c);
  }
});
