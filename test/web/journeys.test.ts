/**
 * The editor's main journeys in a real headless Chromium (playwright-core
 * driving Debian's /usr/bin/chromium, which .ci/run installs): load the
 * demo, break a policy and see the marker at the right line, fix it with
 * the quick fix, build a rule and see the diagram change (and undo it), ask
 * a verdict and follow the link to the rule, run the tests, read a Hubble
 * export, the service map, the terminal, lint findings, the connectivity
 * matrix, the diff of an unsaved edit, generate from an uploaded export
 * with its proof, story 1's curl before and after the database policy in
 * the simulator, the dark theme, a save conflict.
 * Each journey saves a screenshot in tmp/web-journeys/ (for people to look
 * at); the last one measures keystroke → diagnostics in the browser.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { demoCopy, REPO, startTestServer } from '../../src/web/testing.js';

// What the functions run in the page see; declared here so the Node type check needs no DOM library.
type Timing = { diagnosticsMs: number; serverMs: number };
declare const document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> & Iterable<{ textContent: string | null }>; documentElement: { dataset: Record<string, string | undefined> } };
declare const window: { __polis?: { keystrokes: Timing[] } };

const CHROMIUM = process.env.POLIS_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = join(REPO, 'tmp/web-journeys');
const APP = join(REPO, 'dist/web/app/app.js');

/** Rebuilds the bundle when a file of web/ is newer than it (or it is missing). */
async function ensureBuilt(): Promise<void> {
  const newest = (dir: string): number => Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
  if (existsSync(APP) && statSync(APP).mtimeMs >= newest(join(REPO, 'web'))) return;
  const { buildWeb } = (await import(join(REPO, 'scripts/build-web.mjs'))) as { buildWeb: () => Promise<unknown> };
  await buildWeb();
}

const skip = !existsSync(CHROMIUM) && process.env.CI !== 'true' ? `no Chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run does)` : false;

