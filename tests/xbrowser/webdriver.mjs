// A small W3C WebDriver client (fetch, no dependencies) and the browsers this suite drives:
// Debian's Chromium through chromedriver and Firefox ESR through geckodriver, headless, and
// WebKitGTK's MiniBrowser through WebKitWebDriver. MiniBrowser needs a display, so its driver
// runs under xvfb-run; without one, POST /session never answers, which is why every request here
// has a timeout.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';

const MULTIARCH = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' }[process.arch] ?? `${process.arch}-linux-gnu`;

/** Every program the suite runs, each overridable by the environment variable of its name. */
export const PATHS = {
  // Where `cargo install` (scripts/setup.sh xbrowser) puts it.
  GECKODRIVER: process.env.GECKODRIVER ?? `${process.env.CARGO_HOME ?? `${homedir()}/.cargo`}/bin/geckodriver`,
  FIREFOX: process.env.FIREFOX ?? '/usr/bin/firefox-esr',
  WEBKIT_WEBDRIVER: process.env.WEBKIT_WEBDRIVER ?? '/usr/bin/WebKitWebDriver',
  MINIBROWSER: process.env.MINIBROWSER ?? `/usr/lib/${MULTIARCH}/webkit2gtk-4.1/MiniBrowser`,
  XVFB_RUN: process.env.XVFB_RUN ?? '/usr/bin/xvfb-run',
  // Debian's, as the end-to-end tests and wasm-bindgen's browser tests use (scripts/setup.sh browser).
  CHROMEDRIVER: process.env.CHROMEDRIVER ?? '/usr/bin/chromedriver',
  CHROMIUM: process.env.CHROMIUM ?? '/usr/bin/chromium',
};
const INSTALL_STEP = '`scripts/setup.sh browser` (Chromium) or `scripts/setup.sh xbrowser` (Firefox ESR, WebKitGTK) installs it (`make test-xbrowser` runs both first)';

export const BROWSERS = {
  chromium: {
    label: 'Chromium',
    needs: ['CHROMEDRIVER', 'CHROMIUM'],
    command: ({ port }) => [PATHS.CHROMEDRIVER, [`--port=${port}`]],
    capabilities: () => ({
      browserName: 'chrome',
      'goog:chromeOptions': { binary: PATHS.CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] },
    }),
  },
  firefox: {
    label: 'Firefox ESR',
    needs: ['GECKODRIVER', 'FIREFOX'],
    command: ({ port }) => [PATHS.GECKODRIVER, ['--host', '127.0.0.1', '--port', String(port)]],
    capabilities: () => ({
      browserName: 'firefox',
      'moz:firefoxOptions': { binary: PATHS.FIREFOX, args: ['-headless'] },
    }),
  },
  webkit: {
    label: 'WebKitGTK',
    needs: ['WEBKIT_WEBDRIVER', 'MINIBROWSER', 'XVFB_RUN'],
    // -a: the first free display number, so two runs at once do not collide. -f: an X auth file
    // of ours, removed at stop (xvfb-run's own temporary directory outlives a signal).
    command: ({ port, scratch }) => [PATHS.XVFB_RUN, ['-a', '-f', path.join(scratch, 'Xauthority'), '-s', '-screen 0 1280x1024x24',
      PATHS.WEBKIT_WEBDRIVER, `--port=${port}`]],
    // What a failed session most often means where the suite has not run before.
    hint: "WebKitGTK's sandbox (bubblewrap) needs unprivileged user namespaces: where a container forbids them, " +
      'WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS=1 runs it unsandboxed (a throwaway CI machine only)',
    capabilities: () => ({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: PATHS.MINIBROWSER, args: ['--automation'] },
    }),
  },
};

