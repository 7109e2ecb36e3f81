// The command line, run for real: `node pkg/bin/yunxiao-jobs.cjs ...` in a child process
// (after `make build`, which copies js/package/cli.cjs there) against the bundled emulator.
// Every child gets a scrubbed environment and an empty temporary HOME, so the machine's own
// credentials and ~/.aliyun never take part.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../emulator/server.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'pkg/bin/yunxiao-jobs.cjs');
const SOURCE = path.join(ROOT, 'js/package/cli.cjs');

const ORG = '5ebbc0228123212b59a1b2c3';
const PIPELINE = '1234567';
const AK_ID = 'LTAI5tEmuDemoKey0001';
const AK_SECRET = 'EmuDemoSecret0001-not-a-real-secret';
const STS_ID = 'STS.EmuStsKey0002';
const STS_SECRET = 'EmuStsSecret0002-not-real';
const STS_TOKEN = 'EmuStsToken0002-not-a-real-token';
const TOKEN = 'pt-EmuDemoToken0001-not-a-real-token';
const OUTSIDER_TOKEN = 'pt-EmuOutsiderToken0005';
const WRONG_SECRET = 'Wrong-Secret-0000-never-printed';
const WRONG_TOKEN = 'pt-Wrong-Token-never-printed';
const BASE64_STS_TOKEN = 'CAIS/Emu+Token=0003abcd'; // as real ones are: '/', '+' and '=' change when encoded
// As long as real STS tokens get: a regular expression of one whole overflowed V8's stack.
const LONG_STS_TOKEN = `CAIS${'Emu+Long/Token='.repeat(250)}`;
const SECRETS = [AK_SECRET, STS_SECRET, STS_TOKEN, TOKEN, OUTSIDER_TOKEN, WRONG_SECRET, WRONG_TOKEN, BASE64_STS_TOKEN, LONG_STS_TOKEN];
const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

const SCRUBBED = [
  'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN',
  'YUNXIAO_ACCESS_TOKEN', 'ALIBABA_CLOUD_PROFILE', 'ALIBABA_CLOUD_IGNORE_PROFILE',
];

let emu;
let emptyHome;
const tempDirs = [];
const runs = []; // every child's output, checked for secrets and stack traces at the end

before(async () => {
  assert.ok(fs.existsSync(BIN), `${BIN} is missing: run \`make build\` first`);
  assert.equal(fs.readFileSync(BIN, 'utf8'), fs.readFileSync(SOURCE, 'utf8'), 'pkg/bin is older than js/package/cli.cjs: run `make build`');
  emu = await startEmulator({ port: 0 });
  emptyHome = tempDir();
});

after(async () => {
  await emu?.close();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yunxiao-cli-'));
  tempDirs.push(dir);
  return dir;
}

/** A child's environment: this one's without any credential (SCRUBBED), an empty HOME, then `overrides`. */
function childEnvWith(overrides = {}) {
  const env = { ...process.env };
  for (const name of SCRUBBED) delete env[name];
  return Object.assign(env, { HOME: emptyHome }, overrides);
}

/** The installed command as a shell command line (for script(1)). */
const shellCommand = (args) => [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');

/** Runs the installed command: { code, signal, stdout, stderr, ms }. */
function run(args, { env = {}, input, home = emptyHome, killAfterMs } = {}) {
  const childEnv = childEnvWith({ HOME: home, ...env });
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  child.stdin.on('error', () => {}); // the command may exit before reading its stdin
  if (input !== undefined) child.stdin.write(input);
  child.stdin.end();
  if (killAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), killAfterMs);
  const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { args, code, signal, stdout, stderr, ms: Date.now() - started };
      runs.push(result);
      resolve(result);
    });
  });
}

// The key in the environment, where a command line would show it (a shell's report of a killed command).
const AK_ENV = { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET };
const akFlags = (endpoint = emu.url, secret = AK_SECRET) => ['--endpoint', endpoint, '--access-key-id', AK_ID, '--access-key-secret', secret];

