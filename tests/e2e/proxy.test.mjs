// "Your Yunxiao via the local proxy", with a second emulator standing in for the real
// endpoint: the demo server is configured from the environment exactly as `make demo` is, signs
// in Node, and the browser never sees a secret.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../emulator/server.mjs';
import { optionsFromEnv } from '../../scripts/demo-server.mjs';
import { TOKEN } from '../node/helpers.mjs';
import {
  ORG, PIPELINE, AK, STS, SECRETS, SEEDED_IDENTIFIERS,
  launchBrowser, startDemo, openPage, assertNoConsoleErrors, screenshot, waitForResult, jobIdentifiers, emulatorRequests,
} from './helpers.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(() => browser?.close());

/** An upstream emulator and a demo server pointed at it with `credentials` in its environment. */
async function proxiedSetup(t, credentials) {
  const upstream = await startEmulator({ port: 0 });
  t.after(() => upstream.close());
  const env = {
    PORT: '0',
    UPSTREAM: upstream.url,
    ...(credentials.token
      ? { YUNXIAO_ACCESS_TOKEN: credentials.token }
      : { ALIBABA_CLOUD_ACCESS_KEY_ID: credentials.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: credentials.accessKeySecret }),
    ...(credentials.securityToken ? { ALIBABA_CLOUD_SECURITY_TOKEN: credentials.securityToken } : {}),
  };
  const demo = await startDemo({ ...optionsFromEnv(env), log: false });
  t.after(() => demo.close());
  assert.equal(demo.emulator, null, 'UPSTREAM set: no bundled emulator');
  return { upstream, demo };
}

/** Opens the page (the proxy backend only) and searches the seeded pipeline from the keyboard. */
async function searchThroughProxy(t, demo, expected) {
  const session = await openPage(browser, `${demo.url}/`);
  t.after(() => session.context.close());
  await waitForResult(session.page, 'idle');
  await searchFromKeyboard(session.page, ORG, PIPELINE);
  await waitForResult(session.page, expected);
  return session;
}

/** Everything the browser sent, received, rendered and stored, as one string to search. */
async function browserFootprint({ page, context, requests, responses }) {
  await Promise.all(requests.map((r) => r.ready));
  const bodies = await Promise.all(responses.map(async (r) => {
    const headers = await r.allHeaders().catch(() => ({}));
    const body = await (r.bodyText ?? r.text().catch(() => ''));
    return { url: r.url(), status: r.status(), headers, body: body.length > 100_000 ? '' : body };
  }));
  const state = await page.evaluate(() => ({
    html: document.documentElement.outerHTML,
    text: document.body.innerText,
    local: { ...localStorage },
    session: { ...sessionStorage },
    cookie: document.cookie,
  }));
  const cookies = await context.cookies();
  return JSON.stringify({ requests: requests.map(({ url, method, headers, body }) => ({ url, method, headers, body })), bodies, state, cookies });
}

async function searchFromKeyboard(page, organizationId, pipelineId) {
  await page.fill('#organizationId', organizationId);
  await page.fill('#pipelineId', pipelineId);
  await page.focus('#pipelineId');
  await page.keyboard.press('Enter');
}

