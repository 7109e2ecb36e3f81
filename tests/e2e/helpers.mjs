// Shared by the end-to-end tests: Debian's Chromium driven by playwright-core (never a
// downloaded browser), the demo server `make demo` runs, and what every page must satisfy.
import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startDemoServer } from '../../scripts/demo-server.mjs';
import { AK, STS } from '../node/helpers.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const OUTPUT = fileURLToPath(new URL('../../test-output/e2e/', import.meta.url));

// The emulator's seeds, shared with the Node suites.
export { ORG, OTHER_ORG, PIPELINE, AK, STS } from '../node/helpers.mjs';
/** Anything the browser must never see. */
export const SECRETS = [AK.accessKeySecret, STS.accessKeySecret, STS.securityToken];
export const SEEDED_IDENTIFIERS = ['build_image_01', 'deploy_test_02', 'deploy_prod_03', 'rollback_04'];
// The demo page's error examples as it shows them: [example, class, HTTP status, code, retryable]
// (Chromium here, Firefox and WebKitGTK in tests/xbrowser/).
export const ERROR_EXAMPLES = [
  ['not-found', 'NotFoundError', '404', 'InvalidPipeline.NotFound', false],
  ['forbidden', 'ForbiddenError', '403', 'Forbidden.UserNotInCurrentOrganization', false],
  ['bad-request', 'BadRequestError', '400', 'InvalidCluster.NotFound', false],
  ['bad-key', 'AuthenticationError', '404', 'InvalidAccessKeyId.NotFound', false],
  ['throttled', 'ThrottlingError', '429', 'Throttling.User', true],
  ['unavailable', 'ServerError', '503', 'ServiceUnavailable', true],
  ['big-id', 'InvalidResponseError', '200', 'InvalidResponse', false],
];

export const LAPTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Debian's Chromium (one per test file; close it in an `after` hook). */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** The demo server, in-process on an ephemeral port: the same code `make demo` runs. */
export function startDemo(options = {}) {
  return startDemoServer({ port: 0, ...options });
}

/**
 * A fresh context and page that records everything the browser sends and logs:
 * `requests` ({ url, method, headers, body }), `responses` ({ url, status, body() }),
 * `problems` (console errors and uncaught exceptions).
 */
/** `prepare(context)` runs before the page loads (routes, init scripts). */
export async function openPage(instance, url, { viewport = LAPTOP, prepare } = {}) {
  const context = await instance.newContext({ viewport });
  await prepare?.(context);
  const page = await context.newPage();
  const requests = [];
  const responses = [];
  const problems = [];
  page.on('request', (request) => {
    const entry = { url: request.url(), method: request.method(), headers: request.headers(), body: request.postData() ?? '' };
    // allHeaders() adds what the network stack set (cookies, etc.): await `entry.ready` before reading.
    entry.ready = request.allHeaders().then((all) => { entry.headers = all; }, () => {});
    requests.push(entry);
  });
  page.on('response', (response) => {
    // Read each body as it arrives: Chromium may evict it before a test asks for it later.
    response.bodyText = response.text().catch(() => '');
    responses.push(response);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push({ text: message.text(), url: message.location().url ?? '' });
  });
  page.on('pageerror', (error) => problems.push({ text: `uncaught: ${error.stack ?? error}`, url: '' }));
  await page.goto(url);
  return { context, page, requests, responses, problems };
}

/**
 * A browser and the demo server for a whole test file (started before its tests, closed after
 * them): `{ browser, demo }` once started, and `withPage(options, body)`, which opens the demo
 * page in a fresh context (`openPage` options), runs `body(session)` and always closes it.
 */
export function browserAndDemo() {
  const e2e = {
    browser: null,
    demo: null,
    async withPage(options, body) {
      const session = await openPage(e2e.browser, `${e2e.demo.url}/`, options);
      try {
        await body(session);
      } finally {
        await session.context.close();
      }
    },
  };
  before(async () => {
    [e2e.browser, e2e.demo] = await Promise.all([launchBrowser(), startDemo()]);
  });
  after(async () => {
    await e2e.browser?.close();
    await e2e.demo?.close();
  });
  return e2e;
}

/**
 * No console errors and no uncaught exceptions. The one kind allowed is Chromium's own
 * network log line for an API answer the test provoked on purpose ("Failed to load resource:
 * the server responded with a status of 404"): browsers print it for every non-2xx fetch.
 */
export function assertNoConsoleErrors(problems, { apiStatuses = [] } = {}) {
  const unexpected = problems.filter(({ text, url }) => {
    const m = /^Failed to load resource: the server responded with a status of (\d+)/.exec(text);
    return !(m && apiStatuses.includes(Number(m[1])) && new URL(url).pathname.startsWith('/api/'));
  });
  assert.deepEqual(unexpected, [], 'console errors');
}

export async function screenshot(page, name) {
  mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: `${OUTPUT}${name}.png`, fullPage: true });
}

/** Waits until the result area settles in `state` (ok, empty, error, cancelled, idle; the page
 *  starts in "starting" while the package and its configuration load). */
export async function waitForResult(page, state, timeout = 10_000) {
  await page.waitForFunction(
    (s) => document.querySelector('#result')?.dataset.state === s,
    state,
    { timeout },
  ).catch(async (error) => {
    const seen = await page.evaluate(() => [document.querySelector('#result')?.dataset.state, document.querySelector('#result')?.innerText]);
    throw new Error(`result never reached "${state}" (state ${seen[0]}: ${seen[1]})`, { cause: error });
  });
}

/** Presses List jobs again, the result first marked as stale so that waitForResult waits for the new one. */
export async function submitAgain(page) {
  await page.evaluate(() => { document.querySelector('#result').dataset.state = 'again'; });
  await page.click('#submit');
}

export async function jobIdentifiers(page) {
  return page.$$eval('#result table.jobs tbody tr', (rows) => rows.map((row) => row.dataset.identifier));
}

/** The page is no wider than the viewport (nothing scrolls sideways). */
export async function assertNoHorizontalOverflow(page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
    innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px viewport`);
}

export async function emulatorRequests(emulatorUrl) {
  const response = await fetch(`${emulatorUrl}/_emulator/requests`);
  return response.json();
}