async function control(pathname, body) {
  const response = await fetch(`${emu.url}/_emulator/${pathname}`, body === undefined ? {} : {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.ok(response.ok, `emulator control ${pathname}: HTTP ${response.status}`);
  return response.json();
}

/** Registers a scenario and returns the endpoint that selects it (its requests are logged under its id). */
async function scenario(id, steps, extra = {}) {
  await control('scenarios', { id, steps, ...extra });
  return `${emu.url}/_s/${id}`;
}

const requestsOf = (id) => control(`requests?scenario=${encodeURIComponent(id)}`);

/** Asserts the exit code, with the outputs in the message when it differs. */
function assertExit(result, code) {
  assert.equal(result.code, code, `exit ${result.code} (expected ${code}) for ${result.args.join(' ')}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
}

/** An error run: the expected code, nothing on stdout, exactly one line on stderr. */
function assertErrorLine(result, code, ...needles) {
  assertExit(result, code);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^yunxiao-jobs: [^\n]+\n$/, `not one line: ${JSON.stringify(result.stderr)}`);
  for (const needle of needles) {
    if (needle instanceof RegExp) assert.match(result.stderr, needle);
    else assert.ok(result.stderr.includes(needle), `stderr lacks ${JSON.stringify(needle)}: ${result.stderr}`);
  }
  return result.stderr;
}

// An independent width rule for the test data (not the command's table): an emoji cluster
// takes 2 columns; otherwise each code point counts, as in wcwidth: wide CJK and fullwidth
// forms 2, combining and format characters 0 (the soft hyphen 1), others 1.
function testWidth(text) {
  let width = 0;
  for (const { segment } of new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)) {
    if (/\p{Emoji_Presentation}|\uFE0F/u.test(segment)) {
      width += 2;
      continue;
    }
    for (const ch of segment) {
      const cp = ch.codePointAt(0);
      if (ch !== '\u00ad' && /[\p{Mn}\p{Me}\p{Cf}]/u.test(ch)) width += 0;
      else if ((cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xff01 && cp <= 0xff60) || (cp >= 0x20000 && cp <= 0x3fffd)) width += 2;
      else width += 1;
    }
  }
  return width;
}

/** The table part of the output (up to the blank line), as rows of [displayColumn, cellText]. */
function tableCells(stdout) {
  const lines = stdout.split('\n');
  const table = lines.slice(0, lines.indexOf(''));
  return table.map((line) => {
    const cells = [];
    const re = /\S+(?: \S+)*/g; // cells are separated by two or more spaces
    let match;
    while ((match = re.exec(line))) cells.push([testWidth(line.slice(0, match.index)), match[0]]);
    return cells;
  });
}

function assertAligned(stdout, columns = 4) {
  const rows = tableCells(stdout);
  const starts = rows[0].map(([column]) => column);
  assert.deepEqual(rows[0].map(([, text]) => text), ['JOB NAME', 'IDENTIFIER', 'LAST JOB ID', 'PARAMETERS']);
  for (const row of rows) {
    assert.equal(row.length, columns, `row ${JSON.stringify(row)}`);
    assert.deepEqual(row.map(([column]) => column), starts, `misaligned row ${JSON.stringify(row)}`);
  }
  return rows;
}

const SEED_JOBS = [
  { jobName: '构建镜像', identifier: 'build_image_01', lastJobId: 1001, lastJobParams: { branch: 'master' }, lastJobParamsRaw: '{"branch":"master"}' },
  { jobName: '部署到测试环境', identifier: 'deploy_test_02', lastJobId: 1002 },
  { jobName: '部署到生产环境', identifier: 'deploy_prod_03', lastJobId: 9007199254740991, lastJobParams: { branch: 'master', env: 'prod' } },
  { jobName: '回滚', identifier: 'rollback_04', lastJobId: null, lastJobParams: {}, lastJobParamsRaw: '' },
];

/** A classic-API success envelope with these jobs, sent as-is by a `respond` step. */
const envelope = (jobs) => ({
  action: 'respond',
  status: 200,
  headers: { 'x-acs-request-id': 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE' },
  json: { requestId: 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE', success: true, errorCode: '', errorMessage: '', jobs },
});

describe('help and version', () => {
  test('--help documents the command, the credentials and every exit code', async () => {
    const result = await run(['--help']);
    assertExit(result, 0);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /yunxiao-jobs list <organizationId> <pipelineId>/);
    assert.match(result.stdout, /~?\.aliyun\/config\.json/);
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7, 130]) assert.match(result.stdout, new RegExp(`^  ${code} +\\S`, 'm'), `exit code ${code}`);
    for (const cls of ['AuthenticationError', 'ForbiddenError', 'NotFoundError', 'ThrottlingError', 'ServerError', 'NetworkError', 'TimeoutError', 'InvalidResponseError']) {
      assert.ok(result.stdout.includes(cls), cls);
    }
  });

  test('list --help (and help list) lists every option', async () => {
    const result = await run(['list', '--help']);
    assertExit(result, 0);
    for (const option of ['--category', '--endpoint', '--edition', '--json', '--timeout', '--retries', '--profile', '--token', '--access-key-id', '--access-key-secret', '--security-token', '--help']) {
      assert.ok(result.stdout.includes(option), option);
    }
    assert.match(result.stdout, /^  7 +InvalidResponseError/m);
    assert.equal((await run(['help', 'list'])).stdout, result.stdout);
    const helpHelp = await run(['help', '--help']);
    assertExit(helpHelp, 0);
    assert.equal(helpHelp.stdout, (await run(['--help'])).stdout);
    assert.equal((await run(['list', ORG, PIPELINE, '--json', '-h'])).stdout, result.stdout);
    assert.equal((await run(['list', '--bogus', '--help'])).stdout, result.stdout, '--help wins over other arguments');
  });

  test('--version prints the package version', async () => {
    const result = await run(['--version']);
    assertExit(result, 0);
    assert.equal(result.stdout, `${JSON.parse(fs.readFileSync(path.join(ROOT, 'pkg/package.json'), 'utf8')).version}\n`);
  });

  test('stdout that cannot be written (a full disk): one line on stderr, no stack trace', { skip: !fs.existsSync('/dev/full') && 'needs /dev/full' }, () => {
    const full = fs.openSync('/dev/full', 'w');
    try {
      const result = spawnSync(process.execPath, [BIN, '--version'], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 10_000 });
      assert.equal(result.status, 1);
      assert.equal(result.stderr, 'yunxiao-jobs: cannot write the output (ENOSPC)\n');
    } finally {
      fs.closeSync(full);
    }
  });

  test('no arguments: the help on stderr, exit 2', async () => {
    const result = await run([]);
    assertExit(result, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /Usage:/);
  });
});

describe('table output', () => {
  test('seed pipeline: Chinese names aligned by display width, request id under the table', async () => {
    const result = await run(['list', ORG, PIPELINE, ...akFlags()]);
    assertExit(result, 0);
    assert.equal(result.stderr, '', 'nothing on stderr when piped (no spinner)');
    const rows = assertAligned(result.stdout);
    assert.deepEqual(rows.slice(1).map((row) => row.map(([, text]) => text)), [
      ['构建镜像', 'build_image_01', '1001', 'branch=master'],
      ['部署到测试环境', 'deploy_test_02', '1002', 'branch=master, env=test'],
      ['部署到生产环境', 'deploy_prod_03', '9007199254740991', 'branch=master, env=prod'],
      ['回滚', 'rollback_04', '-', '-'],
    ]);
    // The identifier column starts 2 columns after the widest name (部署到测试环境: 14 columns).
    assert.equal(rows[0][1][0], 16);
    const tail = result.stdout.split('\n').slice(-2);
    assert.match(tail[0], /^4 jobs\. Request ID: [0-9A-F-]{36}$/);
    assert.match(tail[0].split(': ')[1], REQUEST_ID);
    assert.equal(tail[1], '');
    assert.ok(!/ \n/.test(result.stdout), 'no trailing spaces');
  });

  test('a secret the server echoes in job data is redacted in the table and in --json', async () => {
    const endpoint = await scenario('echo-in-data', [envelope([
      { jobName: `job ${TOKEN}`, identifier: `id_${TOKEN}`, lastJobId: 1, lastJobParams: JSON.stringify({ t: TOKEN }) },
    ])], { after: 'repeat-last' });
    for (const extra of [[], ['--json']]) {
      const result = await run(['list', ORG, PIPELINE, '--endpoint', endpoint, '--token', TOKEN, '--edition', 'region', ...extra]);
      assertExit(result, 0);
      assert.ok(!result.stdout.includes(TOKEN), result.stdout);
      assert.match(result.stdout, /\[REDACTED\]/);
      // The columns are as wide as what is shown, not as the secret was.
      if (extra.length === 0) assertAligned(result.stdout);
    }
  });

  test('a secret the server echoes with JSON escapes (in lastJobParams, so escaped twice) is not printed, in either form', async () => {
    const hex = (secret) => `\\u${secret.charCodeAt(0).toString(16).padStart(4, '0')}${secret.slice(1)}`;
    const cases = [
      // `\u0070t-Emu…` in the params text: parsed, the token.
      ['token', `{"t":"${hex(TOKEN)}"}`, ['--token', TOKEN, '--edition', 'region'], (p) => JSON.parse(p).t === TOKEN],
      // `\\u000` + `\u0045mu…`: parsed, `\u000Emu…`, whose next reading (`\u000E`) would spoil
      // the secret; it is there at the level before.
      ['AccessKey secret', `{"t":"\\\\u000${hex(AK_SECRET)}"}`, akFlags('').slice(2), (p) => JSON.parse(p).t.includes(AK_SECRET)],
    ];
    for (const [label, lastJobParams, credentials, spells] of cases) {
      assert.ok(spells(lastJobParams), `${label}: the test data must spell the secret once parsed`);
      const endpoint = await scenario(`escaped-echo-${label.length}`, [envelope([{ jobName: 'j', identifier: 'id_1', lastJobId: 1, lastJobParams }])], { after: 'repeat-last' });
      for (const extra of [[], ['--json']]) {
        const result = await run(['list', ORG, PIPELINE, '--endpoint', endpoint, ...credentials, ...extra]);
        assertErrorLine(result, 7, 'the answer holds a credential written with JSON escapes');
      }
    }
    // Escapes nested past 16 levels (`\u005c` spells a backslash: 5 bytes a level) are refused
    // as such: each level is one more pass over the text.
    let deep = hex(AK_SECRET);
    for (let level = 1; level < 18; level++) deep = `\\u005c${deep.slice(1)}`;
    const deepEndpoint = await scenario('escaped-echo-deep', [envelope([{ jobName: deep, identifier: 'id_1', lastJobId: 1, lastJobParams: '' }])], { after: 'repeat-last' });
    assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', deepEndpoint, ...akFlags('').slice(2), '--json']), 7, 'JSON escapes');
    // In an error answer's text, the package's own redaction reads such escapes.
    const failing = await scenario('escaped-echo-error', [{ action: 'respond', status: 400, json: { Code: 'InvalidParam.ParamNotPresent', Message: `you sent ${hex(AK_SECRET)}`, RequestId: hex(AK_SECRET) } }], { after: 'repeat-last' });
    const error = await run(['list', ORG, PIPELINE, '--endpoint', failing, ...akFlags('').slice(2)]);
    assertErrorLine(error, 2, 'BadRequestError InvalidParam.ParamNotPresent: you sent [REDACTED] (HTTP 400, request id [REDACTED])');
    assert.ok(!error.stderr.includes(AK_SECRET.slice(1)), error.stderr);
    // Escaped twice (`\u005c` spells the backslash of `\u0045…`), past what it reads: the
    // message, code and request id are not shown.
    const nested = `\\u005c${hex(AK_SECRET).slice(1)}`;
    const failingTwice = await scenario('escaped-echo-error-nested', [{ action: 'respond', status: 400, json: { Code: 'InvalidParam.ParamNotPresent', Message: `you sent ${nested}`, RequestId: nested } }], { after: 'repeat-last' });
    const errorTwice = await run(['list', ORG, PIPELINE, '--endpoint', failingTwice, ...akFlags('').slice(2)]);
    assertErrorLine(errorTwice, 2, 'BadRequestError (HTTP 400): the answer held a credential written with JSON escapes');
    assert.ok(!errorTwice.stderr.includes(AK_SECRET.slice(1)), errorTwice.stderr);
  });

  test('a secret the server echoes percent-encoded (either hex case, once or twice, `/` encoded or not) or with `/` JSON-escaped is redacted too', async () => {
    const token = BASE64_STS_TOKEN;
    const upper = encodeURIComponent(token);
    const lower = upper.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
    // And with `/` left as it is (Python's `quote`), either hex case.
    const forms = [upper, lower, encodeURIComponent(upper), encodeURIComponent(lower), upper.replaceAll('%2F', '/'), lower.replaceAll('%2f', '/')];
    assert.ok(forms.at(-1).includes('/'), 'the test token must hold a /');
    const endpoint = await scenario('percent-echo', [envelope([
      // JSON text with `/` written `\/`: kept as sent in lastJobParamsRaw, which --json escapes once more.
      { jobName: `name ${forms.join(' ')}`, identifier: 'id_1', lastJobId: 1, lastJobParams: `{"callback":"https://x/?t=${upper}","escaped":"${token.replaceAll('/', '\\/')}"}` },
    ])], { after: 'repeat-last' });
    const credentials = ['--endpoint', endpoint, '--access-key-id', 'STS.EmuStsKey0003', '--access-key-secret', '-', '--security-token', '-'];
    for (const extra of [[], ['--json']]) {
      const result = await run(['list', ORG, PIPELINE, ...credentials, ...extra], { input: `${STS_SECRET}\n${token}\n` });
      assertExit(result, 0);
      for (const [i, form] of [token, ...forms].entries()) assert.ok(!result.stdout.includes(form), `form ${i}: ${result.stdout}`);
      // In any form: the token's last part, as it is or percent-encoded.
      assert.ok(!/Emu(\+|%2B|%252B)Token/i.test(result.stdout), result.stdout);
      assert.match(result.stdout, /name \[REDACTED\] \[REDACTED\] \[REDACTED\] \[REDACTED\]/);
    }
  });

  test('a secret the server echoes re-cased, with every byte percent-encoded, or overlapping another is redacted whole', async () => {
    // The STS token ends with the character the AccessKey secret starts with: sent as one, both go.
    const secret = 'QstsSecret-overlap-01';
    const token = 'CAIS/Overlap+Token=Q';
    const overEscaped = (text) => [...Buffer.from(text)].map((b, i) => `%${b.toString(16).padStart(2, '0')[i % 2 ? 'toUpperCase' : 'toLowerCase']()}`).join('');
    const forms = [secret, token].flatMap((s) => [s.toUpperCase(), s.toLowerCase(), overEscaped(s), encodeURIComponent(overEscaped(s))]);
    forms.push(`${token}${secret.slice(1)}`);
    const endpoint = await scenario('mixed-echo', [envelope([{ jobName: `name ${forms.join(' ')}`, identifier: 'id_1', lastJobId: 1, lastJobParams: '' }])], { after: 'repeat-last' });
    const credentials = ['--endpoint', endpoint, '--access-key-id', 'STS.EmuStsKey0003', '--access-key-secret', '-', '--security-token', '-'];
    for (const extra of [[], ['--json']]) {
      const result = await run(['list', ORG, PIPELINE, ...credentials, ...extra], { input: `${secret}\n${token}\n` });
      assertExit(result, 0);
      assert.ok(result.stdout.includes(`name ${forms.map(() => '[REDACTED]').join(' ')}`), result.stdout);
    }
  });

  test("the request's signature, echoed by the server in job data (re-cased too), is not printed", async () => {
    const { createServer } = await import('node:http');
    const sent = [];
    const server = createServer((request, response) => {
      const signature = /Signature=([0-9a-f]+)$/.exec(request.headers.authorization ?? '')?.[1] ?? 'none';
      sent.push(signature);
      // And as the last hex digit of a `\u001X` escape (U+0010 + its first digit) and the rest.
      const control = String.fromCharCode(0x10 + parseInt(signature[0], 16)) + signature.slice(1);
      const jobs = [{ jobName: `signed ${signature.toUpperCase()} ${control}`, identifier: 'id_1', lastJobId: 1, lastJobParams: JSON.stringify({ s: signature }) }];
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ requestId: 'R-1', success: true, jobs }));
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      for (const extra of [[], ['--json']]) {
        const result = await run(['list', ORG, PIPELINE, '--endpoint', `http://127.0.0.1:${server.address().port}`, ...akFlags('').slice(2), ...extra]);
        assertExit(result, 0);
        assert.match(sent.at(-1), /^[0-9a-f]{64}$/);
        assert.ok(!result.stdout.toLowerCase().includes(sent.at(-1)), result.stdout);
        assert.match(result.stdout, /signed \[REDACTED\]/);
        if (extra.length > 0) assert.match(JSON.parse(result.stdout).jobs[0].jobName, /^signed \[REDACTED\] \[REDACTED\]$/);
      }
    } finally {
      server.close();
    }
  });

  test('a secret echoed JSON-escaped in parameters as text (a form --json would escape once more): not printed, exit 7', async () => {
    const quoted = 'Emu"Quote\\Secret-0002';
    const cases = [
      // Parameters text holding `CAIS\\/Emu…`: once parsed, `CAIS\/Emu…`, the token with its `/` JSON-escaped.
      ['token, / escaped', `{"t":"${BASE64_STS_TOKEN.replace('/', '\\\\/')}"}`, ['--access-key-id', 'STS.EmuStsKey0003', '--access-key-secret', STS_SECRET, '--security-token', BASE64_STS_TOKEN]],
      // A secret with a quote and a backslash, JSON-escaped in the parameters text as any writer does.
      ['secret with a quote', JSON.stringify({ t: quoted }), ['--access-key-id', AK_ID, '--access-key-secret', quoted]],
      // Re-cased, its first letter written `\u0045`.
      ['secret upper-cased', `{"t":"\\u0045${AK_SECRET.slice(1).toUpperCase()}"}`, akFlags('').slice(2)],
    ];
    for (const [label, lastJobParams, credentials] of cases) {
      const endpoint = await scenario(`escaped-params-${label.length}`, [envelope([{ jobName: 'j', identifier: 'id_1', lastJobId: 1, lastJobParams }])], { after: 'repeat-last' });
      for (const extra of [[], ['--json']]) {
        const result = await run(['list', ORG, PIPELINE, '--endpoint', endpoint, ...credentials, ...extra]);
        assertErrorLine(result, 7, 'the answer holds a credential written with JSON escapes');
      }
    }
  });

  test('a secret with a quote or a backslash, echoed by the server, is redacted in --json too (where it gains a backslash)', async () => {
    const secret = 'Emu"Quote\\Secret-0001';
    const endpoint = await scenario('quoted-echo', [envelope([{ jobName: `you sent ${secret}`, identifier: 'id_1', lastJobId: 1, lastJobParams: '' }])], { after: 'repeat-last' });
    const result = await run(['list', ORG, PIPELINE, '--endpoint', endpoint, ...akFlags('', secret).slice(2), '--json']);
    assertExit(result, 0);
    assert.equal(JSON.parse(result.stdout).jobs[0].jobName, 'you sent [REDACTED]');
  });

  // --json escapes U+2028, C1 and bidi controls that JSON.stringify leaves: a secret holding one
  // was printed in that spelling, which no redaction form matched.
  test('a secret holding a line separator, a C1 or a bidi control, echoed by the server, is redacted in --json too', async () => {
    for (const [i, secret] of ['Emu\u2028Sep-Secret-0001', 'Emu\u0085Nel-Secret-0001', 'Emu\u202eBidi-Secret-0001', 'Emu\u007fDel-Secret-0001'].entries()) {
      const job = { jobName: `you sent ${secret}`, identifier: 'id_1', lastJobId: 1, lastJobParams: JSON.stringify({ p: secret }) };
      const endpoint = await scenario(`separator-echo-${i}`, [envelope([job])], { after: 'repeat-last' });
      const result = await run(['list', ORG, PIPELINE, '--endpoint', endpoint, ...akFlags('', secret).slice(2), '--json']);
      assertExit(result, 0);
      const printed = JSON.parse(result.stdout).jobs[0];
      assert.equal(printed.jobName, 'you sent [REDACTED]', JSON.stringify(secret));
      assert.equal(printed.lastJobParamsRaw, '{"p":"[REDACTED]"}', JSON.stringify(secret));
      assert.ok(!JSON.stringify(JSON.parse(result.stdout)).includes(secret));
    }
  });

  test('NODE_DEBUG=http prints request headers on stderr (Node 20): the token in them is redacted', async () => {
    // Node 22 and later print no request headers there: only the absence is checked then.
    const printsHeaders = Number(process.versions.node.split('.')[0]) < 22;
    const result = await run(['list', ORG, PIPELINE, '--endpoint', emu.url, '--token', TOKEN], { env: { NODE_DEBUG: 'http' } });
    assertExit(result, 0);
    // Without colours (FORCE_COLOR, as CI sets it, colours Node's debug output).
    assert.match(result.stderr.replace(/\x1b\[[0-9;]*m/g, ''), /^HTTP \d+: /m, 'the debug output is there');
    if (printsHeaders) assert.match(result.stderr, /x-yunxiao-token/i, 'with the headers');
    assert.ok(!result.stderr.includes(TOKEN), 'the token is not');
    // Nor the signature of an AccessKey request, V3 (the CLI's only form).
    const signed = await run(['list', ORG, PIPELINE, ...akFlags()], { env: { NODE_DEBUG: 'http' } });
    assertExit(signed, 0);
    // Without colours (FORCE_COLOR, as CI sets it, colours Node's debug output).
    const plain = signed.stderr.replace(/\x1b\[[0-9;]*m/g, '');
    if (printsHeaders) assert.match(plain, /authorization: 'ACS3-HMAC-SHA256 Credential=[^']*,Signature=\[REDACTED\]'/);
    assert.ok(!/Signature=[0-9a-f]/.test(plain), 'no signature digits');
  });

  test('--timeout takes the largest value its message names', async () => {
    assertExit(await run(['list', ORG, PIPELINE, ...akFlags(), '--timeout', String(Number.MAX_SAFE_INTEGER)]), 0);
    assertErrorLine(await run(['list', ORG, PIPELINE, ...akFlags(), '--timeout', '9007199254740992']), 2, '--timeout must be an integer from 1 to 9007199254740991');
  });

  test('wide, fullwidth, combining, zero-width, ZWJ emoji, control and invisible characters, backslashes: exact layout', async () => {
    const endpoint = await scenario('table-unicode', [envelope([
      { jobName: '构建', identifier: 'cjk', lastJobId: 1, lastJobParams: '' },
      { jobName: 'Ｗｉｄｅ', identifier: 'fullwidth', lastJobId: 22, lastJobParams: '{"k":"值"}' },
      { jobName: 'cafe\u0301', identifier: 'combining', lastJobId: 333, lastJobParams: 'not json' },
      { jobName: '👩‍💻 dev', identifier: 'zwj', lastJobId: 4, lastJobParams: '{"n":1,"o":{"a":[true]}}' },
      { jobName: '❤️ ok', identifier: 'vs16', lastJobId: 5, lastJobParams: '{}' },
      { jobName: 'zero\u200bwidth', identifier: 'zwsp', lastJobId: 6 },
      { jobName: '\u001b[31mred\u001b[0m', identifier: 'esc\nnewline', lastJobId: 7 },
      { jobName: 'a\u202eb', identifier: 'bidi', lastJobId: 8 },
      // Spacing vowels join the cluster before them but take a column of their own.
      { jobName: 'กำลัง', identifier: 'thai', lastJobId: 9 },
      { jobName: 'कि', identifier: 'devanagari', lastJobId: 10 },
      { jobName: 'co\u00adop', identifier: 'soft-hyphen', lastJobId: 11 },
      // Invisible characters that would make a name pass for another are shown as escapes;
      // a backslash the server sent is doubled, so it cannot pass for one of those escapes.
      { jobName: 'deploy\u{e0072}', identifier: 'tag', lastJobId: 12 },
      { jobName: 'x\u3164y\ufeff', identifier: 'filler-bom', lastJobId: 13 },
      { jobName: 'a\u200db', identifier: 'zwj-ascii', lastJobId: 14 },
      { jobName: 'lit\\n', identifier: 'backslash', lastJobId: 15, lastJobParams: '{"o":{"q":"say \\"hi\\"\\\\"},"s":"a\\\\b"}' },
    ])], { after: 'repeat-last' });
    const result = await run(['list', ORG, PIPELINE, ...akFlags(endpoint)]);
    assertExit(result, 0);
    assert.equal(result.stderr, '');
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u202e]/.test(result.stdout), 'control and bidi characters are escaped');
    // [text as printed, its display width]; the first column is 18 wide ("\x1b[31mred\x1b[0m").
    const rows = [
      [['JOB NAME', 8], ['IDENTIFIER', 10], ['LAST JOB ID', 11], 'PARAMETERS'],
      [['构建', 4], ['cjk', 3], ['1', 1], '-'],
      [['Ｗｉｄｅ', 8], ['fullwidth', 9], ['22', 2], 'k=值'],
      [['cafe\u0301', 4], ['combining', 9], ['333', 3], 'not json'],
      [['👩‍💻 dev', 6], ['zwj', 3], ['4', 1], 'n=1, o={"a":[true]}'],
      [['❤️ ok', 5], ['vs16', 4], ['5', 1], '-'],
      [['zero\\u200bwidth', 15], ['zwsp', 4], ['6', 1], '-'],
      [['\\x1b[31mred\\x1b[0m', 18], ['esc\\nnewline', 12], ['7', 1], '-'],
      [['a\\u202eb', 8], ['bidi', 4], ['8', 1], '-'],
      [['กำลัง', 4], ['thai', 4], ['9', 1], '-'],
      [['कि', 2], ['devanagari', 10], ['10', 2], '-'],
      [['co\u00adop', 5], ['soft-hyphen', 11], ['11', 2], '-'],
      [['deploy\\u{e0072}', 15], ['tag', 3], ['12', 2], '-'],
      [['x\\u3164y\\ufeff', 14], ['filler-bom', 10], ['13', 2], '-'],
      [['a\\u200db', 8], ['zwj-ascii', 9], ['14', 2], '-'],
      // A value the table writes as JSON keeps JSON's escapes as they are; a string as sent
      // has its backslash doubled.
      [['lit\\\\n', 6], ['backslash', 9], ['15', 2], 'o={"q":"say \\"hi\\"\\\\"}, s=a\\\\b'],
    ];
    const widths = [18, 12, 11];
    const expected = rows.map((cells) =>
      cells.map((cell, col) => (col === 3 ? cell : cell[0] + ' '.repeat(widths[col] - cell[1] + 2))).join(''));
    assert.equal(result.stdout, `${expected.join('\n')}\n\n15 jobs. Request ID: AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE\n`);
    assertAligned(result.stdout);
  });

  test('very wide cells: laid out in time linear in their width, columns padded to at most 80', async () => {
    // Intl.Segmenter over a whole cell took time growing with the square of its length (this
    // name took minutes, past the run's 20 s limit), as did / +$/ over a padded line; and each
    // row padded to the widest cell made output growing with rows × width.
    const longName = '中'.repeat(200000);
    const endpoint = await scenario('table-long-cell', [envelope([
      { jobName: longName, identifier: 'long', lastJobId: 1, lastJobParams: '' },
      { jobName: 'short', identifier: 'short', lastJobId: 2, lastJobParams: '' },
    ])], { after: 'repeat-last' });
    const result = await run(['list', ORG, PIPELINE, ...akFlags(endpoint)]);
    assertExit(result, 0);
    const pad = (text, width) => text + ' '.repeat(Math.max(0, width - text.length));
    const line = (name, nameWidth, identifier, id, params) =>
      `${name}${' '.repeat(Math.max(0, 80 - nameWidth))}  ${pad(identifier, 10)}  ${pad(id, 11)}  ${params}`;
    assert.ok(
      result.stdout ===
        `${line('JOB NAME', 8, 'IDENTIFIER', 'LAST JOB ID', 'PARAMETERS')}\n${line(longName, 400000, 'long', '1', '-')}\n${line('short', 5, 'short', '2', '-')}\n\n` +
          '2 jobs. Request ID: AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE\n',
      `the table (its first 300 characters: ${JSON.stringify(result.stdout.slice(0, 300))})`, // not the 1 MB output
    );
  });

  test('a cell holding one very long cluster, then much more text: measured in time linear in its length', async () => {
    // A slice grown to hold the long cluster stayed that long for the rest: 400,000 more
    // characters were then segmented in slices of 262,144, minutes past the 20 s limit.
    const name = `x${'\u0301'.repeat(200000)}${'a'.repeat(400000)}`;
    const endpoint = await scenario('table-long-cluster', [envelope([{ jobName: name, identifier: 'id_1', lastJobId: 1, lastJobParams: '' }])], { after: 'repeat-last' });
    const result = await run(['list', ORG, PIPELINE, ...akFlags(endpoint)]);
    assertExit(result, 0);
    assert.ok(result.stdout.split('\n')[1] === `${name}  id_1        1            -`, 'the row, unpadded (wider than 80 columns)');
  });

  test('an empty pipeline: a message and the request id, exit 0', async () => {
    const result = await run(['list', ORG, '2345678', ...akFlags()]);
    assertExit(result, 0);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^No jobs in pipeline 2345678 \(category DEPLOY\)\.\nRequest ID: [0-9A-F-]{36}\n$/);
  });
});