for (const [kind, credentials] of [['AccessKey', AK], ['STS', STS]]) {
  test(`proxy backend (${kind}): jobs listed, the upstream sees a verified signature, the browser never sees a secret`, async (t) => {
    const { upstream, demo } = await proxiedSetup(t, credentials);
    const session = await openPage(browser, `${demo.url}/`);
    t.after(() => session.context.close());
    const { page, requests, problems } = session;

    // Only the proxy backend is offered; nothing is known yet, so nothing is listed.
    await waitForResult(page, 'idle'); // the page has set itself up ("starting" before)
    assert.equal(await page.isChecked('input[name=backend][value=upstream]'), true);
    assert.equal(await page.isDisabled('input[name=backend][value=emulator]'), true);
    assert.equal(await page.inputValue('#organizationId'), '');
    assert.equal(await page.isHidden('#examples'), true);

    await searchFromKeyboard(page, ORG, PIPELINE);
    await waitForResult(page, 'ok');
    assert.deepEqual(await jobIdentifiers(page), SEEDED_IDENTIFIERS);
    assert.match(await page.innerText('#result .context'), new RegExp(`your Yunxiao \\(${new URL(upstream.url).host}\\)`));

    await searchFromKeyboard(page, ORG, '999999');
    await waitForResult(page, 'error');
    assert.equal(await page.getAttribute('#result article.error', 'data-error-class'), 'NotFoundError');
    const shownId = (await page.innerText('#result .error-request-id')).trim();
    await screenshot(page, `proxy-${kind}`);

    // The browser: every request went to the page's own origin, the API calls unsigned.
    const footprint = await browserFootprint(session);
    // (The footprint really holds request headers, API answers and storage: a check of the check.)
    for (const sample of ['x-acs-signature-nonce', '"build_image_01', 'InvalidPipeline.NotFound', 'yunxiao-pipeline-jobs-demo', 'glue_bg.wasm']) {
      assert.ok(footprint.includes(sample), `footprint lacks ${sample}`);
    }
    for (const secret of SECRETS) assert.ok(!footprint.includes(secret), `the browser saw ${secret}`);
    assert.ok(!/authorization/i.test(JSON.stringify(requests.map((r) => Object.keys(r.headers)))), 'no Authorization header');
    for (const { url } of requests) assert.equal(new URL(url).origin, demo.url, `${url} is not same-origin`);
    const apiCalls = requests.filter((r) => new URL(r.url).pathname.startsWith('/api/'));
    assert.deepEqual(apiCalls.map((r) => `${r.method} ${new URL(r.url).pathname}${new URL(r.url).search}`), [
      `POST /api/upstream/organization/${ORG}/pipeline/${PIPELINE}/jobs?category=DEPLOY`,
      `POST /api/upstream/organization/${ORG}/pipeline/999999/jobs?category=DEPLOY`,
    ]);
    const stored = await page.evaluate(() => ({ ...localStorage }));
    assert.deepEqual(JSON.parse(stored['yunxiao-pipeline-jobs-demo']), { upstream: { organizationId: ORG, pipelineId: '999999' } });

    // The upstream: two requests, each signed with the server-side key and verified.
    const seen = await emulatorRequests(upstream.url);
    assert.deepEqual(seen.map((r) => [r.method, r.path, r.status]), [
      ['POST', `/organization/${ORG}/pipeline/${PIPELINE}/jobs?category=DEPLOY`, 200],
      ['POST', `/organization/${ORG}/pipeline/999999/jobs?category=DEPLOY`, 404],
    ]);
    for (const r of seen) {
      assert.match(r.headers.authorization, new RegExp(`^ACS3-HMAC-SHA256 Credential=${credentials.accessKeyId.replace('.', '\\.')},`));
      assert.equal(r.verification?.ok, true, JSON.stringify(r.verification));
      assert.equal('x-acs-security-token' in r.headers, kind === 'STS');
    }
    // The request id the page shows is the upstream's own.
    assert.match(shownId, /^[0-9A-F-]{36}$/);
    assertNoConsoleErrors(problems, { apiStatuses: [404] });
  });
}

test('proxy backend with a wrong secret: AuthenticationError from the real verification, secret still hidden', async (t) => {
  const wrong = { accessKeyId: AK.accessKeyId, accessKeySecret: 'Wrong-secret-of-the-proxy-0001' };
  const { demo } = await proxiedSetup(t, wrong);
  const session = await searchThroughProxy(t, demo, 'error');
  assert.equal(await session.page.getAttribute('#result article.error', 'data-error-class'), 'AuthenticationError');
  assert.equal((await session.page.innerText('#result .error-code')).trim(), 'SignatureDoesNotMatch');
  await screenshot(session.page, 'proxy-wrong-secret');
  const footprint = await browserFootprint(session);
  assert.ok(!footprint.includes(wrong.accessKeySecret));
  assertNoConsoleErrors(session.problems, { apiStatuses: [400] });
});

