// The browser build (pkg/web/index.js) itself in Chromium, Firefox ESR and WebKitGTK, loaded by
// a bare page over loopback and called against the emulator: a listing (in a module Web Worker
// too: the `worker` export condition's build), an error class, aborts, timeouts, a wasm that
// cannot load, the error table, an id JavaScript would round, a cut answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startEmulator } from '../../emulator/server.mjs';
import { errorCodeInfo } from '../../pkg/node/index.mjs';
import { ORG, PIPELINE, AK } from '../node/helpers.mjs';
import { forEachBrowser, startBuildPage, waitInPage, assertNoPageProblems } from './helpers.mjs';

const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const SLOW_MS = 5_000; // the slow scenario's answer comes after this: any call ending sooner was cut short

// A raw server whose chunked answer stops inside its JSON, with no last chunk and a graceful
// close: WebKitGTK hands the page such a body as complete (Chromium and Firefox report a cut
// connection). A base path `/framing-complete` adds the last chunk: a well-framed body that is cut JSON.
async function startCutServer() {
  const part = '{"requestId":"R-CUT","success":true,"jobs":[{"identifier":"a';
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', (head) => {
      const text = String(head);
      // The page is another origin: answer its preflight, allowing the headers it asks for.
      const asked = /^access-control-request-headers:[ \t]*(.*)$/im.exec(text)?.[1] ?? '';
      const cors = `access-control-allow-origin: *\r\naccess-control-allow-headers: ${asked}\r\naccess-control-allow-methods: GET\r\n`;
      if (text.startsWith('OPTIONS ')) {
        socket.end(`HTTP/1.1 204 No Content\r\n${cors}content-length: 0\r\nconnection: close\r\n\r\n`);
        return;
      }
      const last = text.includes('framing-complete') ? '0\r\n\r\n' : '';
      socket.end(`HTTP/1.1 200 OK\r\n${cors}content-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n`
        + `${part.length.toString(16)}\r\n${part}\r\n${last}`);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

let emulator;
let cutServer;
let page;
const endpoints = {};
before(async () => {
  emulator = await startEmulator({ port: 0 });
  const scenario = async (id, body) => {
    const response = await fetch(`${emulator.url}/_emulator/scenarios`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, ...body }),
    });
    assert.equal(response.status, 201, `emulator scenario ${id}`);
    endpoints[id] = `${emulator.url}/_s/${id}`;
  };
  await scenario('slow', { steps: [{ action: 'normal' }], after: 'repeat-last', latencyMs: SLOW_MS });
  await scenario('beyond-2-53', {
    steps: [{ action: 'json-normal-with', patch: { jobs: [{ jobName: 'a', identifier: 'a', lastJobId: 2 ** 53, lastJobParams: '' }] } }],
    after: 'repeat-last',
  });
  page = await startBuildPage({ endpoint: emulator.url, organizationId: ORG, credentials: AK });
  cutServer = await startCutServer();
});
after(async () => {
  await cutServer?.close();
  await page?.close();
  await emulator?.close();
});