describe('editor journeys in Chromium', { skip }, () => {
  const demo = demoCopy();
  let url = '';
  let close: () => Promise<void> = async () => undefined;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await ensureBuilt();
    ({ url, close } = await startTestServer({ files: demo.files, root: demo.dir }));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Offline: the page must not ask anything of the network but its own server.
    await page.route('**/*', (route) => (route.request().url().startsWith(url) || route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.goto(url);
    await page.locator('.tab', { hasText: 'backend-policy.yaml' }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await close();
    demo.cleanup();
  });

  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const report = (what: string, t: Timing[]) => {
    console.log(`# browser: keystroke → diagnostics + diagram, ${what}: median ${med(t.map((x) => x.diagnosticsMs)).toFixed(0)} ms, max ${Math.max(...t.map((x) => x.diagnosticsMs)).toFixed(0)} ms (server validate ${med(t.map((x) => x.serverMs)).toFixed(1)} ms; includes the 25 ms lint debounce), n=${t.length}`);
  };
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const openTab = async (name: string) => page.locator('.editor-pane .tab', { hasText: name }).click();
  const panel = async (name: string) => page.locator('.side-pane .tab', { hasText: new RegExp(`^${name}$`) }).click();
  /** The text of the active buffer, as CodeMirror holds it. */
  const doc = () => page.evaluate(() => [...document.querySelectorAll('.cm-content .cm-line')].map((l) => l.textContent).join('\n'));
  const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

  test('load the demo: files in tabs, no problems, the diagram of the policy', async () => {
    await page.locator('.problems-head', { hasText: 'none' }).waitFor();
    assert.equal(await page.locator('.editor-pane .tab').count(), 5);
    await page.locator('svg.diagram .peer').first().waitFor();
    assert.match((await page.locator('.policy-title').textContent()) ?? '', /backend-policy/);
    assert.equal(await page.locator('svg.diagram .side-state', { hasText: 'default deny' }).count(), 2);
    await shot('01-demo-loaded');
  });

  test('break a policy: the marker is at the right line; the quick fix repairs it', async () => {
    await openTab('frontend-policy.yaml');
    // As a person would: click the line, go before the colon, delete the "s".
    await page.locator('.cm-line', { hasText: 'toPorts:' }).first().click();
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Backspace');
    const range = page.locator('.cm-lintRange-error');
    await range.waitFor();
    assert.equal(await range.textContent(), 'toPort');
    const text = await doc();
    const problem = page.locator('.problem.error').first();
    await problem.waitFor();
    assert.match((await problem.textContent()) ?? '', new RegExp(`frontend-policy\\.yaml:${lineOf(text, 'toPort:')}:\\d+.*unknown field "toPort" \\(did you mean "toPorts"\\?\\)`));
    assert.equal(await page.locator('.editor-pane .tab.active .badge.err').textContent(), '1');
    await range.hover();
    const fix = page.locator('.cm-tooltip-lint .cm-diagnosticAction', { hasText: 'Rename to "toPorts"' });
    await fix.waitFor();
    await shot('02-broken-with-marker');
    await fix.click();
    await page.locator('.problems-head', { hasText: 'none' }).waitFor();
    assert.ok((await doc()).includes('toPorts:'));
    await shot('03-fixed-by-quick-fix');
  });

  test('completion offers what the schema allows at the cursor', async () => {
    await openTab('frontend-policy.yaml');
    await page.locator('.cm-line', { hasText: /^\s*protocol: TCP$/ }).first().click();
    await page.keyboard.press('End');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
    await page.keyboard.press('Control+Space');
    const options = page.locator('.cm-tooltip-autocomplete li');
    await options.first().waitFor();
    // The protocols portProtocolSchema accepts, nothing else (CodeMirror sorts them).
    assert.deepEqual(await options.allTextContents(), ['ANY', 'SCTP', 'TCP', 'UDP']);
    await shot('03b-completion');
    await page.keyboard.type('T');
    await page.keyboard.press('Enter');
    await page.locator('.problems-head', { hasText: 'none' }).waitFor();
    assert.ok((await doc()).includes('protocol: TCP'));
  });

  test('build a rule with the builder: the diagram gains the peer; undo takes it away', async () => {
    await openTab('database-policy.yaml');
    await page.locator('.cm-line', { hasText: 'endpointSelector' }).click();
    await panel('Policy');
    await page.locator('.policy-title', { hasText: 'database-policy' }).waitFor();
    const peers = page.locator('svg.diagram .peer');
    const before = await peers.count();
    await page.getByLabel('Builder action').selectOption('allow-from-world');
    await page.getByLabel('Port', { exact: true }).fill('7379');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('svg.diagram .peer').length === n + 1, before);
    assert.ok((await doc()).includes('fromEntities:'));
    assert.equal(await page.locator('svg.diagram .peer', { hasText: 'world' }).count(), 1);
    await shot('04-builder-added-world');
    await page.locator('.cm-content').focus();
    await page.keyboard.press('Control+z');
    await page.waitForFunction((n) => document.querySelectorAll('svg.diagram .peer').length === n, before);
    assert.ok(!(await doc()).includes('fromEntities:'));
  });

  test('try it: the verdict, and the link to the deciding rule opens its line', async () => {
    await panel('Try it');
    await page.getByLabel('Source').fill('default/backend');
    await page.getByLabel('Destination').fill('svc:default/database');
    await page.getByLabel('Port', { exact: true }).fill('80');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.locator('[data-testid=verdict]', { hasText: 'ALLOWED' }).waitFor();
    const link = page.locator('.side-card .link', { hasText: 'database-policy.yaml:' }).first();
    const target = Number(/:(\d+)$/.exec((await link.textContent()) ?? '')![1]);
    await shot('05-try-it-allowed');
    await link.click();
    await page.locator('.editor-pane .tab.active', { hasText: 'database-policy.yaml' }).waitFor();
    const active = await page.locator('.cm-activeLine').textContent();
    const src = readFileSync(join(demo.dir, 'database-policy.yaml'), 'utf8').split('\n');
    assert.equal(active?.trim(), src[target - 1]!.trim());
    assert.match(active ?? '', /fromEndpoints/);
    await shot('06-rule-opened');
    await page.getByLabel('Source').fill('default/frontend');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.locator('[data-testid=verdict]', { hasText: 'DENIED' }).waitFor();
    await shot('07-try-it-denied');
  });

  test('tests: the demo connectivity tests pass in the browser', async () => {
    await panel('Tests');
    await page.getByRole('button', { name: 'Run connectivity tests' }).click();
    await page.locator('.summary', { hasText: '9 passed, 0 failed' }).waitFor();
    await shot('08-tests');
  });

  test('cluster view: the service map laid out by elkjs, with the verdict table', async () => {
    await panel('Cluster');
    await page.locator('svg.map .node').first().waitFor();
    assert.ok(await page.locator('svg.map .map-edge.allow, svg.map .map-edge.l7').count() > 0);
    assert.equal(await page.locator('svg.map .map-edge.deny').count(), 0);
    assert.equal(await page.locator('.matrix tr', { hasText: 'default/frontend' }).locator('.chip.deny').count() > 0, true);
    await shot('09-cluster');
    await page.getByLabel('Show denied edges').check();
    await page.locator('svg.map .map-edge.deny').first().waitFor();
    await shot('09b-cluster-with-denied');
  });

  test('flows: upload a Hubble export and filter it', async () => {
    await panel('Flows');
    await page.getByLabel('Upload a Hubble export').setInputFiles(join(REPO, 'testdata/hubble/cilium-hubble-otel__basic-sample-10-flows.jsonl'));
    await page.getByRole('status').filter({ hasText: '10 flows' }).waitFor();
    assert.equal(await page.locator('.flows tbody tr').count(), 10);
    await shot('10-flows');
  });

  test('terminal: explain over the buffers, as the CLI prints it', async () => {
    await panel('Terminal');
    await page.getByLabel('Terminal command').fill('explain --from default/frontend --to svc:default/database --port 80');
    await page.keyboard.press('Enter');
    await page.locator('.term-out pre', { hasText: 'DENIED' }).waitFor();
    await shot('11-terminal');
  });

  test('lint findings beside validation: a warning marker at the line, listed apart from problems', async () => {
    await openTab('database-policy.yaml');
    const lint = page.locator('.problem.lint', { hasText: 'port-not-listening' }).filter({ hasText: 'database-policy.yaml:' });
    await lint.first().waitFor();
    // The marker sits on the port the finding names (the lint extension, as validate's errors do).
    await page.locator('.cm-lintRange-warning', { hasText: '"443"' }).waitFor();
    const text = await doc();
    assert.match((await lint.first().textContent()) ?? '', new RegExp(`database-policy\\.yaml:${lineOf(text, 'port: "443"')}:`));
    assert.equal(await page.locator('.problems-head', { hasText: 'none' }).count(), 1, 'lint findings are not validation problems');
    await shot('15-lint-findings');
  });

  test('matrix: the connectivity matrix as a table', async () => {
    await panel('Matrix');
    const row = page.locator('.conn-matrix tbody tr', { hasText: 'default/frontend' }).first();
    await row.waitFor();
    assert.ok(await row.locator('.chip').count() > 0);
    await shot('16-matrix');
  });

  test('diff: an unsaved edit newly denies frontend → backend:80', async () => {
    await openTab('backend-policy.yaml');
    await page.locator('.cm-line', { hasText: /^\s*tier: frontend$/ }).first().click();
    await page.keyboard.press('End');
    await page.keyboard.type('-v2');
    await panel('Diff');
    const change = page.locator('.diff-changes li.change.denied', { hasText: 'newly denies default/frontend → default/backend:80/TCP' });
    await change.waitFor();
    await shot('17-diff-newly-denied');
    await change.locator('.link').click();
    await page.locator('.editor-pane .tab.active', { hasText: 'backend-policy.yaml' }).waitFor();
    assert.match((await page.locator('.cm-activeLine').textContent()) ?? '', /ingress:/, 'the link opens the side that now denies');
    await page.locator('.cm-content').focus();
    while ((await doc()).includes('frontend-v2')) await page.keyboard.press('Control+z');
    await page.locator('.diff-view .summary', { hasText: 'no change' }).waitFor();
  });

  test('generate: upload a sample export and get policies with a passing proof', async () => {
    await panel('Generate');
    await page.getByLabel('Upload a Hubble export to generate policies').setInputFiles(join(REPO, 'testdata/hubble/cilium-hubble-otel__basic-sample-348-http-flows.jsonl'));
    const proof = page.locator('[data-testid=proof]');
    await proof.waitFor();
    assert.match((await proof.textContent()) ?? '', /^Proof passed: (\d+) of \1 observed connections allowed/);
    assert.equal(await page.locator('.editor-pane .tab.generated').count(), 5);
    await page.locator('.editor-pane .tab.active', { hasText: 'generated/bookinfo.productpage.yaml' }).waitFor();
    assert.match(await doc(), /kind: CiliumNetworkPolicy/);
    await shot('18-generated-with-proof');
  });

  // Story 1 of the seed tutorial (examples/stories/1-database-lockdown): with no database policy the backend's
  // curl reaches the database; with the deny-all version, Hubble shows the SYN dropped by policy.
  test('story 1: curl database/PING from the backend before and after the database policy: Policy denied DROPPED', async () => {
    const original = readFileSync(join(demo.dir, 'database-policy.yaml'), 'utf8');
    const setBuffer = async (text: string) => {
      await openTab('database-policy.yaml');
      await page.locator('.cm-content').focus();
      await page.keyboard.press('Control+a');
      if (text) await page.keyboard.insertText(text);
      else await page.keyboard.press('Delete');
    };
    const run = async () => {
      await page.getByLabel('Terminal command').fill('kubectl exec deploy/backend -- curl -s database/PING');
      await page.getByLabel('Terminal command').press('Enter');
    };
    await setBuffer('');
    await panel('Terminal');
    await page.getByLabel('Terminal command').fill('clear');
    await page.getByLabel('Terminal command').press('Enter');
    await run();
    await page.locator('.term-out pre.flow', { hasText: /:7379 .*to-endpoint FORWARDED \(TCP Flags: SYN\)/ }).first().waitFor();
    assert.equal(await page.locator('.term-out pre.drop').count(), 0);
    await shot('19-story1-before-policy');
    await setBuffer(readFileSync(join(REPO, 'examples/stories/1-database-lockdown/database-deny-all.yaml'), 'utf8'));
    await run();
    await page.locator('.term-out pre.drop', { hasText: /:7379 .*Policy denied DROPPED \(TCP Flags: SYN\)/ }).first().waitFor();
    await page.locator('.term-out pre.err', { hasText: 'exit code 28' }).waitFor();
    await page.locator('.term-out pre.drop').first().scrollIntoViewIfNeeded();
    await shot('20-story1-after-policy-dropped');
    await setBuffer(original);
    await page.waitForFunction(() => ![...document.querySelectorAll('.editor-pane .tab.active')].some((t) => (t.textContent ?? '').includes('•')));
  });

  test('dark theme, and the keyboard alone reaches the views', async () => {
    await page.getByRole('button', { name: /Switch to dark theme/ }).click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await panel('Policy');
    await shot('12-dark');
    await page.locator('.side-pane .tab', { hasText: /^Cluster$/ }).focus();
    await page.keyboard.press('ArrowRight');
    await page.getByLabel('Source').waitFor();
    assert.equal(await page.locator('.side-pane .tab[aria-selected=true]').textContent(), 'Try it');
    await page.getByRole('button', { name: /Switch to light theme/ }).click();
  });

  test('save refuses to overwrite a file changed on disk, and shows both versions', async () => {
    await openTab('frontend-policy.yaml');
    await page.locator('.cm-line').first().click();
    await page.keyboard.press('End');
    await page.keyboard.type(' (edited)');
    writeFileSync(join(demo.dir, 'frontend-policy.yaml'), '# changed elsewhere\n');
    await page.keyboard.press('Control+s');
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /changed elsewhere/);
    assert.equal(readFileSync(join(demo.dir, 'frontend-policy.yaml'), 'utf8'), '# changed elsewhere\n');
    await shot('13-save-conflict');
    await dialog.getByRole('button', { name: 'Overwrite with mine' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.match(readFileSync(join(demo.dir, 'frontend-policy.yaml'), 'utf8'), /\(edited\)/);
  });

  test('benchmark: keystroke → diagnostics and diagram on the demo', async () => {
    await openTab('database-policy.yaml');
    await page.evaluate(() => { window.__polis = { keystrokes: [] }; });
    await page.locator('.cm-line', { hasText: 'tier: database' }).click();
    await page.keyboard.press('End');
    for (let i = 0; i < 15; i++) {
      await page.keyboard.type(i % 2 ? 'x' : 'y');
      await page.waitForFunction((n) => (window.__polis?.keystrokes.length ?? 0) > n, i);
    }
    report('the demo', await page.evaluate(() => window.__polis!.keystrokes));
    assert.deepEqual(pageErrors, []);
  });

  test('benchmark: keystroke → diagnostics and diagram with 200 policies loaded', async () => {
    const many = Array.from({ length: 200 }, (_, i) => `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: team-${i}, namespace: default}
spec:
  endpointSelector: {matchLabels: {team: t${i}}}
  ingress:
    - fromEndpoints: [{matchLabels: {tier: frontend}}]
      toPorts: [{ports: [{port: "${8000 + i}", protocol: TCP}]}]
  egress:
    - toCIDRSet: [{cidr: 10.${i}.0.0/16}]
`).join('');
    writeFileSync(join(demo.dir, 'many.yaml'), many);
    const big = await startTestServer({ files: [...demo.files, join(demo.dir, 'many.yaml')], root: demo.dir });
    const p = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await p.goto(big.url);
      await p.locator('.editor-pane .tab', { hasText: 'many.yaml' }).click();
      await p.locator('.problems-head').waitFor();
      await p.evaluate(() => { window.__polis = { keystrokes: [] }; });
      await p.locator('.cm-line', { hasText: 'team: t0' }).first().click();
      await p.keyboard.press('End');
      for (let i = 0; i < 9; i++) {
        await p.keyboard.type(i % 2 ? 'x' : 'y');
        await p.waitForFunction((n) => (window.__polis?.keystrokes.length ?? 0) > n, i);
      }
      report('200 policies', await p.evaluate(() => window.__polis!.keystrokes));
      await p.screenshot({ path: join(SHOTS, '14-200-policies.png') });
    } finally {
      await p.close();
      await big.close();
    }
  });
});