describe('printable text', () => {
  const { printable } = createRequire(import.meta.url)(SOURCE);

  test('characters that hide or pass for others are escaped; joiners and variation selectors only where they can only hide', () => {
    const cases = [
      ['deploy\u200b', 'deploy\\u200b'], // zero-width space
      ['deploy\u034f', 'deploy\\u034f'], // combining grapheme joiner
      ['deploy\u2065', 'deploy\\u2065'], // default-ignorable, unassigned
      ['x\u2800y', 'x\\u2800y'], // braille blank
      ['a\u17b4b', 'a\\u17b4b'], // Khmer inherent vowel
      ['deploy\u{e0072}', 'deploy\\u{e0072}'], // a tag character
      ['deploy\ufe0f', 'deploy\\ufe0f'], // a variation selector that changes nothing seen
      ['\ufe0fa', '\\ufe0fa'],
      ['1\ufe0f', '1\\ufe0f'],
      ['a\u200db', 'a\\u200db'], // a joiner beside ASCII
      ['1\ufe0f\u20e3 #\ufe0f\u20e3', '1\ufe0f\u20e3 #\ufe0f\u20e3'], // keycaps
      ['❤\ufe0f ok', '❤\ufe0f ok'], // emoji presentation
      ['👩\u200d💻', '👩\u200d💻'], // a ZWJ sequence
      ['ب\u200cه', 'ب\u200cه'], // ZWNJ in Persian
      ['中\ufe00文', '中\ufe00文'], // a CJK compatibility variant
      ['co\u00adop', 'co\u00adop'], // the soft hyphen
      ['a\\nb', 'a\\nb'], // backslashes are the table's to double, not printable's
    ];
    for (const [text, expected] of cases) assert.equal(printable(text), expected, JSON.stringify(text));
  });
});

