/**
 * The seed tutorial's kubectl commands against `polis serve`, with the real
 * kubectl (the machine's; skipped where there is none). Each test starts a
 * server on a free loopback port and gives kubectl a fresh KUBECACHEDIR,
 * since kubectl caches discovery per host:port (cli-runtime
 * `genericclioptions/config_flags.go`).
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer, type RunningServer } from './server.js';

const KUBECTL = process.env.KUBECTL ?? 'kubectl';

function run(args: string[], env: NodeJS.ProcessEnv, bin = KUBECTL): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The machine's kubectl is a dispatcher with the real binaries beside it (`kubectl.1.29`, …). */
function legacyKubectl(version: string): string | undefined {
  try {
    const path = execFileSync('sh', ['-c', `command -v ${KUBECTL}`], { encoding: 'utf8' }).trim();
    const bin = join(dirname(realpathSync(path)), `kubectl.${version}`);
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

const hasKubectl = await new Promise<boolean>((resolve) => execFile(KUBECTL, ['version', '--client'], (e) => resolve(!e)));

const demo = (f: string) => join('examples', 'demo', f);
const sources = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));

describe('polis serve with the real kubectl', { skip: !hasKubectl && 'no kubectl on this machine' }, () => {
  let server: RunningServer;
  let tmp: string;
  let k: (...args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;
  let env: () => NodeJS.ProcessEnv;

  before(async () => {
    server = await startServer({ sources: [], port: 0, hubblePort: null });
    tmp = mkdtempSync(join(tmpdir(), 'polis-kubectl-'));
    env = () => ({ ...process.env, KUBECACHEDIR: join(tmp, 'cache'), KUBECONFIG: join(tmp, 'none'), HOME: tmp });
    k = (...args) => run(['-s', server.url, ...args], env());
  });
  after(async () => {
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('the tutorial: apply the demo, get deploy,svc,pod (pods named as polis names them, Running)', async () => {
    const applied = await k('apply', '-f', demo('app.yaml'));
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /deployment\.apps\/backend created/);
    assert.match(applied.stdout, /service\/database created/);
    const got = await k('get', 'deploy,svc,pod');
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
    assert.match(got.stdout, /^deployment\.apps\/backend\s+2\/2\s+2\s+2\s+/m);
    assert.match(got.stdout, /^service\/database\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP/m);
    assert.match(got.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
    // The same names `polis get pods -f examples/demo` prints; addresses come in creation order, as a
    // cluster's IPAM hands them out (kubectl creates app.yaml's frontend first), and never change after.
    assert.match(got.stdout, /^pod\/backend-f7b7ddfdf-9wp48\s+1\/1\s+Running\s+0\s+/m);
    const wide = await k('get', 'pods', '-o', 'wide', '-l', 'tier=backend');
    assert.match(wide.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE/m);
    assert.match(wide.stdout, /^backend-f7b7ddfdf-9wp48\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.1\.4\s+kind-worker/m);
    assert.doesNotMatch(wide.stdout, /frontend/);
  });

  test('watch: kubectl wait and rollout status finish', async () => {
    const wait = await k('wait', '--for=condition=Available', 'deploy/backend', '--timeout=10s');
    assert.equal(wait.code, 0, wait.stderr);
    assert.match(wait.stdout, /deployment\.apps\/backend condition met/);
    const rollout = await k('rollout', 'status', 'deploy/frontend', '--timeout=10s');
    assert.equal(rollout.code, 0, rollout.stderr);
    assert.match(rollout.stdout, /deployment "frontend" successfully rolled out/);
  });

  test('apply a CNP, get cnp shows NAME AGE VALID (Cilium 1.18 printer columns), re-apply is unchanged', async () => {
    const r = await k('apply', '-f', demo('database-policy.yaml'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ciliumnetworkpolicy\.cilium\.io\/database-policy created/);
    const got = await k('get', 'cnp');
    assert.match(got.stdout, /^NAME\s+AGE\s+VALID$/m);
    assert.match(got.stdout, /^database-policy\s+\S+\s+True$/m);
    const again = await k('apply', '-f', demo('database-policy.yaml'));
    assert.match(again.stdout, /database-policy unchanged/);
    const short = await k('get', 'ciliumnp,cep,ciliumid');
    assert.equal(short.code, 0, short.stderr);
    assert.match(short.stdout, /backend-f7b7ddfdf-9wp48\s+256\s+ready\s+10\.244\.1\.4/);
  });

  test('an invalid CNP is refused with polis\'s message at the field (422), kubectl exits 1', async () => {
    const r = await k('apply', '-f', join('examples', 'broken', 'story5-invalid-cidr.yaml'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The CiliumNetworkPolicy "backend-policy" is invalid: spec\.ingress\[1\]\.fromCIDRSet\[0\]\.cidr: Invalid value: 172\.224\.3\/32 is not a valid CIDR/);
    const got = await k('get', 'cnp', 'backend-policy');
    assert.equal(got.code, 1, 'nothing was stored');
    assert.match(got.stderr, /NotFound|not found/);
  });

  test('exec over WebSocket: output on stdout, exit code through the status channel', async () => {
    const echo = await k('exec', 'backend-f7b7ddfdf-9wp48', '--', 'echo', 'hello', 'polis');
    assert.equal(echo.code, 0, echo.stderr);
    assert.equal(echo.stdout, 'hello polis\n');
    const failed = await k('exec', 'backend-f7b7ddfdf-9wp48', '--', 'false');
    assert.equal(failed.code, 1);
    const missing = await k('exec', 'backend-f7b7ddfdf-9wp48', '--', 'nosuchcommand');
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /sh: nosuchcommand: not found/);
    const noPod = await k('exec', 'nope', '--', 'true');
    assert.equal(noPod.code, 1);
    assert.match(noPod.stderr, /pods "nope" not found/);
  });

  test('exec runs the tutorial\'s commands in the virtual cluster: the database policy lets the backend in, drops the frontend (curl 28), and Hubble\'s API shows the drop', async () => {
    // database-policy.yaml (applied above) allows only tier=backend into the database.
    const allowed = await k('exec', 'backend-f7b7ddfdf-9wp48', '--', 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'database/PING');
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(allowed.stdout, '200');
    const dropped = await k('exec', 'frontend-677d445bd9-6fncn', '--', 'curl', '-sS', '-m', '5', 'database/PING');
    assert.equal(dropped.code, 28, dropped.stderr);
    assert.match(dropped.stderr, /curl: \(28\) Connection timed out after 5\d\d\d milliseconds/);
    const flows = await (await fetch(`${server.url}/hubble/flows`)).text();
    assert.match(flows, /"verdict":"DROPPED"/);
    assert.match(flows, /POLICY_DENIED/);
  });

  test('exec over SPDY/3.1 with kubectl 1.29 and 1.27 (no WebSocket exec before 1.30); their discovery (v2beta1 for 1.29) finds cnp', { skip: !legacyKubectl('1.29') && 'no kubectl 1.29 beside kubectl' }, async () => {
    for (const version of ['1.29', '1.27']) {
      const bin = legacyKubectl(version);
      if (!bin) continue;
      const old = (...args: string[]) => run(['-s', server.url, ...args], { ...env(), KUBECACHEDIR: join(tmp, `cache-${version}`) }, bin);
      const cnp = await old('get', 'cnp');
      assert.equal(cnp.code, 0, `${version}: ${cnp.stderr}`);
      assert.match(cnp.stdout, /^NAME\s+AGE\s+VALID$/m);
      const echo = await old('exec', 'backend-f7b7ddfdf-9wp48', '--', 'echo', 'over', 'spdy');
      assert.equal(echo.code, 0, echo.stderr);
      assert.equal(echo.stdout, 'over spdy\n');
      const missing = await old('exec', 'backend-f7b7ddfdf-9wp48', '--', 'nosuchcommand');
      assert.equal(missing.code, 127, `${version}: ${missing.stderr}`);
      assert.match(missing.stderr, /sh: nosuchcommand: not found/);
    }
  });

  test('re-applying a changed file, client-side then server-side, changes the cluster', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polis-apply-'));
    const three = join(dir, 'app.yaml');
    writeFileSync(three, readFileSync(demo('app.yaml'), 'utf8').replace(/replicas: 2/g, 'replicas: 3'));
    const csa = await k('apply', '-f', three);
    assert.equal(csa.code, 0, csa.stderr);
    assert.match(csa.stdout, /deployment\.apps\/backend configured/);
    assert.equal((await k('get', 'pods', '-l', 'tier=backend', '-o', 'name')).stdout.trim().split('\n').length, 3);
    // A server-side apply that changes a field client-side apply owns conflicts, as on a real API server.
    const conflicting = await k('apply', '--server-side', '-f', demo('app.yaml'));
    assert.equal(conflicting.code, 1);
    assert.match(conflicting.stderr, /Apply failed with 1 conflict: conflict with "kubectl-client-side-apply": \.spec\.replicas/);
    // Applying the live values takes the fields over (kubectl moves client-side apply's managed fields to its
    // own manager, cli-runtime csaupgrade); after that server-side apply changes them.
    const takeover = await k('apply', '--server-side', '-f', three);
    assert.equal(takeover.code, 0, takeover.stderr);
    const ssa = await k('apply', '--server-side', '-f', demo('app.yaml'));
    assert.equal(ssa.code, 0, ssa.stderr);
    assert.match(ssa.stdout, /deployment\.apps\/backend serverside-applied/);
    assert.equal((await k('get', 'pods', '-l', 'tier=backend', '-o', 'name')).stdout.trim().split('\n').length, 2);
    const spec = await k('get', 'deploy', 'backend', '-o', 'jsonpath={.spec.template.spec.containers[0].image}');
    assert.equal(spec.stdout, 'networkpolicy/demo-backend', 'the second, kubectl-last-applied patch keeps the spec');
    const ssaPolicy = await k('apply', '--server-side', '-f', demo('backend-policy.yaml'));
    assert.equal(ssaPolicy.code, 0, ssaPolicy.stderr);
    rmSync(dir, { recursive: true, force: true });
  });

  test('scale, describe, get events, and deleting a namespace deletes what is in it', async () => {
    const scaled = await k('scale', 'deploy', 'frontend', '--replicas=3');
    assert.equal(scaled.code, 0, scaled.stderr);
    assert.equal((await k('get', 'pods', '-l', 'tier=frontend', '-o', 'name')).stdout.trim().split('\n').length, 3);
    assert.match((await k('describe', 'deploy', 'frontend')).stdout, /NewReplicaSet:\s+frontend-677d445bd9 \(3\/3 replicas created\)/);
    assert.match((await k('get', 'events')).stderr, /No resources found in default namespace/);
    assert.equal((await k('create', 'ns', 'scratch')).code, 0);
    assert.equal((await k('run', 'p', '-n', 'scratch', '--image=busybox')).code, 0);
    assert.equal((await k('delete', 'ns', 'scratch')).code, 0);
    assert.match((await k('get', 'pods', '-n', 'scratch')).stderr, /No resources found in scratch namespace/);
    assert.equal((await k('scale', 'deploy', 'frontend', '--replicas=2')).code, 0);
  });

  test('kubectl delete cnp NAME..., then delete -f the demo', async () => {
    const del = await k('delete', 'cnp', 'database-policy', 'backend-policy');
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /ciliumnetworkpolicy\.cilium\.io "database-policy" deleted/);
    const gone = await k('delete', '-f', demo('app.yaml'));
    assert.equal(gone.code, 0, gone.stderr);
    assert.match(gone.stdout, /deployment\.apps "backend" deleted/);
    const pods = await k('get', 'pods');
    assert.match(pods.stderr, /No resources found in default namespace/);
  });

  test('the seed of knp-echo: create ns (a protobuf body), run a pod, read its CiliumEndpoint identity', async () => {
    const ns = await k('create', 'ns', 'universe');
    assert.equal(ns.code, 0, ns.stderr);
    assert.match((await k('get', 'ns', 'universe', '--show-labels')).stdout, /universe\s+Active\s+\S+\s+kubernetes\.io\/metadata\.name=universe/);
    const run = await k('run', 'curl', '--image=curlimages/curl', '-n', 'universe', '--', 'sleep', 'infinity');
    assert.equal(run.code, 0, run.stderr);
    assert.match((await k('get', 'pods', '-n', 'universe')).stdout, /^curl\s+1\/1\s+Running/m);
    const id = await k('get', 'cep', 'curl', '-n', 'universe', '-o', 'jsonpath={.status.identity.id}');
    assert.match(id.stdout, /^\d{3,}$/);
    const create = await k('create', 'deployment', 'x', '--image=nginx');
    assert.equal(create.code, 1, 'protobuf bodies of kinds polis cannot decode are refused with 415, not misread');
    assert.match(create.stderr, /unknown format/);
  });

  test('kubectl explain cnp.spec reads the schema polis validates with', async () => {
    const r = await k('explain', 'cnp.spec');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /endpointSelector/);
    assert.match(r.stdout, /ingress/);
  });
});