const REQUEST_TIMEOUT_MS = 20_000;
const NEW_SESSION_TIMEOUT_MS = 60_000; // a cold Firefox profile on a loaded machine
const SCRIPT_TIMEOUT_MS = 30_000;
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** One request; fails after `timeoutMs` instead of hanging (a browser that cannot start never answers). */
async function request(method, url, body, timeoutMs = REQUEST_TIMEOUT_MS) {
  const where = `${method} ${new URL(url).pathname.replace(/\/session\/[^/]+/, '/session/…')}`;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new Error(`WebDriver ${where}: ${error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : error.message}`);
  }
  const text = await response.text();
  let value;
  try {
    ({ value } = JSON.parse(text));
  } catch {
    throw new Error(`WebDriver ${where}: HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
  }
  if (value?.error) throw new Error(`WebDriver ${where}: ${value.error}: ${value.message}`);
  return value;
}

export class Session {
  constructor(base, id) {
    this.url = `${base}/session/${id}`;
  }

  command(method, path, body, timeoutMs) {
    return request(method, `${this.url}${path}`, body, timeoutMs);
  }

  navigate(url) {
    return this.command('POST', '/url', { url });
  }

  /** Runs `fn` (its source: it cannot close over anything) in the page with JSON `args`. */
  execute(fn, ...args) {
    return this.command('POST', '/execute/sync', { script: `return (${fn}).apply(null, arguments);`, args });
  }

  /**
   * Runs an async `fn` in the page and returns what it resolves to. A rejection comes back as
   * an error here (WebDriver itself only knows the callback), with the page's message.
   */
  async executeAsync(fn, ...args) {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve().then(() => (${fn}).apply(null, Array.prototype.slice.call(arguments, 0, -1)))
        .then((value) => done({ returned: value }), (error) => done({ thrown: String(error && error.message || error) }));`;
    // Not { error }: a value with an "error" key reads as a WebDriver error.
    const outcome = await this.command('POST', '/execute/async', { script, args }, SCRIPT_TIMEOUT_MS + 5_000);
    if (outcome && 'thrown' in outcome) throw new Error(`in the page: ${outcome.thrown}`);
    return outcome?.returned;
  }

  /** A real click (WebDriver moves the pointer and clicks), not element.click(). */
  async click(css) {
    const element = await this.command('POST', '/element', { using: 'css selector', value: css });
    await this.command('POST', `/element/${element[ELEMENT]}/click`, {});
  }

  quit() {
    return this.command('DELETE', '', undefined, 10_000);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Drivers run in their own process group (with what they start: the browser, Xvfb), so a
// whole group can be ended; and so they outlive neither a normal exit nor Ctrl-C, which, being
// in another group, they would not receive themselves.
const runningGroups = new Set();
const signalGroup = (pgid, signal) => {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // no process left in the group
  }
};
// SIGTERM, not SIGKILL: these paths cannot wait, and Xvfb removes its lock only on SIGTERM.
process.on('exit', () => runningGroups.forEach((pgid) => signalGroup(pgid, 'SIGTERM')));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    runningGroups.forEach((pgid) => signalGroup(pgid, 'SIGTERM'));
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}

/** Whether a process of the group still runs (a zombie, waiting for init to reap it, does not). */
function groupRuns(pgid) {
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') return true;
  }
  return false;
}

/**
 * SIGTERM to the group, then time to exit (Xvfb removes its /tmp/.X<n>-lock on SIGTERM, not on
 * SIGKILL: a leaked lock would move every later run to another display), then SIGKILL to
 * whatever is left.
 */
async function endGroup(pgid) {
  signalGroup(pgid, 'SIGTERM');
  for (const end = Date.now() + 5_000; Date.now() < end && groupRuns(pgid);) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  signalGroup(pgid, 'SIGKILL');
  runningGroups.delete(pgid);
}

/** Fails with the install step when a program the browser needs is missing. */
function assertInstalled(name) {
  const missing = BROWSERS[name].needs.filter((key) => !existsSync(PATHS[key]));
  if (missing.length > 0) {
    throw new Error(`${BROWSERS[name].label} cannot run: ${missing.map((key) => `${PATHS[key]} (${key})`).join(', ')} ` +
      `not found. ${INSTALL_STEP}; or set ${missing.join(', ')} to where it is.`);
  }
}

/** Starts the driver; resolves once its /status says it is ready. */
async function startDriver(name) {
  const port = await freePort();
  const scratch = mkdtempSync(path.join(tmpdir(), 'xbrowser-'));
  const [command, args] = BROWSERS[name].command({ port, scratch });
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const keep = (chunk) => { output = (output + chunk).slice(-4000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  child.once('exit', () => { exited = true; });
  child.once('error', (error) => { // could not be started (not executable, say)
    keep(String(error));
    exited = true;
  });
  if (child.pid !== undefined) runningGroups.add(child.pid);
  const driver = {
    base: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      if (child.pid !== undefined) await endGroup(child.pid);
      rmSync(scratch, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !exited) {
    try {
      if ((await request('GET', `${driver.base}/status`, undefined, 2_000))?.ready !== false) return driver;
    } catch {} // not listening yet
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await driver.stop();
  throw new Error(`${BROWSERS[name].label}: ${command} ${exited ? 'exited' : 'did not answer within 20 s'}; its output:\n${output}`);
}

/**
 * The driver and one browser session: `{ session, close() }`. close() ends the
 * session and the driver's process group; call it in an `after` hook.
 */
export async function startBrowser(name) {
  assertInstalled(name);
  const driver = await startDriver(name);
  try {
    const body = { capabilities: { alwaysMatch: BROWSERS[name].capabilities() } };
    const created = await request('POST', `${driver.base}/session`, body, NEW_SESSION_TIMEOUT_MS);
    const session = new Session(driver.base, created.sessionId);
    await session.command('POST', '/timeouts', { script: SCRIPT_TIMEOUT_MS, pageLoad: 30_000 });
    return {
      session,
      async close() {
        try {
          await session.quit();
        } finally {
          await driver.stop();
        }
      },
    };
  } catch (error) {
    await driver.stop();
    const hint = BROWSERS[name].hint ? `\n(${BROWSERS[name].hint})` : '';
    throw new Error(`${BROWSERS[name].label}: no session: ${error.message}${hint}\ndriver output:\n${driver.output()}`);
  }
}