describe('display width', () => {
  const { displayWidth } = createRequire(import.meta.url)(SOURCE);

  test('long text is measured a slice at a time, with clusters cut by a slice measured whole', () => {
    // Clusters whose width is known; any two side by side stay two clusters. Regional
    // indicators (a flag) and ZWJ sequences count wrong if cut (each part is 2 columns); one
    // cluster is longer than a slice.
    const clusters = [
      ['a', 1], ['中', 2], ['e\u0301', 1], ['👩\u200d💻', 2], ['🇯🇵', 2], ['❤\ufe0f', 2], ['ก\u0e33', 2],
      ['\u1100\u1161', 2], ['𠀀', 2], ['e' + '\u0301'.repeat(600), 1], ['👍🏽', 2], ['x\u200b', 1],
    ];
    let seed = 42;
    const random = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    for (let round = 0; round < 40; round++) {
      let text = '';
      let width = 0;
      const count = 200 + random(3000);
      for (let i = 0; i < count; i++) {
        const [cluster, columns] = clusters[random(clusters.length)];
        if (cluster.length > 100 && random(10) !== 0) continue; // rarely: most slices end in short ones
        text += cluster;
        width += columns;
      }
      assert.equal(displayWidth(text), width, `round ${round}: ${text.length} code units`);
    }
    // Lone surrogates (the package passes them on) around a slice's end: the same width as the
    // text's clusters measured one by one (each whole, within one slice).
    const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
    const clusterByCluster = (text) => [...segmenter.segment(text)].reduce((sum, { segment }) => sum + displayWidth(segment), 0);
    for (let at = 250; at <= 258; at++) {
      for (const tail of ['\ud83d\u{1F3FD}', '\ud83d\ud83d\u{1F3FD}', '\udc00\u{1F1EF}\u{1F1F5}', '\ud83d\u0301', '\u{1F1EF}\ud83d\u{1F1F5}']) {
        const text = 'a'.repeat(at) + tail + 'b';
        assert.equal(displayWidth(text), clusterByCluster(text), JSON.stringify(text.slice(at)));
      }
    }
    // Printable ASCII is one column a character; anything else is segmented.
    assert.equal(displayWidth('x'.repeat(100000)), 100000);
    assert.equal(displayWidth(`${'x'.repeat(1000)}🇯🇵`), 1002);
  });
});

describe('JSON output', () => {
  test('--json prints the normalized result', async () => {
    const result = await run(['list', ORG, PIPELINE, '--json', ...akFlags()]);
    assertExit(result, 0);
    assert.equal(result.stderr, '');
    const parsed = JSON.parse(result.stdout);
    assert.equal(result.stdout, `${JSON.stringify(parsed, null, 2)}\n`);
    assert.deepEqual(Object.keys(parsed), ['requestId', 'jobs']);
    assert.match(parsed.requestId, REQUEST_ID);
    assert.equal(parsed.jobs.length, 4);
    SEED_JOBS.forEach((expected, i) => {
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(parsed.jobs[i][key], value, `jobs[${i}].${key}`);
    });
    assert.ok(result.stdout.includes('"lastJobId": 9007199254740991'), 'the id is exact');
  });

  test('--json escapes C1 controls, bidi overrides and line separators: the same data, nothing for the terminal to act on', async () => {
    const name = 'a\u009b31mred\u202eb\u2028c\u007f';
    const endpoint = await scenario('json-unsafe', [envelope([{ jobName: name, identifier: 'unsafe_\u200f', lastJobId: 1, lastJobParams: '{"k":"\u0085"}' }])], { after: 'repeat-last' });
    const result = await run(['list', ORG, PIPELINE, '--json', ...akFlags(endpoint)]);
    assertExit(result, 0);
    assert.ok(!/[\u007f-\u009f\u200f\u2028\u202e]/.test(result.stdout), JSON.stringify(result.stdout));
    const parsed = JSON.parse(result.stdout);
    assert.equal(parsed.jobs[0].jobName, name);
    assert.equal(parsed.jobs[0].identifier, 'unsafe_\u200f');
    assert.deepEqual(parsed.jobs[0].lastJobParams, { k: '\u0085' });
  });

  test('--json: parameters one per line, each value compact (nested ones made output growing with the square of their depth)', async () => {
    const endpoint = await scenario('json-nested', [envelope([
      { jobName: 'n', identifier: 'nested', lastJobId: 1, lastJobParams: '{"flat":"v","deep":{"a":{"b":[1,{"c":null}]}}}' },
      { jobName: 'e', identifier: 'empty', lastJobId: null, lastJobParams: '{}' },
    ])], { after: 'repeat-last' });
    const result = await run(['list', ORG, PIPELINE, '--json', ...akFlags(endpoint)]);
    assertExit(result, 0);
    assert.equal(result.stdout, `{
  "requestId": "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE",
  "jobs": [
    {
      "jobName": "n",
      "identifier": "nested",
      "lastJobId": 1,
      "lastJobParams": {
        "flat": "v",
        "deep": {"a":{"b":[1,{"c":null}]}}
      },
      "lastJobParamsRaw": "{\\"flat\\":\\"v\\",\\"deep\\":{\\"a\\":{\\"b\\":[1,{\\"c\\":null}]}}}"
    },
    {
      "jobName": "e",
      "identifier": "empty",
      "lastJobId": null,
      "lastJobParams": {},
      "lastJobParamsRaw": "{}"
    }
  ]
}
`);
  });

  test('parameters nested 20,000 deep: the table and --json still print (exit 0)', async () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const body = JSON.stringify({ requestId: 'DEEP-1', success: true, jobs: [{ identifier: 'deep_job', jobName: 'deep', lastJobId: 1, lastJobParams: deep }] });
    const endpoint = await scenario('deep-params', [{ action: 'respond', status: 200, body, contentType: 'application/json' }], { after: 'repeat-last' });
    const json = await run(['list', ORG, PIPELINE, '--json', ...akFlags(endpoint)]);
    assertExit(json, 0);
    assert.equal(JSON.parse(json.stdout).jobs[0].lastJobParamsRaw, deep);
    // Deeper than the package hands out as an object (1000 levels): null, the raw text exact.
    assert.equal(JSON.parse(json.stdout).jobs[0].lastJobParams, null);
    const table = await run(['list', ORG, PIPELINE, ...akFlags(endpoint)]);
    assertExit(table, 0);
    assert.match(table.stdout, /deep_job/);
  });

  test('a table of 150,000 jobs prints (no argument-count limit on the column widths)', async () => {
    const endpoint = await scenario('many-jobs', [{ action: 'big', count: 150_000 }]);
    const result = await run(['list', ORG, PIPELINE, ...akFlags(endpoint)]);
    assertExit(result, 0);
    assert.match(result.stdout, /\n150000 jobs\. Request ID: /);
  });

  test('--json with the token API and an empty pipeline', async () => {
    const result = await run(['list', ORG, '2345678', '--json', `--endpoint=${emu.url}`, `--token=${TOKEN}`, '--edition=center']);
    assertExit(result, 0);
    const parsed = JSON.parse(result.stdout);
    assert.deepEqual(parsed.jobs, []);
    assert.match(parsed.requestId, REQUEST_ID);
  });
});