forEachBrowser('the browser build', (browser) => {
  const inPage = (fn, ...args) => browser.session.executeAsync(fn, ...args);

  before(async () => {
    await browser.session.navigate(`${page.url}/`);
    await waitInPage(browser.session, 'the package to load', () => window.xbrowser !== undefined);
  });

  test('a listing: the seeded jobs, ids exact (2^53-1 too), parameters, request id', async () => {
    const listing = await inPage(async (pipelineId) => {
      const { requestId, jobs } = await xbrowser.call(pipelineId);
      return { requestId, jobs: jobs.map(({ identifier, lastJobId, lastJobParams }) => ({ identifier, lastJobId, lastJobParams })) };
    }, PIPELINE);
    assert.match(listing.requestId, REQUEST_ID);
    assert.deepEqual(listing.jobs, [
      { identifier: 'build_image_01', lastJobId: 1001, lastJobParams: { branch: 'master' } },
      { identifier: 'deploy_test_02', lastJobId: 1002, lastJobParams: { branch: 'master', env: 'test' } },
      { identifier: 'deploy_prod_03', lastJobId: 9007199254740991, lastJobParams: { branch: 'master', env: 'prod' } },
      { identifier: 'rollback_04', lastJobId: null, lastJobParams: {} },
    ]);
  });

  test('in a module Web Worker: a listing, and a missing pipeline a NotFoundError', async () => {
    const listing = await inPage((pipelineId) => xbrowser.callInWorker(pipelineId), PIPELINE);
    assert.match(listing.requestId, REQUEST_ID, JSON.stringify(listing));
    assert.deepEqual(listing.jobs.map((job) => job.lastJobId), [1001, 1002, 9007199254740991, null]);
    assert.deepEqual(listing.jobs[1].lastJobParams, { branch: 'master', env: 'test' });
    const missing = await inPage(() => xbrowser.callInWorker('999999'));
    assert.deepEqual({ ...missing.error, message: undefined }, { name: 'NotFoundError', code: 'InvalidPipeline.NotFound', status: 404, message: undefined });
    assert.deepEqual(missing.instanceOf, { YunxiaoError: true, NotFoundError: true });
  });

  test('a missing pipeline: NotFoundError, instanceof YunxiaoError and NotFoundError, not ServerError', async () => {
    const outcome = await inPage(async () => {
      try {
        await xbrowser.call('999999');
        return 'resolved';
      } catch (error) {
        const { pkg } = xbrowser;
        return {
          ...xbrowser.summarize(error),
          instanceOf: { YunxiaoError: error instanceof pkg.YunxiaoError, NotFoundError: error instanceof pkg.NotFoundError, ServerError: error instanceof pkg.ServerError },
        };
      }
    });
    assert.deepEqual(
      { ...outcome, message: undefined },
      {
        name: 'NotFoundError', code: 'InvalidPipeline.NotFound', status: 404, retryable: false, attempts: 1, path: null, message: undefined,
        instanceOf: { YunxiaoError: true, NotFoundError: true, ServerError: false },
      },
    );
    assert.match(outcome.message, /^InvalidPipeline\.NotFound: .*\(HTTP 404, request id [0-9A-F-]{36}\)$/);
  });

  for (const [kind, reason] of [['an Error', 'new Error("xbrowser: stop")'], ['a string', '"xbrowser: stop"']]) {
    test(`an abort with ${kind} as its reason rejects the call with that very reason, at once`, async () => {
      const outcome = await inPage(async (endpoint, reasonSource) => {
        const reason = { 'new Error("xbrowser: stop")': new Error('xbrowser: stop'), '"xbrowser: stop"': 'xbrowser: stop' }[reasonSource];
        const controller = new AbortController();
        const started = performance.now();
        setTimeout(() => controller.abort(reason), 200);
        try {
          await xbrowser.call('1234567', { endpoint, signal: controller.signal });
          return 'resolved';
        } catch (error) {
          return { sameReason: error === reason, type: typeof error, ms: Math.round(performance.now() - started) };
        }
      }, endpoints.slow, reason);
      assert.equal(outcome.sameReason, true, `rejected with something else: ${JSON.stringify(outcome)}`);
      assert.equal(outcome.type, kind === 'a string' ? 'string' : 'object');
      assert.ok(outcome.ms >= 190 && outcome.ms < SLOW_MS - 1000, `rejected after ${outcome.ms} ms (aborted at 200)`);
    });
  }

  test('timeoutMs against a slow answer: TimeoutError after one attempt, near the time given', async () => {
    const outcome = await inPage(async (endpoint) => {
      const started = performance.now();
      try {
        await xbrowser.call('1234567', { endpoint, timeoutMs: 300, maxRetries: 0 });
        return 'resolved';
      } catch (error) {
        return { ...xbrowser.summarize(error), isTimeoutError: error instanceof xbrowser.pkg.TimeoutError, ms: Math.round(performance.now() - started) };
      }
    }, endpoints.slow);
    assert.deepEqual(
      { name: outcome.name, code: outcome.code, attempts: outcome.attempts, retryable: outcome.retryable, isTimeoutError: outcome.isTimeoutError },
      { name: 'TimeoutError', code: 'Timeout', attempts: 1, retryable: true, isTimeoutError: true },
    );
    assert.equal(outcome.message, 'Timeout: no complete answer within 300 ms');
    assert.ok(outcome.ms >= 290 && outcome.ms < 2000, `timed out after ${outcome.ms} ms`);
  });

  test('initialize() with a URL that is no wasm: NetworkError WasmUnavailable naming the 404', async () => {
    const outcome = await inPage(async () => {
      const copy = await xbrowser.freshCopy('initialize-bad-url');
      try {
        await copy.initialize('/no-such.wasm');
        return 'resolved';
      } catch (error) {
        return { ...xbrowser.summarize(error), isNetworkError: error instanceof copy.NetworkError };
      }
    });
    assert.deepEqual(
      { name: outcome.name, code: outcome.code, isNetworkError: outcome.isNetworkError },
      { name: 'NetworkError', code: 'WasmUnavailable', isNetworkError: true },
    );
    assert.match(outcome.message, /^WasmUnavailable: the package's wasm could not be loaded \(failed to fetch Wasm: 404 Not Found fetching 'http:\/\/127\.0\.0\.1:\d+\/no-such\.wasm'\)/);
    // The URL was given: the hint does not ask for it.
    assert.match(outcome.message, /; check that what initialize\(\) was given is glue_bg\.wasm \(its URL, bytes or Response\)$/);
  });

  test('errorCodeInfo: a known code as the Node build reads it, an unknown one null', async () => {
    const info = await inPage(async () => ({
      known: await xbrowser.pkg.errorCodeInfo('InvalidPipeline.NotFound'),
      unknown: await xbrowser.pkg.errorCodeInfo('No.Such.Code'),
    }));
    assert.deepEqual(info.known, await errorCodeInfo('InvalidPipeline.NotFound'));
    assert.equal(info.known.className, 'NotFoundError');
    assert.equal(info.known.httpStatus, 404);
    assert.equal(info.unknown, null);
  });

  test('an id of 2^53 (JavaScript would round it): InvalidResponseError naming the field', async () => {
    const outcome = await inPage(async (endpoint) => {
      try {
        await xbrowser.call('1234567', { endpoint });
        return 'resolved';
      } catch (error) {
        return xbrowser.summarize(error);
      }
    }, endpoints['beyond-2-53']);
    assert.deepEqual(
      { name: outcome.name, code: outcome.code, status: outcome.status, path: outcome.path, retryable: outcome.retryable },
      { name: 'InvalidResponseError', code: 'InvalidResponse', status: 200, path: 'jobs[0].lastJobId', retryable: false },
    );
    assert.match(outcome.message, /above 2\^53-1/);
  });

  // The package reads a body that ends inside its JSON, from an answer that declared no length,
  // as cut off: the same NetworkError in every browser, however its network stack framed it.
  for (const framing of ['cut', 'complete']) {
    test(`a chunked answer that ends inside its JSON (${framing === 'cut' ? 'no last chunk, then a close' : 'well framed'}): NetworkError with status 200, retryable`, async () => {
      const outcome = await inPage(async (endpoint) => {
        try {
          await xbrowser.call('1234567', { endpoint, maxRetries: 0 });
          return 'resolved';
        } catch (error) {
          return xbrowser.summarize(error);
        }
      }, `${cutServer.url}/framing-${framing}`);
      assert.deepEqual(
        { name: outcome.name, code: outcome.code, status: outcome.status, retryable: outcome.retryable, attempts: outcome.attempts },
        { name: 'NetworkError', code: 'NetworkError', status: 200, retryable: true, attempts: 1 },
        JSON.stringify(outcome),
      );
      // A well-framed body reaches the package whole in every browser: the rule is what decides.
      if (framing === 'complete') assert.match(outcome.message, /; the answer declared no length, so it was most likely cut off \(HTTP 200, request id R-CUT\)$/);
    });
  }

  test('no console errors or warnings on the way', () => assertNoPageProblems(browser.session));
});
