/**
 * The commands of `polis run`, flag by flag: exact output and exit code, as
 * the real programs print them. Sources of the texts:
 * - curl 8: lib/multi.c (`Resolving timed out after %ld milliseconds`,
 *   `Connection timed out after %ld milliseconds`), lib/connect.c (`Failed to
 *   connect to %s port %u after %ld ms: %s`), lib/url.c (`Could not resolve
 *   host: %s`), lib/http.c (`The requested URL returned error: %d`),
 *   src/tool_writeout.c (`-w`, `%{http_code}` is 000 without a response);
 *   exit codes from libcurl-errors (6, 7, 22, 28).
 * - BusyBox 1.36 networking/wget.c (`Connecting to %s (%s)`, `bad address`,
 *   `download timed out`, `server returned error: %s`), nc_bloaty.c,
 *   nslookup.c (`** server can't find %s: %s`), ping.c.
 * - bind9 dig (exit 9 when no server answers) and host (`Host %s not found: 3(NXDOMAIN)`).
 * - kubelet's resolv.conf for dnsPolicy ClusterFirst (search NS.svc.cluster.local
 *   svc.cluster.local cluster.local, options ndots:5).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VirtualCluster } from '../virtual-cluster.js';
import { seededRandom } from '../../util/random.js';

const read = (p: string) => ({ path: p, text: readFileSync(new URL(`../../../${p}`, import.meta.url), 'utf8') });
const APP = read('examples/demo/app.yaml');
const DENY_ALL = read('examples/stories/1-database-lockdown/database-deny-all.yaml');
const DB_POLICY = read('examples/stories/1-database-lockdown/database-policy.yaml');
const BACKEND_DNS = read('examples/stories/3-backend-dns-egress/backend-policy.yaml');
const BACKEND_L7 = read('examples/stories/5-docs-l7-vpn/backend-policy.yaml');

/** A cluster with the demo app and the given policies (fresh per test: commands move its clock). */
function cluster(...policies: { path: string; text: string }[]): VirtualCluster {
  return new VirtualCluster([APP, ...policies], {
    dns: { 'example.com': ['93.184.215.14'], 'storage.cloud.google.com': ['142.250.74.59'] },
    responses: [{ pod: 'default/database', path: '/PING', body: '{"PING":[true,"PONG"]}' }],
  });
}

const BACKEND = 'deploy/backend';
const BACKEND_IP = '10.244.1.2';
const DB_IP = '10.244.1.4';

interface Case {
  readonly name: string;
  readonly policies?: readonly { path: string; text: string }[];
  readonly from?: string;
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly stdout?: string | RegExp;
  readonly stderr?: string | RegExp;
}