describe('exit codes', () => {
  test('2: usage errors, one line each, nothing on stdout', async () => {
    const cases = [
      [['frobnicate'], 'unknown command'],
      // An option given before the command: where it goes (a value never shown).
      [['--json', 'list', ORG, PIPELINE], '--json goes after the command: yunxiao-jobs list <organizationId> <pipelineId> --json'],
      [[`--access-key-secret=${WRONG_SECRET}`, 'list', ORG, PIPELINE], '--access-key-secret goes after the command'],
      [[`--acces-key-secret=${WRONG_SECRET}`, 'list', ORG, PIPELINE], 'unknown command --acces-key-secret=… (commands'],
      [['constructor'], 'unknown command constructor (commands'],
      // An option's dashes as autocorrect writes them: no option, but its value is no less a secret.
      [[`\u2014access-key-secret=${WRONG_SECRET}`, 'list', ORG, PIPELINE], 'unknown command \u2014access-key-secret=… (commands'],
      [['list', ORG, PIPELINE, `\u2014access-key-secret=${WRONG_SECRET}`], 'unexpected argument \u2014access-key-secret=…'],
      [['list'], 'needs <organizationId> and <pipelineId>'],
      [['list', ORG], 'needs <organizationId> and <pipelineId>'],
      [['list', ORG, PIPELINE, 'extra'], 'unexpected argument extra'],
      [['list', ORG, PIPELINE, '--bogus'], 'unknown option --bogus'],
      // A secret in a mistyped flag, or after a credential whose flag was left out, is not echoed
      // (the last test of this file looks for WRONG_SECRET in every output).
      [['list', ORG, PIPELINE, ...akFlags(), `-access-key-secret=${WRONG_SECRET}`], /unknown option -access-key-secret \(/],
      [['list', ORG, PIPELINE, '--endpoint', emu.url, '--access-key-id', AK_ID, WRONG_SECRET], 'unexpected argument (not shown, as credentials are on this command line'],
      [['list', ORG, PIPELINE, '--endpoint', emu.url, `--access-key-id=${AK_ID}`, WRONG_SECRET], 'unexpected argument (not shown'],
      [['list', ORG, PIPELINE, '--access-key-id', AK_ID, '--json', WRONG_SECRET], 'unexpected argument (not shown'],
      [['list', ORG, PIPELINE, '--access-key-id', AK_ID, '--', WRONG_SECRET], 'unexpected argument (not shown'],
      [['list', ORG, PIPELINE, 'DEPLOY', ...akFlags()], 'a category goes with --category'],
      [['list', ORG, PIPELINE, '--endpoint'], '--endpoint needs a value'],
      // A flag's value that reads like help is the value (here refused as a category), not a request for help.
      [['list', ORG, PIPELINE, '--category', '-h', ...akFlags()], 'InvalidArgumentError'],
      [['list', ORG, PIPELINE, '--timeout', 'soon', ...akFlags()], '--timeout must be an integer from 1 to'],
      [['list', ORG, PIPELINE, '--timeout', '0', ...akFlags()], '--timeout must be an integer from 1 to'],
      [['list', ORG, PIPELINE, '--retries', '-1', ...akFlags()], '--retries must be an integer from 0 to 10'],
      [['list', ORG, PIPELINE, '--retries', '11', ...akFlags()], '--retries must be an integer from 0 to 10'],
      [['list', ORG, PIPELINE, '--json', '--json', ...akFlags()], '--json given twice'],
      [['list', ORG, PIPELINE, '--edition', 'moon', '--token', TOKEN], '--edition must be center or region'],
      [['list', ORG, PIPELINE, '--json=yes', ...akFlags()], '--json takes no value'],
      [['list', ORG, PIPELINE, '--category', 'A', '--category', 'B', ...akFlags()], '--category given twice'],
      [['list', ORG, PIPELINE, '--endpoint', emu.url, '--access-key-id', AK_ID], '--access-key-secret is missing'],
      [['list', ORG, PIPELINE, '--endpoint', emu.url, '--token', TOKEN, '--access-key-id', AK_ID, '--access-key-secret', AK_SECRET], '--token cannot be combined with --access-key-id, --access-key-secret'],
      [['list', ORG, PIPELINE, '--edition', 'region', ...akFlags()], '--edition applies to the token API only'],
      [['list', ORG, PIPELINE, '--endpoint', emu.url], 'no credentials'],
    ];
    const results = await Promise.all(cases.map(([args]) => run(args)));
    results.forEach((result, i) => assertErrorLine(result, 2, cases[i][1]));
  });

  test('2: a credential pasted where another value goes is not printed in the usage error', async () => {
    const longToken = `pt-${'Ab3dE6gH9jK2mN5pQ8'.repeat(4)}`;
    const cases = [
      // Of a real length: a refused endpoint is quoted cut short, which must not cut the token first.
      [['list', ORG, PIPELINE, '--endpoint', `https://openapi-rdc.aliyuncs.com/oapi/v1/flow?access_token=${longToken}`, '--token', longToken], {}, 'is not usable'],
      [['list', ORG, PIPELINE, '--token', WRONG_TOKEN, '--retries', WRONG_TOKEN], {}, '--retries must be an integer from 0 to 10, not [REDACTED]'],
      [['list', ORG, PIPELINE, `--access-key-secret=${WRONG_SECRET}`, '--timeout', WRONG_SECRET], {}, '--timeout must be an integer from 1 to'],
      [['list', ORG, PIPELINE, '--edition', WRONG_TOKEN.toUpperCase()], { YUNXIAO_ACCESS_TOKEN: WRONG_TOKEN }, '--edition must be center or region, not [REDACTED]'],
      // Credentials from the environment, the secret given again as a stray word.
      [['list', ORG, PIPELINE, WRONG_SECRET], { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: WRONG_SECRET }, 'unexpected argument [REDACTED]'],
      [['help', WRONG_TOKEN], { YUNXIAO_ACCESS_TOKEN: WRONG_TOKEN }, 'no help for [REDACTED]'],
    ];
    const results = await Promise.all(cases.map(([args, env]) => run(args, { env })));
    results.forEach((result, i) => {
      assertErrorLine(result, 2, cases[i][2]);
      for (const secret of [WRONG_TOKEN, WRONG_SECRET, longToken.slice(3, 15)]) assert.ok(!result.stderr.toLowerCase().includes(secret.toLowerCase()), result.stderr);
    });
    // A flag's value is what the parser takes for one: `--token --help` shows the help whole.
    const help = await run(['list', ORG, PIPELINE, '--token', '--help']);
    assertExit(help, 0);
    assert.ok(help.stdout.includes('--help') && !help.stdout.includes('[REDACTED]'), help.stdout);
  });

  test('2: the package refuses an argument (InvalidArgumentError) or the API does (BadRequestError)', async () => {
    assertErrorLine(await run(['list', ORG, PIPELINE, '--category', 'de-ploy', ...akFlags()]), 2, 'InvalidArgumentError');
    // The package's advice names an API option the command line does not have: not repeated.
    const insecure = assertErrorLine(await run(['list', ORG, PIPELINE, ...akFlags('http://example.com')]), 2, 'InvalidArgumentError', 'the command line sends plain http:// to this machine only');
    assert.doesNotMatch(insecure, /allowInsecureHttp/);
    assertErrorLine(await run(['list', ORG, '1000001', ...akFlags()]), 2, 'BadRequestError InvalidCluster.NotFound', /request id [0-9A-F-]{36}/);
  });

  test('3: a wrong secret, an unknown token, a token outside the organization', async () => {
    const wrong = assertErrorLine(await run(['list', ORG, PIPELINE, ...akFlags(emu.url, WRONG_SECRET)]), 3, 'AuthenticationError SignatureDoesNotMatch', /request id [0-9A-F-]{36}\)$/m);
    assert.ok(wrong.includes('\\n'), 'the server message\'s newline is shown escaped, keeping one line');
    assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', emu.url, '--token', WRONG_TOKEN]), 3, 'AuthenticationError Unauthorized');
    assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', emu.url, '--token', OUTSIDER_TOKEN, '--edition', 'center']), 3, 'ForbiddenError Forbidden.UserNotInCurrentOrganization');
  });

  test('4: an unknown pipeline or organization', async () => {
    assertErrorLine(await run(['list', ORG, '999', ...akFlags()]), 4, 'NotFoundError InvalidPipeline.NotFound', /\(HTTP 404, request id [0-9A-F-]{36}\)/);
    assertErrorLine(await run(['list', 'no-such-org', PIPELINE, ...akFlags()]), 4, 'NotFoundError InvalidOrganization.NotFound');
  });

  test('5: throttled (429)', async () => {
    const endpoint = await scenario('throttled', [{
      action: 'respond', status: 429, headers: { 'x-acs-request-id': '11111111-2222-4333-8444-555555555555' },
      json: { RequestId: '11111111-2222-4333-8444-555555555555', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' },
    }], { after: 'repeat-last' });
    assertErrorLine(await run(['list', ORG, PIPELINE, '--retries', '0', ...akFlags(endpoint)]), 5, 'ThrottlingError Throttling.User', '11111111-2222-4333-8444-555555555555');
  });

  test('6: connection refused, a 500 and a timeout with --retries 0', async () => {
    const closed = await new Promise((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      });
    });
    assertErrorLine(await run(['list', ORG, PIPELINE, '--retries', '0', ...akFlags(`http://127.0.0.1:${closed}`)]), 6, 'NetworkError', `127.0.0.1:${closed}`);

    const failing = await scenario('server-500', [{ action: 'respond', status: 500, json: { Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.' } }], { after: 'repeat-last' });
    const result = assertErrorLine(await run(['list', ORG, PIPELINE, '--retries', '0', ...akFlags(failing)]), 6, 'ServerError InternalError');
    assert.ok(result);
    assert.equal((await requestsOf('server-500')).length, 1, '--retries 0: one attempt');

    const hanging = await scenario('hang', [{ action: 'hang' }], { after: 'repeat-last' });
    const timedOut = await run(['list', ORG, PIPELINE, '--retries', '0', '--timeout', '300', ...akFlags(hanging)]);
    assertErrorLine(timedOut, 6, 'TimeoutError');
    assert.ok(timedOut.ms < 5000, `took ${timedOut.ms} ms`);
  });

  test('7: a body that breaks the documented shape', async () => {
    const endpoint = await scenario('bad-body', [envelope([{ jobName: 'x', identifier: 'ok', lastJobId: 1 }, { jobName: 'y', identifier: 'bad', lastJobId: 1.5 }])], { after: 'repeat-last' });
    assertErrorLine(await run(['list', ORG, PIPELINE, ...akFlags(endpoint)]), 7, 'InvalidResponseError', 'jobs[1].lastJobId');
    // The seed's edge pipeline has an id beyond 2^53: refused, never rounded.
    assertErrorLine(await run(['list', ORG, '3456789', '--json', ...akFlags()]), 7, 'InvalidResponseError');
  });

  test('a closed stderr loses the message, not the exit code', async () => {
    const child = spawn(process.execPath, [BIN, 'list', ORG, '999', ...akFlags()], { env: childEnvWith(), stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.destroy(); // the reader goes away before the command writes its error line
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 4);
  });

  test('130: Ctrl-C aborts the call in flight', async () => {
    const result = await run(['list', ORG, '7654321', ...akFlags()], { killAfterMs: 600 });
    assertExit(result, 130);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^yunxiao-jobs: interrupted\n$/);
    assert.ok(result.ms < 2500, `exited after ${result.ms} ms; the emulator answers after 3000 ms`);
  });

  test('2, for an error whose message and request id are long and repetitive: one line, the id named once', async () => {
    // The CLI searched the message for the request id (to add it if missing): on such text,
    // time growing with the product of their lengths, far past the run's 20 s limit.
    const requestId = `${'a'.repeat(160_000)}b${'a'.repeat(160_000)}`;
    const endpoint = await scenario('long-request-id', [{ action: 'respond', status: 400, json: { Code: 'InvalidParam.ParamNotPresent', Message: 'a'.repeat(680_000), RequestId: requestId } }], { after: 'repeat-last' });
    const stderr = assertErrorLine(await run(['list', ORG, PIPELINE, ...akFlags(endpoint)]), 2);
    assert.ok(stderr.startsWith('yunxiao-jobs: BadRequestError InvalidParam.ParamNotPresent: aaaa'), stderr.slice(0, 100));
    // (The server's message and request id are cut after 2,000 characters, marked as cut.)
    const cut = (text) => `${text.slice(0, 2000)}… (cut after 2,000 characters)`;
    assert.ok(stderr.endsWith(`a… (cut after 2,000 characters) (HTTP 400, request id ${cut(requestId)})\n`), stderr.slice(-100));
    assert.ok(stderr.length < 5000, `${stderr.length} characters`);
  });

  test('2, for an error whose code is long: one line, the code cut and named once', async () => {
    const code = `Invalid${'C'.repeat(100_000)}`;
    const endpoint = await scenario('long-code', [{ action: 'respond', status: 400, json: { Code: code, Message: 'bad', RequestId: 'R-LONG-CODE' } }], { after: 'repeat-last' });
    const stderr = assertErrorLine(await run(['list', ORG, PIPELINE, ...akFlags(endpoint)]), 2);
    assert.equal(stderr, `yunxiao-jobs: BadRequestError ${code.slice(0, 2000)}… (cut after 2,000 characters): bad (HTTP 400, request id R-LONG-CODE)\n`);
  });
});

describe('credentials', () => {
  test('--token with both editions (and the default edition for a non-openapi-rdc endpoint)', async () => {
    const center = await scenario('token-center', []);
    assertExit(await run(['list', ORG, PIPELINE, '--endpoint', center, '--token', TOKEN, '--edition', 'center']), 0);
    const region = await scenario('token-region', []);
    const result = await run(['list', '', PIPELINE, '--endpoint', region, '--token', TOKEN, '--edition', 'region', '--json']);
    assertExit(result, 0);
    assert.equal(JSON.parse(result.stdout).jobs.length, 4);
    const byDefault = await scenario('token-default', []);
    assertExit(await run(['list', ORG, PIPELINE, '--endpoint', byDefault, '--token', TOKEN]), 0);

    const [c] = await requestsOf('token-center');
    assert.match(c.path, /\/oapi\/v1\/flow\/organizations\/5ebbc0228123212b59a1b2c3\/pipelines\/1234567\/listTasksByCategory\/DEPLOY$/);
    const [r] = await requestsOf('token-region');
    assert.match(r.path, /\/_s\/token-region\/oapi\/v1\/flow\/pipelines\/1234567\/listTasksByCategory\/DEPLOY$/);
    const [d] = await requestsOf('token-default');
    assert.match(d.path, /\/oapi\/v1\/flow\/pipelines\/1234567\//);
    assert.equal(c.headers['x-yunxiao-token'], '[REDACTED]');
  });

  test('environment variables: AccessKey, STS, token; both kinds at once is exit 2', async () => {
    assertExit(await run(['list', ORG, PIPELINE, '--endpoint', emu.url], { env: AK_ENV }), 0);
    assertExit(await run(['list', ORG, PIPELINE, '--endpoint', emu.url], {
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: STS_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: STS_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN: STS_TOKEN },
    }), 0);
    assertExit(await run(['list', ORG, PIPELINE, '--endpoint', emu.url, '--edition', 'center'], { env: { YUNXIAO_ACCESS_TOKEN: TOKEN } }), 0);
    assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', emu.url], {
      env: { YUNXIAO_ACCESS_TOKEN: TOKEN, ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET },
    }), 2, 'InvalidArgumentError', 'YUNXIAO_ACCESS_TOKEN');
    // An STS token of 4,000 characters: refused by the server (not the emulator's), its echo
    // redacted, no crash (the no-secret check at the end reads this run's output too).
    assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', emu.url], {
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: STS_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: STS_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN: LONG_STS_TOKEN },
    }), 3, 'AuthenticationError');
    // Flags beat the environment: a wrong key there does not matter.
    assertExit(await run(['list', ORG, PIPELINE, ...akFlags()], { env: { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: WRONG_SECRET } }), 0);
    assertExit(await run(['list', ORG, PIPELINE, '--endpoint', emu.url, '--token', TOKEN], { env: { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: WRONG_SECRET } }), 0);
  });

  describe('the Alibaba Cloud CLI profile file', () => {
    let home;
    before(() => {
      home = tempDir();
      fs.mkdirSync(path.join(home, '.aliyun'));
      const profile = (fields) => ({ region_id: 'cn-hangzhou', output_format: 'json', language: 'en', sts_token: '', ram_role_arn: '', ...fields });
      fs.writeFileSync(path.join(home, '.aliyun', 'config.json'), JSON.stringify({
        current: 'main',
        profiles: [
          profile({ name: 'main', mode: 'AK', access_key_id: AK_ID, access_key_secret: AK_SECRET }),
          profile({ name: 'sts', mode: 'StsToken', access_key_id: STS_ID, access_key_secret: STS_SECRET, sts_token: STS_TOKEN }),
          profile({ name: 'wrong', mode: 'AK', access_key_id: AK_ID, access_key_secret: WRONG_SECRET }),
          profile({ name: 'role', mode: 'RamRoleArn', access_key_id: AK_ID, access_key_secret: AK_SECRET, ram_role_arn: 'acs:ram::1:role/x', ram_session_name: 's' }),
          profile({ name: 'sts-incomplete', mode: 'StsToken', access_key_id: STS_ID, access_key_secret: STS_SECRET }),
        ],
        meta_path: '',
      }, null, 4), { mode: 0o600 });
    });

    test('the current profile (AK mode)', async () => {
      const endpoint = await scenario('profile-current', []);
      const result = await run(['list', ORG, PIPELINE, '--endpoint', endpoint], { home });
      assertExit(result, 0);
      assert.equal(result.stderr, '');
      assertAligned(result.stdout);
      const [request] = await requestsOf('profile-current');
      assert.match(request.headers.authorization, /Credential=LTAI5tEmuDemoKey0001,/);
    });

    test('a profile file open to other users is used, with a warning naming its mode (as ssh names a key)', async () => {
      const file = path.join(home, '.aliyun', 'config.json');
      try {
        for (const mode of [0o644, 0o640, 0o602, 0o040]) {
          fs.chmodSync(file, mode);
          const result = await run(['list', ORG, PIPELINE, '--endpoint', emu.url, '--json'], { home });
          assertExit(result, 0);
          assert.equal(JSON.parse(result.stdout).jobs.length > 0, true);
          assert.equal(result.stderr, `yunxiao-jobs: warning: ~/.aliyun/config.json is open to other users (mode ${mode.toString(8).padStart(3, '0')}); run "chmod 600 ~/.aliyun/config.json"\n`);
        }
        fs.chmodSync(file, 0o400);
        const readOnly = await run(['list', ORG, PIPELINE, '--endpoint', emu.url, '--json'], { home });
        assertExit(readOnly, 0);
        assert.equal(readOnly.stderr, '');
      } finally {
        fs.chmodSync(file, 0o600);
      }
    });

    test('--profile NAME and $ALIBABA_CLOUD_PROFILE (StsToken mode)', async () => {
      const endpoint = await scenario('profile-sts', []);
      assertExit(await run(['list', ORG, PIPELINE, '--endpoint', endpoint, '--profile', 'sts'], { home }), 0);
      assertExit(await run(['list', ORG, PIPELINE, '--endpoint', endpoint], { home, env: { ALIBABA_CLOUD_PROFILE: 'sts' } }), 0);
      const requests = await requestsOf('profile-sts');
      assert.equal(requests.length, 2);
      for (const request of requests) {
        assert.match(request.headers.authorization, /Credential=STS\.EmuStsKey0002,/);
        assert.equal(request.headers['x-acs-security-token'], '[REDACTED]');
      }
      assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', emu.url, '--profile', 'wrong'], { home }), 3, 'SignatureDoesNotMatch');
    });

    test('--unsigned sends no credentials, even with credentials in the environment', async () => {
      const body = JSON.stringify({ requestId: 'UNSIGNED-1', success: true, jobs: [{ identifier: 'via_proxy', jobName: 'proxy', lastJobId: 7 }] });
      const endpoint = await scenario('unsigned', [{ action: 'respond', status: 200, body, contentType: 'application/json' }]);
      const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: STS_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: STS_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN: STS_TOKEN };
      const result = await run(['list', ORG, PIPELINE, '--endpoint', endpoint, '--unsigned', '--json'], { home, env });
      assertExit(result, 0);
      assert.equal(JSON.parse(result.stdout).jobs[0].identifier, 'via_proxy');
      const [request] = await requestsOf('unsigned');
      for (const header of ['authorization', 'x-acs-security-token', 'x-yunxiao-token']) {
        assert.equal(request.headers[header], undefined, `${header}: ${request.headers[header]}`);
      }
    });

    test('precedence: environment over the file, --profile over the environment, flags over both', async () => {
      const badEnv = { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: WRONG_SECRET };
      assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', emu.url], { home, env: badEnv }), 3, 'AuthenticationError');
      assertExit(await run(['list', ORG, PIPELINE, '--endpoint', emu.url, '--profile', 'main'], { home, env: badEnv }), 0);
      assertExit(await run(['list', ORG, PIPELINE, '--endpoint', emu.url, '--token', TOKEN], { home, env: { ALIBABA_CLOUD_PROFILE: 'wrong' } }), 0);
      assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', emu.url, '--token', TOKEN, '--profile', 'main'], { home }), 2, 'cannot be combined');
      assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', emu.url], { home, env: { ALIBABA_CLOUD_IGNORE_PROFILE: 'TRUE' } }), 2, 'no credentials');
    });

    test('no home directory at all (no HOME, a user without a passwd entry): no credentials (2), not an internal error', async () => {
      // os.homedir() throws then (uv_os_homedir ENOENT): made to, before the command loads.
      const preload = path.join(tempDir(), 'no-home.cjs');
      fs.writeFileSync(preload, "require('os').homedir = () => { throw Object.assign(new Error('uv_os_homedir returned ENOENT'), { code: 'ENOENT' }); };\n");
      const env = { HOME: '', NODE_OPTIONS: `--require ${preload}` };
      assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', emu.url], { env }), 2, 'no credentials');
      assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', emu.url, '--profile', 'main'], { env }), 2, 'no home directory', 'set HOME');
      assertExit(await run(['list', ORG, PIPELINE, ...akFlags()], { env }), 0);
    });

    test('unusable profiles: clear errors, exit 2', async () => {
      assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', emu.url, '--profile', 'role'], { home }), 2, 'mode RamRoleArn', 'AK and StsToken');
      assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', emu.url, '--profile', 'nope'], { home }), 2, "profile nope not found", 'main, sts, wrong, role');
      assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', emu.url, '--profile', 'sts-incomplete'], { home }), 2, 'has no sts_token');
      assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', emu.url, '--profile', 'main']), 2, 'does not exist');

      const broken = tempDir();
      fs.mkdirSync(path.join(broken, '.aliyun'));
      fs.writeFileSync(path.join(broken, '.aliyun', 'config.json'), `{"current":"x","profiles":[{"access_key_secret":"${WRONG_SECRET}",}]}`);
      const result = assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', emu.url], { home: broken }), 2, 'is not valid JSON');
      assert.ok(!result.includes('access_key'), 'the file content is not quoted');

      // A name that points at something endless or blocking is refused, never read.
      const odd = tempDir();
      fs.mkdirSync(path.join(odd, '.aliyun'));
      fs.symlinkSync('/dev/zero', path.join(odd, '.aliyun', 'config.json'));
      assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', emu.url], { home: odd }), 2, 'not a regular file');
      const big = tempDir();
      fs.mkdirSync(path.join(big, '.aliyun'));
      fs.writeFileSync(path.join(big, '.aliyun', 'config.json'), ' '.repeat(2 << 20));
      assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', emu.url], { home: big }), 2, 'larger than 1 MiB');
    });
  });

  test('stdin secrets: "-" reads one line per flag, in flag order', async () => {
    const endpoint = await scenario('stdin', []);
    const one = await run(['list', ORG, PIPELINE, '--endpoint', endpoint, '--access-key-id', AK_ID, '--access-key-secret', '-'], { input: `${AK_SECRET}\n` });
    assertExit(one, 0);
    assert.equal(one.stderr, '');
    assertAligned(one.stdout);
    // Two values: --security-token comes first on the command line, so its line comes first.
    const two = await run(['list', ORG, PIPELINE, '--endpoint', endpoint, '--access-key-id', STS_ID, '--security-token', '-', '--access-key-secret', '-'], { input: `${STS_TOKEN}\r\n${STS_SECRET}\r\n` });
    assertExit(two, 0);
    // A token without a final newline.
    assertExit(await run(['list', ORG, PIPELINE, '--endpoint', endpoint, '--token', '-', '--json'], { input: TOKEN }), 0);
    assert.equal((await requestsOf('stdin')).length, 3);

    assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', endpoint, '--access-key-id', AK_ID, '--access-key-secret', '-'], { input: '' }), 2, 'stdin ended before the value of --access-key-secret');
    assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', endpoint, '--access-key-id', STS_ID, '--access-key-secret', '-', '--security-token', '-'], { input: `${STS_SECRET}\n` }), 2, 'before the value of --security-token');
    assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', endpoint, '--token', '-'], { input: '\n' }), 2, 'empty line on stdin for --token');
    // A file saved with a BOM (Notepad): the BOM is not part of the value.
    assertExit(await run(['list', ORG, PIPELINE, '--endpoint', endpoint, '--token', '-'], { input: `\uFEFF${TOKEN}\r\n` }), 0);
    // Endless input without a newline (`< /dev/zero`) is refused, not read until memory runs out.
    const endless = await run(['list', ORG, PIPELINE, '--endpoint', endpoint, '--token', '-'], { input: 'x'.repeat(1 << 20) });
    assertErrorLine(endless, 2, 'stdin holds more than 65536 characters before the line for --token');
    assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', endpoint, '--access-key-id', AK_ID, '--access-key-secret', '-'], { input: `${WRONG_SECRET}\n` }), 3, 'SignatureDoesNotMatch');
    // A command line refused whatever stdin holds is refused before it is read (with nothing on
    // stdin, reading first said "stdin ended before the value of …").
    assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', endpoint, '--access-key-secret', '-'], { input: '' }), 2, '--access-key-id is missing');
    assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', endpoint, '--access-key-id', '-'], { input: '' }), 2, '--access-key-secret is missing');
    assertErrorLine(await run(['list', ORG, PIPELINE, '--endpoint', endpoint, '--edition', 'region', '--access-key-id', AK_ID, '--access-key-secret', '-'], { input: '' }), 2, '--edition applies to the token API only');
  });
});