test('proxy backend (personal access token): jobs listed through the token API, the browser never sees the token', async (t) => {
  const { upstream, demo } = await proxiedSetup(t, { token: TOKEN });
  const session = await searchThroughProxy(t, demo, 'ok');
  const { page, problems } = session;
  assert.match(await page.innerText('#upstream-note'), new RegExp(`^with the demo server's access token, sent to ${new URL(upstream.url).host}$`));
  assert.deepEqual(await jobIdentifiers(page), SEEDED_IDENTIFIERS);
  await screenshot(page, 'proxy-token');
  const footprint = await browserFootprint(session);
  assert.ok(footprint.includes('"build_image_01'), 'the footprint holds the answer');
  assert.ok(!footprint.includes(TOKEN), 'the browser saw the token');
  const seen = await emulatorRequests(upstream.url);
  // (The package's edition for an endpoint other than openapi-rdc's: the region one, no org in the path.)
  assert.deepEqual(seen.map((r) => [r.method, r.path.split('?')[0], r.status]), [
    ['GET', `/oapi/v1/flow/pipelines/${PIPELINE}/listTasksByCategory/DEPLOY`, 200],
  ]);
  assertNoConsoleErrors(problems);
});

test('proxy backend with a wrong access token: AuthenticationError, and the page names the token, not an AccessKey', async (t) => {
  const wrong = 'pt-Wrong-token-of-the-proxy-0001';
  const { demo } = await proxiedSetup(t, { token: wrong });
  const session = await searchThroughProxy(t, demo, 'error');
  assert.equal(await session.page.getAttribute('#result article.error', 'data-error-class'), 'AuthenticationError');
  const text = await session.page.innerText('#result');
  assert.match(text, /The access token the proxy sends was rejected\./);
  assert.match(text, /Check the YUNXIAO_ACCESS_TOKEN the demo server was started with\./);
  assert.doesNotMatch(text, /AccessKey|ALIBABA_CLOUD/);
  await screenshot(session.page, 'proxy-wrong-token');
  assert.ok(!(await browserFootprint(session)).includes(wrong));
  assertNoConsoleErrors(session.problems, { apiStatuses: [401] });
});

test('credentials without UPSTREAM: both backends offered (real endpoint by default); switching swaps ids and examples', async (t) => {
  const options = optionsFromEnv({ PORT: '0', ALIBABA_CLOUD_ACCESS_KEY_ID: AK.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK.accessKeySecret });
  const demo = await startDemo({ ...options, log: false });
  t.after(() => demo.close());
  assert.equal(demo.upstream, 'https://devops.cn-hangzhou.aliyuncs.com');
  assert.ok(demo.emulator, 'UPSTREAM unset: the emulator runs too');
  const session = await openPage(browser, `${demo.url}/`);
  t.after(() => session.context.close());
  const { page, problems } = session;
  await waitForResult(page, 'ok');
  assert.equal(await page.isEnabled('input[name=backend][value=upstream]'), true);
  assert.match(await page.innerText('#upstream-note'), /^signed by the demo server, sent to devops\.cn-hangzhou\.aliyuncs\.com$/);
  // A field the package refused is marked; refilled for another backend, it is not any more.
  await page.fill('#pipelineId', '');
  await page.click('#submit');
  await waitForResult(page, 'error');
  assert.equal(await page.getAttribute('#pipelineId', 'aria-invalid'), 'true');

  // Keyboard: arrow keys move between the radio buttons of the backend group.
  await page.focus('input[name=backend][value=emulator]');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.isChecked('input[name=backend][value=upstream]'), true);
  await waitForResult(page, 'idle');
  assert.equal(await page.isHidden('#examples'), true);
  assert.equal(await page.inputValue('#organizationId'), '', 'the seeded ids belong to the emulator');
  assert.equal(await page.getAttribute('#pipelineId', 'aria-invalid'), null);
  await screenshot(page, 'backend-switch');

  await page.check('input[name=backend][value=emulator]');
  assert.equal(await page.isVisible('#examples'), true);
  assert.equal(await page.inputValue('#organizationId'), ORG);
  for (const mark of ['aria-invalid', 'aria-describedby']) assert.equal(await page.getAttribute('#pipelineId', mark), null, mark);
  const config = await (await fetch(`${demo.url}/config.json`)).text();
  for (const secret of SECRETS) assert.ok(!config.includes(secret));
  assertNoConsoleErrors(problems);
});
