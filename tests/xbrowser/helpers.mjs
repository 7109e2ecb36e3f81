// Shared by the cross-browser tests: one session per browser and test file, the pages they
// open (the demo page with a problem recorder put in front of it, and a bare page that loads
// the browser build), and what every page must satisfy.
import assert from 'node:assert/strict';
import { describe, before, after } from 'node:test';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoServer } from '../../scripts/demo-server.mjs';
import { BROWSERS, startBrowser } from './webdriver.mjs';

const PAGES = fileURLToPath(new URL('./pages/', import.meta.url));
const PKG_WEB = fileURLToPath(new URL('../../pkg/web/', import.meta.url));
const CAPTURE_PATH = '/__xbrowser/capture.js';

/**
 * `defineTests(browser)` once per browser, in a describe block that starts the browser before
 * its tests and always ends it (session, driver, its process group) after them. `browser.session`
 * is the WebDriver session once started.
 */
export function forEachBrowser(title, defineTests) {
  for (const name of Object.keys(BROWSERS)) {
    describe(`${title} in ${BROWSERS[name].label}`, () => {
      const browser = { session: null };
      before(async () => {
        Object.assign(browser, await startBrowser(name));
      });
      after(() => browser.close?.());
      defineTests(browser);
    });
  }
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
}

function closeServer(server) {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(resolve));
}

/**
 * The demo server `make demo` runs, behind a loopback front that adds pages/capture.js as the
 * first script of the page (the same origin, so the page's CSP allows it) and passes everything
 * else through unchanged. `{ url, demo, close() }`.
 */
export async function startDemoWithCapture() {
  const demo = await startDemoServer({ port: 0 });
  const target = new URL(demo.url);
  const capture = await readFile(path.join(PAGES, 'capture.js'));
  const front = http.createServer((req, res) => {
    if (req.url === CAPTURE_PATH) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      return res.end(capture);
    }
    const isPage = ['/', '/index.html'].includes(new URL(req.url, 'http://x').pathname);
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      if (!isPage) {
        res.writeHead(answer.statusCode, answer.headers);
        return answer.pipe(res);
      }
      let html = '';
      answer.setEncoding('utf8').on('data', (chunk) => { html += chunk; }).on('end', () => {
        // Without a <head> the recorder is missing, which assertNoPageProblems reports.
        const headers = { ...answer.headers };
        delete headers['content-length'];
        res.writeHead(answer.statusCode, headers);
        res.end(html.replace('<head>', `<head>\n<script src="${CAPTURE_PATH}"></script>`));
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
    // A call the page cancels ends at the demo server (and its emulator) too.
    res.on('close', () => { if (!res.writableFinished) upstream.destroy(); });
  });
  const url = await listen(front);
  return {
    url,
    demo,
    async close() {
      await closeServer(front);
      await demo.close();
    },
  };
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

/**
 * A loopback server for pages/build.html and pkg/web/ (the browser build as published), with
 * `/config.json` (`config`: the emulator's address and credentials) for the page to fetch.
 */
export async function startBuildPage(config) {
  const server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    if (pathname === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return res.end(JSON.stringify(config));
    }
    const file = pathname.startsWith('/pkg/web/') ? path.join(PKG_WEB, pathname.slice('/pkg/web/'.length))
      : path.join(PAGES, pathname === '/' ? 'build.html' : pathname);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  const url = await listen(server);
  return { url, close: () => closeServer(server) };
}

/**
 * Waits in the page until `condition` (a function, sent as its source: it cannot close over
 * anything) returns truthy for `args`. Polling runs in the page, not over WebDriver; the source
 * is spliced into the script, as the demo's CSP forbids compiling it there (new Function).
 */
export async function waitInPage(session, what, condition, args = [], timeoutMs = 10_000) {
  const waiter = `async (args, timeoutMs, what) => {
    const condition = ${condition};
    const end = Date.now() + timeoutMs;
    while (!condition(...args)) {
      if (Date.now() > end) throw new Error('timed out after ' + timeoutMs + ' ms waiting for ' + what);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }`;
  await session.executeAsync(waiter, args, timeoutMs, what);
}

/** What pages/capture.js recorded: console errors and warnings, uncaught errors, failed loads. */
export async function assertNoPageProblems(session) {
  const problems = await session.execute(() => window.__xbrowserProblems ?? null);
  assert.notEqual(problems, null, 'the problem recorder (pages/capture.js) is not on the page');
  assert.deepEqual(problems, [], 'console errors or warnings');
}