describe('hidden prompt on a terminal', () => {
  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout?.includes('util-linux');
  const skip = !hasScript && 'needs util-linux script(1) for a pseudo-terminal';

  /** Runs the command in a pseudo-terminal; once `prompt` shows, `typed` is written in one go,
   *  or (an array) piece by piece, 300 ms apart, as separate key presses. */
  async function inTerminal(args, prompt, typed) {
    const child = spawn('script', ['-qec', shellCommand(args), '/dev/null'], { env: childEnvWith({ TERM: 'xterm' }), stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    let written = false;
    child.stdout.setEncoding('utf8').on('data', (d) => {
      output += d;
      if (!written && output.includes(prompt)) {
        written = true;
        [typed].flat().forEach((piece, i) => setTimeout(() => child.stdin.write(piece), 300 * i));
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const status = await new Promise((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    runs.push({ args: ['(pty prompt)', ...args], stdout: output, stderr: '' });
    return { status, output };
  }

  test('two secrets pasted at once: one line per flag, nothing echoed', { skip }, async () => {
    const endpoint = await scenario('prompt-paste', []);
    const args = ['list', ORG, PIPELINE, '--endpoint', endpoint, '--access-key-id', STS_ID, '--security-token', '-', '--access-key-secret', '-', '--json'];
    // Both lines in one write (as a paste into a terminal).
    const { status, output } = await inTerminal(args, 'security-token: ', `${STS_TOKEN}\r${STS_SECRET}\r`);
    assert.equal(status, 0, output);
    assert.match(output, /security-token: \r?\naccess-key-secret: /);
    assert.match(output, /"identifier": "deploy_prod_03"/);
    assert.equal((await requestsOf('prompt-paste')).length, 1);
  });

  test('keys that send escape sequences (arrows, Home, F5, Alt+x) add nothing to the secret', { skip }, async () => {
    const endpoint = await scenario('prompt-keys', []);
    const args = ['list', ORG, PIPELINE, '--endpoint', endpoint, '--access-key-id', AK_ID, '--access-key-secret', '-', '--json'];
    const keys = ['\x1b[D', '\x1bOH', '\x1b[15~', '\x1b[1;5C', '\x1bx'];
    const typed = `${AK_SECRET.slice(0, 5)}${keys.join('')}${AK_SECRET.slice(5)}\r`;
    const { status, output } = await inTerminal(args, 'access-key-secret: ', typed);
    assert.equal(status, 0, output);
    assert.match(output, /"identifier": "deploy_prod_03"/);
    assert.equal((await requestsOf('prompt-keys')).length, 1);
  });

  test('backspace takes one character (an emoji\'s surrogate pair whole), each in constant time', { skip }, async () => {
    const endpoint = await scenario('prompt-backspace', []);
    const args = ['list', ORG, PIPELINE, '--endpoint', endpoint, '--access-key-id', AK_ID, '--access-key-secret', '-', '--json'];
    // Each backspace once cost the whole value typed so far: these took minutes.
    const typed = `${'a'.repeat(60_000)}${'\x7f'.repeat(60_000)}x\u{1F600}\x7f\x7f${AK_SECRET}\r`;
    const { status, output } = await inTerminal(args, 'access-key-secret: ', typed);
    assert.equal(status, 0, output.slice(-300));
    assert.equal((await requestsOf('prompt-backspace')).length, 1);
  });

  test('a value typed longer than 65,536 characters is refused (2), as piped input is', { skip }, async () => {
    const args = ['list', ORG, PIPELINE, ...akFlags(emu.url, '-')];
    const { status, output } = await inTerminal(args, 'access-key-secret: ', 'a'.repeat(65_537));
    assert.equal(status, 2, output.slice(-300));
    assert.match(output, /the value typed for --access-key-secret is longer than 65536 characters/);
  });

  test('Esc pressed alone, then the secret: Esc adds nothing and takes nothing', { skip }, async () => {
    const endpoint = await scenario('prompt-esc', []);
    const args = ['list', ORG, PIPELINE, '--endpoint', endpoint, '--access-key-id', AK_ID, '--access-key-secret', '-', '--json'];
    const { status, output } = await inTerminal(args, 'access-key-secret: ', ['\x1b', `${AK_SECRET}\r`]);
    assert.equal(status, 0, output);
    assert.equal((await requestsOf('prompt-esc')).length, 1);
  });
});

describe('spinner', () => {
  test('none when piped, even for a slow call', async () => {
    const endpoint = await scenario('slow', [], { latencyMs: 800 });
    const result = await run(['list', ORG, PIPELINE, ...akFlags(endpoint)]);
    assertExit(result, 0);
    assert.ok(result.ms >= 800);
    assert.equal(result.stderr, '');
  });

  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout?.includes('util-linux');
  test('on a terminal: shown after 300 ms and cleared, not shown for a fast call', { skip: !hasScript && 'needs util-linux script(1) for a pseudo-terminal' }, async () => {
    const endpoint = await scenario('slow-tty', [], { latencyMs: 900 });
    // Async: the emulator runs in this process, so the event loop must stay free.
    const inTerminal = (endpointUrl) => {
      const command = shellCommand(['list', ORG, PIPELINE, ...akFlags(endpointUrl)]);
      const child = spawn('script', ['-qec', command, '/dev/null'], { env: childEnvWith({ TERM: 'xterm' }), stdio: ['pipe', 'pipe', 'inherit'] });
      child.stdin.end();
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
      return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout })));
    };
    const slow = await inTerminal(endpoint);
    assert.equal(slow.status, 0, slow.stdout);
    assert.match(slow.stdout, /\r⠋ listing pipeline jobs…/);
    const cleared = slow.stdout.lastIndexOf('\r\x1b[2K');
    assert.ok(cleared > slow.stdout.lastIndexOf('listing pipeline jobs'), 'the spinner line is cleared');
    assert.ok(slow.stdout.slice(cleared).startsWith('\r\x1b[2KJOB NAME'), 'the table follows the cleared line');
    const fast = await inTerminal(emu.url);
    assert.equal(fast.status, 0, fast.stdout);
    assert.ok(!fast.stdout.includes('listing pipeline jobs'), 'no spinner for a call under 300 ms');
    assert.ok(fast.stdout.startsWith('JOB NAME'));
    runs.push({ args: ['(pty)'], stdout: slow.stdout + fast.stdout, stderr: '' });
  });

  // timeout(1), a closed terminal, Ctrl-\: the process ends as the signal would have it (128 +
  // its number), and leaves the terminal as it found it: no spinner on the line, echo on after
  // a hidden prompt (Node's own handling does neither for SIGHUP and SIGQUIT).
  /**
   * Runs the command line (`args`, tagged with `marker` among them) in a pseudo-terminal, then the
   * shell prints its exit status and whether the terminal echoes. Once the terminal shows
   * `waitFor`, the command gets `signal` (found by its tag: no fixed delay to guess on a loaded
   * machine). Resolves with what the terminal showed.
   */
  const signalledInTerminal = (args, marker, waitFor, signal, extraEnv = {}) => {
    const env = childEnvWith({ TERM: 'xterm', ...extraEnv });
    const line = `${shellCommand(args)}; echo "[rc=$?]"; stty -a | tr ' ;' '\\n\\n' | grep -x -- '-\\?echo'`;
    const child = spawn('script', ['-qec', line, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let stdout = '';
    let sent = false;
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
      if (sent || !stdout.includes(waitFor)) return;
      sent = true;
      // The command's process among those whose command line holds the tag (the shell's does
      // too): by its arguments, not its name (Node 24 names its main thread MainThread).
      const pids = spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
      const pid = pids.find((p) => {
        try {
          const [program, script] = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
          return program === process.execPath && script === BIN;
        } catch {
          return false;
        }
      });
      assert.ok(pid, `no process of the command among ${pids.join(', ') || 'none'}`);
      process.kill(Number(pid), `SIG${signal}`);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    return new Promise((resolve) => child.on('close', () => {
      clearTimeout(timer);
      runs.push({ args: ['(pty)', ...args], stdout, stderr: '' });
      resolve(stdout);
    }));
  };

  // [signal, exit status as the shell reports it, the shell's line for a command the signal
  // killed]. A hang-up ends the process by SIGHUP itself (the shell says so: `bash: line 1: <pid>
  // Hangup   <the command line>`); the others exit 128 + their number (SIGQUIT's own action
  // would dump core, credentials in it).
  const SIGNALS = [['TERM', 143, null], ['HUP', 129, 'Hangup'], ['QUIT', 131, null], ['INT', 130, null]];
  const shellReport = (words) => (words ? `[^\\r\\n]*${words}[^\\r\\n]*\\r?\\n` : '');
  // (SIGINT during a call has its own test: it aborts the call and says so.)
  for (const [signal, status, words] of SIGNALS.filter(([name]) => name !== 'INT')) {
    test(`SIG${signal} during a call: the spinner's line cleared, exit ${status}`, { skip: !hasScript && 'needs util-linux script(1) for a pseudo-terminal' }, async () => {
      const endpoint = await scenario(`slow-${signal}`, [], { latencyMs: 10_000 });
      const marker = `SIGNALLED_IN_CALL_${signal}`;
      // The key from the environment: the shell's report of the killed command shows its arguments.
      const stdout = await signalledInTerminal(['list', ORG, PIPELINE, '--category', marker, '--endpoint', endpoint], marker, 'listing pipeline jobs…', signal,
        AK_ENV);
      assert.match(stdout, /\r⠋ listing pipeline jobs…/);
      const end = stdout.indexOf('[rc=');
      assert.ok(end > 0, stdout);
      assert.match(stdout.slice(stdout.lastIndexOf('listing pipeline jobs…'), end), new RegExp(`^listing pipeline jobs…\\r\\x1b\\[2K${shellReport(words)}$`), 'the spinner line is cleared, nothing else printed');
      assert.match(stdout.slice(end), new RegExp(`^\\[rc=${status}\\]\\r?\\necho\\b`));
    });
  }
  // A terminal that hangs up (closed: a dropped ssh session) at the prompt or during a call: the
  // process ends by SIGHUP, as any would. Handling it with process.exit() aborted Node 20
  // (SIGABRT: its own terminal reset at exit fails on a hung-up terminal), and at the prompt
  // Node 22 and later exited 0, as if the command had succeeded.
  const hasPython = spawnSync('python3', ['--version']).status === 0;
  test('a terminal that hangs up, at the prompt or during a call: the process ends by SIGHUP', { skip: !hasPython && 'needs python3 for a pseudo-terminal it can close' }, async () => {
    const endpoint = await scenario('slow-hang-up', [], { latencyMs: 10_000 });
    const hangUp = (waitFor, args, env = {}) => new Promise((resolve) => {
      execFile('python3', [path.join(ROOT, 'tests/cli/hang-up.py'), waitFor, process.execPath, BIN, ...args], { env: childEnvWith({ TERM: 'xterm', ...env }), timeout: 30_000 },
        (error, stdout) => resolve(stdout.trim()));
    });
    assert.equal(await hangUp('access-key-secret: ', ['list', ORG, PIPELINE, ...akFlags(emu.url, '-')]), 'signal 1 seen=True', 'at the prompt');
    assert.equal(await hangUp('listing pipeline jobs', ['list', ORG, PIPELINE, '--endpoint', endpoint], AK_ENV),
      'signal 1 seen=True', 'during a call');
  });

  // Ending by the signal itself skips Node's putting its stdout and stderr back to blocking: a
  // pipe shared with the shell or a CI runner was left non-blocking for them (their next write
  // could fail with EAGAIN). The other signals exit as Node does, which puts them back.
  test('a signal that ends it leaves a pipe it shares as it found it: blocking', { skip: !hasPython && 'needs python3' }, async () => {
    const endpoint = await scenario('slow-pipe-flags', [], { latencyMs: 10_000 });
    const env = childEnvWith(AK_ENV);
    for (const [signal, ended] of [['SIGHUP', 'returncode=-1'], ['SIGTERM', 'returncode=143'], ['SIGQUIT', 'returncode=131']]) {
      const outcome = await new Promise((resolve) => execFile('python3', [path.join(ROOT, 'tests/cli/pipe-flags.py'), signal, '1.5', process.execPath, BIN, 'list', ORG, PIPELINE, '--endpoint', endpoint],
        { env, timeout: 30_000 }, (error, stdout) => resolve(stdout.trim())));
      assert.equal(outcome, `${ended} nonblocking=False`, signal);
    }
  });

  for (const [signal, status, words] of SIGNALS) {
    test(`SIG${signal} at a hidden prompt: echo back on, the prompt's line ended, exit ${status}`, { skip: !hasScript && 'needs util-linux script(1) for a pseudo-terminal' }, async () => {
      const args = ['list', ORG, PIPELINE, ...akFlags(emu.url, '-')];
      const marker = `SIGNALLED_AT_PROMPT_${signal}`;
      const stdout = await signalledInTerminal([...args, '--category', marker], marker, 'access-key-secret: ', signal);
      assert.match(stdout, new RegExp(`access-key-secret: \\r?\\n${shellReport(words)}\\[rc=${status}\\]\\r?\\necho\\b`));
    });
  }
});

test('no secret and no stack trace in any output of this file', (t) => {
  assert.ok(runs.length > 50, `only ${runs.length} runs recorded`);
  t.diagnostic(`${runs.length} command runs checked`);
  for (const { args, stdout, stderr } of runs) {
    for (const secret of SECRETS) {
      assert.ok(!stdout.includes(secret) && !stderr.includes(secret), `a secret in the output of ${args.join(' ')}`);
    }
    assert.ok(!/^\s+at .+:\d+:\d+\)?$/m.test(stderr), `a stack trace from ${args.join(' ')}: ${stderr}`);
  }
});
