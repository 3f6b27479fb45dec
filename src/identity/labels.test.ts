import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelSet, formatLabel, label, parseLabel, parseSelectLabel, parseSource } from './labels.js';
import { cidrIdentityLabels, cidrLabelKeyToPrefix, prefixToCidrLabelKey } from './cidr-labels.js';
import { formatCidr, parseCidr } from '../net/ip.js';

const LABELS_GO = 'cilium pkg/labels/labels.go + label.go: parseSource / parseLabel / ParseSelectLabel';

const parseCases: { text: string; want: [string, string, string]; source: string }[] = [
  { text: 'k8s:app=web', want: ['k8s', 'app', 'web'], source: LABELS_GO },
  { text: 'app=web', want: ['unspec', 'app', 'web'], source: LABELS_GO },
  { text: '$host', want: ['reserved', 'host', ''], source: LABELS_GO + ' ($ shorthand)' },
  { text: 'reserved.world', want: ['reserved', 'world', ''], source: LABELS_GO + ' (reserved. prefix without colon)' },
  { text: 'reserved:=init', want: ['reserved', 'init', ''], source: LABELS_GO + ' (= right after reserved source)' },
  { text: 'k8s:a:b=c=d', want: ['k8s', 'a:b', 'c=d'], source: 'semantics.md §2.1: split at the first ":"; value after first "="' },
  { text: 'k8s:app.kubernetes.io/name=db', want: ['k8s', 'app.kubernetes.io/name', 'db'], source: 'semantics.md §2.1' },
  { text: 'cidr:0--0/0', want: ['cidr', '0--0/0', ''], source: 'pkg/labels/cidr.go' },
];
for (const c of parseCases) {
  test(`parseLabel ${c.text}`, () => {
    const l = parseLabel(c.text);
    assert.deepEqual([l.source, l.key, l.value], c.want, c.source);
  });
}

test('parseSelectLabel defaults the source to any (ParseSelectLabel)', () => {
  // source: pkg/labels/label.go ParseSelectLabelWithDelim: unspec -> any
  assert.equal(parseSelectLabel('app=web').source, 'any');
  assert.equal(parseSelectLabel('k8s:app').source, 'k8s');
  assert.equal(parseSource('').source, '');
});

test('formatLabel omits an empty value (Label.String)', () => {
  // source: pkg/labels/labels.go (*Label).String
  assert.equal(formatLabel(label('reserved', 'host')), 'reserved:host');
  assert.equal(formatLabel(label('k8s', 'app', 'web')), 'k8s:app=web');
});

test('LabelSet is sorted by key, one label per key, canonical as SortedList', () => {
  // source: pkg/labels/labels.go Labels is map[key]Label; SortedList "source:key=value;"
  const s = LabelSet.parse('k8s:b=2', 'k8s:a=1', 'reserved:a');
  assert.deepEqual(s.toStrings(), ['reserved:a', 'k8s:b=2']);
  assert.equal(s.canonical, 'reserved:a=;k8s:b=2;');
  assert.equal(LabelSet.parse('k8s:x=1', 'k8s:y=2').canonical, LabelSet.parse('k8s:y=2', 'k8s:x=1').canonical);
});

const hasCases: { name: string; set: string[]; key: string; src: string; want: boolean; source: string }[] = [
  { name: 'any source finds k8s label', set: ['k8s:app=web'], key: 'app', src: 'any', want: true, source: 'semantics.md §2.1; array.go Has' },
  { name: 'k8s source finds k8s label', set: ['k8s:app=web'], key: 'app', src: 'k8s', want: true, source: 'semantics.md §2.1' },
  { name: 'reserved source does not find k8s label', set: ['k8s:host'], key: 'host', src: 'reserved', want: false, source: 'semantics.md §2.1' },
  { name: 'k8s source does not find reserved label', set: ['reserved:host'], key: 'host', src: 'k8s', want: false, source: 'semantics.md §2.1' },
  { name: 'cidr selector key finds a narrower cidr label', set: ['cidr:10.1.2.0/24', 'reserved:world'], key: '10.0.0.0/8', src: 'cidr', want: true, source: 'labels.go HasKey: "cidr:10.0.0.1/32".HasKey("cidr:10.0.0.0/24") is true' },
  { name: 'cidr selector key does not find a broader cidr label', set: ['cidr:10.0.0.0/8'], key: '10.1.2.0/24', src: 'cidr', want: false, source: 'labels.go HasKey: "cidr:10.0.0.0/24".HasKey("cidr:10.0.0.1/32") is false' },
  { name: 'cidr equal prefix', set: ['cidr:10.0.0.0/8'], key: '10.0.0.0/8', src: 'cidr', want: true, source: 'labels.go HasKey' },
  { name: 'cidr /0 v6 key finds any v6 label', set: ['cidr:fd00--0/64'], key: '0--0/0', src: 'cidr', want: true, source: 'cidr.go: ::/0 -> 0--0/0' },
  { name: 'cidr v4 key does not find v6 label', set: ['cidr:fd00--0/64'], key: '0.0.0.0/0', src: 'cidr', want: false, source: 'netip.Prefix.Contains is family-aware' },
  { name: 'any-source cidr-looking key is not prefix-aware', set: ['cidr:10.1.2.0/24'], key: '10.0.0.0/8', src: 'any', want: false, source: 'labels.go HasKey: prefix-aware only when both sources are cidr' },
];
for (const c of hasCases) {
  test(`LabelSet.has: ${c.name}`, () => {
    assert.equal(LabelSet.parse(...c.set).has(c.key, c.src), c.want, c.source);
  });
}

test('cidr label keys encode IPv6 with - and pad leading/trailing -', () => {
  // source: pkg/labels/cidr.go maskedIPToLabel
  const cases: [string, string][] = [
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['::/0', '0--0/0'],
    ['fd00::/64', 'fd00--0/64'],
    ['2001:db8::1/128', '2001-db8--1/128'],
    ['::1/128', '0--1/128'],
  ];
  for (const [cidr, key] of cases) {
    const p = parseCidr(cidr)!;
    assert.equal(prefixToCidrLabelKey(p), key, cidr);
    assert.equal(formatCidr(cidrLabelKeyToPrefix(key)!), formatCidr(p), key);
  }
});

test('CIDR identity labels: own prefix + world only; /0 is world alone', () => {
  // source: pkg/labels/cidr.go GetCIDRLabels (1.16+, PR cilium/cilium#30897)
  const ls = (c: string, ds: boolean) => LabelSet.of(cidrIdentityLabels(parseCidr(c)!, ds)).toStrings();
  assert.deepEqual(ls('10.0.0.0/8', false), ['cidr:10.0.0.0/8', 'reserved:world']);
  assert.deepEqual(ls('10.0.0.0/8', true), ['cidr:10.0.0.0/8', 'reserved:world-ipv4']);
  assert.deepEqual(ls('fd00::/64', true), ['cidr:fd00--0/64', 'reserved:world-ipv6']);
  assert.deepEqual(ls('0.0.0.0/0', false), ['reserved:world']);
});