const CASES: readonly Case[] = [
  // curl
  { name: 'curl -s prints the body, exit 0', argv: ['curl', '-s', 'database/PING'], exitCode: 0, stdout: '{"PING":[true,"PONG"]}', stderr: '' },
  { name: 'curl without -s writes its progress meter to stderr (stdout is a pipe under kubectl exec)', argv: ['curl', 'database/PING'], exitCode: 0, stdout: '{"PING":[true,"PONG"]}', stderr: /^  % Total    % Received % Xferd  Average Speed/ },
  { name: 'curl -w "%{http_code}" -o /dev/null prints only the status', argv: ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'database/PING'], exitCode: 0, stdout: '200' },
  { name: 'curl -w expands \\n', argv: ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}\\n', 'http://database:80/PING'], exitCode: 0, stdout: '200\n' },
  { name: 'curl by svc.ns, svc.ns.svc.cluster.local, ClusterIP and pod IP', argv: ['curl', '-s', '-o', '/dev/null', '-w', '%{remote_ip}', 'database.default.svc.cluster.local/PING'], exitCode: 0, stdout: /^10\.9[6-9]\.|^10\.1[01]\d\./ },
  { name: 'curl a pod IP on its port', argv: ['curl', '-s', `${DB_IP}:7379/PING`], exitCode: 0, stdout: '{"PING":[true,"PONG"]}' },
  { name: 'curl -I prints the response head', argv: ['curl', '-sI', 'database/PING'], exitCode: 0, stdout: /^HTTP\/1\.1 200 OK\r\n.*content-length: 22\r\n\r\n$/s },
  { name: 'curl -i prints head and body', argv: ['curl', '-s', '-i', 'database/PING'], exitCode: 0, stdout: /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n\{"PING"/ },
  { name: 'curl -X POST -H -d reach the server (echoed in the default body)', argv: ['curl', '-s', '-X', 'PUT', '-H', 'X-Token: 42', '-d', 'x=1', 'frontend/api'], exitCode: 0, stdout: /"method":"PUT","path":"\/api"/ },
  { name: 'curl https:// with an explicit port (TLS is not looked into: no L7 request reaches the engine)', from: 'deploy/frontend', argv: ['curl', '-sk', `https://${BACKEND_IP}:80/`], exitCode: 0, stdout: /"port":80/ },
  { name: 'curl -v shows the request and response on stderr', argv: ['curl', '-sv', 'database/PING'], exitCode: 0, stderr: /\*   Trying 10\.\d+\.\d+\.\d+:80\.\.\.\n\* Connected to database \(10\.\d+\.\d+\.\d+\) port 80\n> GET \/PING HTTP\/1\.1\r\n> Host: database\r\n/ },
  { name: 'curl -H "host: x": header names are case-insensitive, the given Host replaces the URL\'s (once)', argv: ['curl', '-sv', '-H', 'host: shop.example', '-H', '__proto__: 1', 'database/PING'], exitCode: 0, stderr: /> Host: shop\.example\r\n> User-Agent: [^\r]*\r\n> Accept: \*\/\*\r\n> __proto__: 1\r\n>\r\n/ },
  { name: 'curl: a name nobody knows is (6) Could not resolve host', argv: ['curl', '-sS', 'nosuch'], exitCode: 6, stdout: '', stderr: 'curl: (6) Could not resolve host: nosuch\n' },
  { name: 'curl -s hides the message but not the exit code', argv: ['curl', '-s', 'nosuch'], exitCode: 6, stdout: '', stderr: '' },
  { name: 'curl -w "%{http_code}" prints 000 when no response came', argv: ['curl', '-s', '-w', '%{http_code}', 'nosuch'], exitCode: 6, stdout: '000' },
  { name: 'curl to a closed port: (7) Failed to connect … Couldn\'t connect to server', argv: ['curl', '-sS', `${DB_IP}:8080`], exitCode: 7, stderr: `curl: (7) Failed to connect to ${DB_IP} port 8080 after 0 ms: Couldn't connect to server\n` },
  { name: 'curl to a Service port it does not have is refused by the socket LB', argv: ['curl', '-sS', 'database:8080'], exitCode: 7, stderr: /^curl: \(7\) Failed to connect to database port 8080 after 0 ms: Couldn't connect to server\n$/ },
  { name: 'curl -m 5 to a dropped SYN: (28) Connection timed out after 5000 milliseconds', policies: [DENY_ALL], argv: ['curl', '-sS', '-m', '5', 'database/PING'], exitCode: 28, stdout: '', stderr: 'curl: (28) Connection timed out after 5000 milliseconds\n' },
  { name: 'curl --connect-timeout 2 bounds the connect phase', policies: [DENY_ALL], argv: ['curl', '-sS', '--connect-timeout', '2', 'database/PING'], exitCode: 28, stderr: 'curl: (28) Connection timed out after 2000 milliseconds\n' },
  { name: 'curl --max-time=1.5 accepts decimals', policies: [DENY_ALL], argv: ['curl', '-sS', '--max-time=1.5', 'database/PING'], exitCode: 28, stderr: 'curl: (28) Connection timed out after 1500 milliseconds\n' },
  { name: 'curl without a timeout: the kernel gives up on the SYNs after 127 s', policies: [DENY_ALL], argv: ['curl', '-sS', 'database/PING'], exitCode: 28, stderr: /^curl: \(28\) Failed to connect to database port 80 after 127\d\d\d ms: Couldn't connect to server\n$/ },
  { name: 'curl from a pod whose egress drops DNS: (6) after the resolver\'s 2 × 5 s', from: 'deploy/database', policies: [DENY_ALL], argv: ['curl', '-sS', 'frontend'], exitCode: 6, stderr: 'curl: (6) Could not resolve host: frontend\n' },
  { name: 'curl -m 3 while DNS is dropped: (28) Resolving timed out', from: 'deploy/database', policies: [DENY_ALL], argv: ['curl', '-sS', '-m', '3', 'frontend'], exitCode: 28, stderr: 'curl: (28) Resolving timed out after 3000 milliseconds\n' },
  { name: 'curl: the DNS proxy answers REFUSED for a name no DNS rule allows: (6)', policies: [DNS_ONLY_GOOGLE()], argv: ['curl', '-sS', 'example.com'], exitCode: 6, stderr: 'curl: (6) Could not resolve host: example.com\n' },
  { name: 'curl: an L7 deny is 403 "Access denied" and exit 0', from: 'world:172.27.224.3', policies: [BACKEND_L7], argv: ['curl', '-s', `http://${BACKEND_IP}/admin`], exitCode: 0, stdout: 'Access denied\r\n' },
  { name: 'curl -f: an L7 deny is (22) The requested URL returned error: 403', from: 'world:172.27.224.3', policies: [BACKEND_L7], argv: ['curl', '-sSf', `http://${BACKEND_IP}/admin`], exitCode: 22, stdout: '', stderr: 'curl: (22) The requested URL returned error: 403\n' },
  { name: 'curl: the L7 rule lets GET /docs through', from: 'world:172.27.224.3', policies: [BACKEND_L7], argv: ['curl', '-s', '-w', ' %{http_code}', `http://${BACKEND_IP}/docs`], exitCode: 0, stdout: /"path":"\/docs"\}\n 200$/ },
  { name: 'curl with no URL', argv: ['curl', '-s'], exitCode: 2, stderr: /^curl: no URL specified\n/ },
  { name: 'curl with an unknown option', argv: ['curl', '--frobnicate', 'x'], exitCode: 2, stderr: /^curl: unrecognized option '--frobnicate'\n/ },
  { name: 'curl ftp:// is not a protocol it speaks here', argv: ['curl', '-sS', 'ftp://x/'], exitCode: 1, stderr: 'curl: (1) Protocol "ftp" not supported\n' },
  // wget (BusyBox)
  { name: 'wget -O - writes the body to stdout and its progress to stderr', argv: ['wget', '-O', '-', 'database/PING'], exitCode: 0, stdout: '{"PING":[true,"PONG"]}', stderr: /^Connecting to database \(10\.\d+\.\d+\.\d+:80\)\nwriting to stdout\n-  .*100% \|\*+\|    22  0:00:00 ETA\nwritten to stdout\n$/ },
  { name: 'wget -q -O- is quiet', argv: ['wget', '-q', '-O-', 'database/PING'], exitCode: 0, stdout: '{"PING":[true,"PONG"]}', stderr: '' },
  { name: 'busybox wget -qO- (bundled flags)', argv: ['busybox', 'wget', '-qO-', 'database/PING'], exitCode: 0, stdout: '{"PING":[true,"PONG"]}' },
  { name: 'wget: bad address', argv: ['wget', '-q', '-O-', 'nosuch'], exitCode: 1, stderr: "wget: bad address 'nosuch'\n" },
  { name: 'wget -T 5 to a dropped SYN: download timed out', policies: [DENY_ALL], argv: ['wget', '-q', '-O-', '-T', '5', 'database/PING'], exitCode: 1, stderr: 'wget: download timed out\n' },
  { name: 'wget without -T: the kernel gives up first', policies: [DENY_ALL], argv: ['wget', '-O-', 'database/PING'], exitCode: 1, stderr: /^Connecting to database \((10\.\d+\.\d+\.\d+):80\)\nwget: can't connect to remote host \(\1\): Connection timed out\n$/ },
  { name: 'wget: refused', argv: ['wget', '-q', '-O-', `${DB_IP}:8080`], exitCode: 1, stderr: `wget: can't connect to remote host (${DB_IP}): Connection refused\n` },
  { name: 'wget: an L7 deny', from: 'world:172.27.224.3', policies: [BACKEND_L7], argv: ['wget', '-q', '-O-', `http://${BACKEND_IP}/admin`], exitCode: 1, stderr: 'wget: server returned error: HTTP/1.1 403 Forbidden\n' },
  { name: 'wget saves to a file named after the path', argv: ['wget', 'database/PING'], exitCode: 0, stdout: '', stderr: /saving to 'PING'\n.*\n'PING' saved\n$/ },
  // nc
  { name: 'nc -zv: open', argv: ['nc', '-zv', 'database', '80'], exitCode: 0, stderr: /^database \(10\.\d+\.\d+\.\d+:80\) open\n$/ },
  { name: 'nc -z is silent', argv: ['nc', '-z', 'database', '80'], exitCode: 0, stderr: '' },
  { name: 'nc -zv -w 2 to a dropped SYN: timed out, exit 1', policies: [DENY_ALL], argv: ['nc', '-zv', '-w', '2', 'database', '80'], exitCode: 1, stderr: /^nc: database \(10\.\d+\.\d+\.\d+:80\): Connection timed out\n$/ },
  { name: 'nc to a closed port: refused', argv: ['nc', '-zv', DB_IP, '8080'], exitCode: 1, stderr: `nc: ${DB_IP} (${DB_IP}:8080): Connection refused\n` },
  { name: 'nc -u cannot tell a drop: it reports open', policies: [DENY_ALL], argv: ['nc', '-zvu', DB_IP, '7379'], exitCode: 0, stderr: `${DB_IP} (${DB_IP}:7379) open\n` },
  { name: 'nc: bad address', argv: ['nc', '-zv', 'nosuch', '80'], exitCode: 1, stderr: "nc: bad address 'nosuch'\n" },
  // nslookup, dig, host
  { name: 'nslookup applies the search list', argv: ['nslookup', 'database'], exitCode: 0, stdout: /^Server:\t\t10\.96\.0\.10\nAddress:\t10\.96\.0\.10:53\n\nName:\tdatabase\.default\.svc\.cluster\.local\nAddress: 10\.\d+\.\d+\.\d+\n\n$/ },
  { name: 'nslookup of an external name: Non-authoritative answer', argv: ['nslookup', 'example.com'], exitCode: 0, stdout: 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nNon-authoritative answer:\nName:\texample.com\nAddress: 93.184.215.14\n\n' },
  { name: 'nslookup NXDOMAIN', argv: ['nslookup', 'nosuch.default.svc.cluster.local'], exitCode: 1, stdout: /\*\* server can't find nosuch\.default\.svc\.cluster\.local: NXDOMAIN\n/ },
  { name: 'nslookup: the DNS proxy refuses the name', policies: [DNS_ONLY_GOOGLE()], argv: ['nslookup', 'example.com'], exitCode: 1, stdout: "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find example.com: REFUSED\n\n" },
  { name: 'nslookup with DNS dropped', from: 'deploy/database', policies: [DENY_ALL], argv: ['nslookup', 'frontend'], exitCode: 1, stdout: ';; connection timed out; no servers could be reached\n\n' },
  { name: 'dig +short', argv: ['dig', '+short', 'database.default.svc.cluster.local'], exitCode: 0, stdout: /^10\.\d+\.\d+\.\d+\n$/ },
  { name: 'dig does not use the search list: database is NXDOMAIN, exit 0', argv: ['dig', 'database'], exitCode: 0, stdout: /status: NXDOMAIN/ },
  { name: 'dig +search does', argv: ['dig', '+search', '+short', 'database'], exitCode: 0, stdout: /^10\.\d+\.\d+\.\d+\n$/ },
  { name: 'dig with an answer', argv: ['dig', 'example.com'], exitCode: 0, stdout: /;; ->>HEADER<<- opcode: QUERY, status: NOERROR[^]*;; ANSWER SECTION:\nexample\.com\.\t\t300\tIN\tA\t93\.184\.215\.14\n/ },
  { name: 'dig when no server answers: exit 9', from: 'deploy/database', policies: [DENY_ALL], argv: ['dig', 'example.com'], exitCode: 9, stdout: /;; no servers could be reached\n$/ },
  { name: 'host', argv: ['host', 'database'], exitCode: 0, stdout: /^database\.default\.svc\.cluster\.local has address 10\.\d+\.\d+\.\d+\n$/ },
  { name: 'host NXDOMAIN', argv: ['host', 'nosuch'], exitCode: 1, stdout: 'Host nosuch not found: 3(NXDOMAIN)\n' },
  { name: 'host REFUSED', policies: [DNS_ONLY_GOOGLE()], argv: ['host', 'example.com'], exitCode: 1, stdout: 'Host example.com not found: 5(REFUSED)\n' },
  // ping
  { name: 'ping -c 2 a pod', argv: ['ping', '-c', '2', DB_IP], exitCode: 0, stdout: `PING ${DB_IP} (${DB_IP}): 56 data bytes\n64 bytes from ${DB_IP}: seq=0 ttl=64 time=0.071 ms\n64 bytes from ${DB_IP}: seq=1 ttl=64 time=0.071 ms\n\n--- ${DB_IP} ping statistics ---\n2 packets transmitted, 2 packets received, 0% packet loss\nround-trip min/avg/max = 0.071/0.071/0.071 ms\n` },
  { name: 'ping a pod whose ingress denies ICMP: 100% loss, exit 1', policies: [DB_POLICY], argv: ['ping', '-c', '3', DB_IP], exitCode: 1, stdout: /3 packets transmitted, 0 packets received, 100% packet loss\n$/ },
  { name: 'ping a ClusterIP: nothing answers ICMP there', argv: ['ping', '-c', '1', 'database'], exitCode: 1, stdout: /^PING database \(10\.\d+\.\d+\.\d+\): 56 data bytes\n\n--- database ping statistics ---\n1 packets transmitted, 0 packets received, 100% packet loss\n$/ },
  // shell
  { name: 'an unknown program is answered as sh answers it', argv: ['frobnicate', '-x'], exitCode: 127, stderr: 'sh: frobnicate: not found\n' },
  { name: 'echo hi', argv: ['echo', 'hi'], exitCode: 0, stdout: 'hi\n' },
  { name: 'hostname is the pod name', argv: ['hostname'], exitCode: 0, stdout: /^backend-[a-z0-9]+-[a-z0-9]{5}\n$/ },
  { name: 'cat /etc/resolv.conf: ClusterFirst', argv: ['cat', '/etc/resolv.conf'], exitCode: 0, stdout: 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n' },
  { name: 'cat a missing file', argv: ['cat', '/nope'], exitCode: 1, stderr: "cat: can't open '/nope': No such file or directory\n" },
  { name: 'sh -c with && and ||', argv: ['sh', '-c', 'false && echo no || echo "yes it ran"'], exitCode: 0, stdout: 'yes it ran\n' },
  { name: 'busybox with an unknown applet', argv: ['busybox', 'frob'], exitCode: 127, stderr: 'frob: applet not found\n' },
];

/** A backend policy whose DNS rule allows only *.cloud.google.com (so the proxy refuses other names). */
function DNS_ONLY_GOOGLE() {
  return { path: 'dns-google.yaml', text: BACKEND_DNS.text.replace(/dns:\n(\s+)- matchPattern: "\*"/, 'dns:\n$1- matchPattern: "*.cloud.google.com"') };
}

describe('commands print what the real programs print, with their exit codes', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const vc = cluster(...(c.policies ?? []));
      const r = vc.exec(c.from ?? BACKEND, c.argv);
      const shown = `stdout: ${JSON.stringify(r.stdout)}\nstderr: ${JSON.stringify(r.stderr)}`;
      assert.equal(r.exitCode, c.exitCode, shown);
      const check = (got: string, want: string | RegExp | undefined) => {
        if (want === undefined) return;
        if (typeof want === 'string') assert.equal(got, want, shown);
        else assert.match(got, want, shown);
      };
      check(r.stdout, c.stdout);
      check(r.stderr, c.stderr);
    });
  }

  test('the DNS_ONLY_GOOGLE policy really narrows the DNS rule', () => {
    assert.match(DNS_ONLY_GOOGLE().text, /matchPattern: "\*\.cloud\.google\.com"\n\s+egress|dns:\n\s+- matchPattern: "\*\.cloud\.google\.com"/);
  });

  test('curl example.com asks for example.com.default.svc.cluster.local first (ndots:5), A and AAAA', () => {
    const r = cluster().exec(BACKEND, ['curl', '-s', 'example.com']);
    const asked = r.steps.filter((s) => s.kind === 'dns').map((s) => (s.kind === 'dns' ? `${s.name} ${s.qtype} ${s.result}` : ''));
    assert.deepEqual(asked, [
      'example.com.default.svc.cluster.local A NXDOMAIN', 'example.com.svc.cluster.local A NXDOMAIN', 'example.com.cluster.local A NXDOMAIN',
      'example.com A NOERROR', 'example.com AAAA NOERROR',
    ]);
  });

  test('a name with a trailing dot is asked as written only', () => {
    const r = cluster().exec(BACKEND, ['nslookup', 'database.default.svc.cluster.local.']);
    assert.deepEqual(r.steps.filter((s) => s.kind === 'dns').map((s) => (s.kind === 'dns' ? s.name : '')), ['database.default.svc.cluster.local', 'database.default.svc.cluster.local']);
  });

  test('the virtual clock moves by what the command waited, never by real time', () => {
    const vc = cluster(DENY_ALL);
    const before = vc.clock.micros;
    const t = Date.now();
    const r = vc.exec(BACKEND, ['curl', '-s', 'database/PING']);
    assert.equal(r.exitCode, 28);
    assert.ok(Date.now() - t < 2000, 'no real waiting');
    assert.ok(vc.clock.micros - before >= 127_000_000, 'the kernel waited 127 s of virtual time');
  });
});

describe('no command line makes a command throw', () => {
  // Words people type, and words nobody should: every mix must give output and an exit code, never an exception.
  const WORDS = [
    'curl', 'wget', 'busybox', 'nc', 'nslookup', 'dig', 'host', 'ping', 'sh', '-c', 'echo', 'cat', 'hostname', 'sleep',
    '-s', '-S', '-sS', '-m', '5', '-m0.5', '--max-time', '--max-time=', '--connect-timeout', '-X', 'POST', '-H', 'A: b', '-H', ':', '-d', '',
    '-o', '/dev/null', '-w', '%{http_code}', '%{nope}', '\\n', '-f', '-v', '-I', '-i', '-k', '-O', '-', '-O-', '-q', '-T', '-T0', '-z', '-zv', '-u', '-w', '-c', '3', '-c0',
    '+short', '+search', '@10.96.0.10', 'AAAA', '-t', 'database', 'database/PING', 'http://database:80/x?y#z', 'https://[::1]:443/',
    'http://:80', 'ftp://x', 'http://database:99999', '10.244.1.4', '10.244.1.4:7379', '999.1.1.1', 'example.com', 'example.com.', '.', '..',
    'nosuch', 'a'.repeat(300), '\u0000', '\x1b[31m', '"', "'", '&&', '||', ';', '-', '--', '--frob', '80', '0', '65536', '-1', '/etc/resolv.conf',
  ];
  const vc = cluster(DENY_ALL);
  const rnd = seededRandom(1);
  test('2,000 random command lines', () => {
    for (let i = 0; i < 2000; i++) {
      const argv = Array.from({ length: 1 + rnd(7) }, () => WORDS[rnd(WORDS.length)]!);
      let r;
      try {
        r = vc.exec(rnd(2) ? BACKEND : 'deploy/database', argv);
      } catch (e) {
        assert.fail(`${JSON.stringify(argv)} threw ${e instanceof Error ? e.stack : String(e)}`);
      }
      assert.ok(Number.isInteger(r.exitCode) && r.exitCode >= 0 && r.exitCode <= 255, JSON.stringify(argv));
      assert.equal(typeof r.stdout, 'string');
    }
  });
});
