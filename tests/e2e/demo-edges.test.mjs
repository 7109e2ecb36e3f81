// The demo page with answers made to measure (Playwright routes fulfil the page's API calls):
// long unbroken names, thousands of jobs, bidirectional controls in server text, a refused
// field, a package that does not load. Headless Chromium, as in demo.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHONE, LAPTOP, browserAndDemo, assertNoConsoleErrors, screenshot, submitAgain, waitForResult, assertNoHorizontalOverflow,
} from './helpers.mjs';

const { withPage } = browserAndDemo();

const API_CALLS = '**/api/emulator/organization/**';
const REQUEST_ID = 'A1B2C3D4-0000-4000-8000-00000000EDGE';

/** Opens the page with every API call answered by `answer` ({ status, json }). */
async function withAnswer(answer, body, { viewport = LAPTOP } = {}) {
  const prepare = (context) => context.route(API_CALLS, (route) => {
    const { status = 200, json, headers = {} } = answer();
    return route.fulfill({ status, contentType: 'application/json', headers: { 'x-acs-request-id': REQUEST_ID, ...headers }, body: JSON.stringify(json) });
  });
  return withPage({ viewport, prepare }, body);
}

const jobs = (count, make = (i) => ({ identifier: `job_${i}`, jobName: `Job ${i}`, lastJobId: i, lastJobParams: '{"branch":"main"}' })) =>
  ({ json: { requestId: REQUEST_ID, success: true, errorCode: '', errorMessage: '', jobs: Array.from({ length: count }, (_, i) => make(i)) } });

test('long unbroken identifiers and parameter keys: the parameters stay in view, nothing clipped', async () => {
  const long = { identifier: `deploy_${'very_long_identifier_'.repeat(5)}end`, jobName: 'Deploy', lastJobId: 7,
    lastJobParams: JSON.stringify({ [`a_parameter_key_${'that_never_breaks_'.repeat(2)}x`]: 'value', branch: 'main' }) };
  for (const viewport of [LAPTOP, PHONE]) {
    await withAnswer(() => jobs(1, () => long), async ({ page, problems }) => {
      await waitForResult(page, 'ok');
      await assertNoHorizontalOverflow(page);
      const layout = await page.evaluate(() => {
        const wrap = document.querySelector('.table-wrap').getBoundingClientRect();
        const params = document.querySelector('td.params-cell').getBoundingClientRect();
        const dts = [...document.querySelectorAll('dl.params dt')].map((dt) => dt.scrollWidth - dt.clientWidth);
        return { wrapRight: wrap.right, paramsLeft: params.left, paramsWidth: params.width, clipped: Math.max(...dts) };
      });
      assert.ok(layout.paramsLeft < layout.wrapRight - 100, `the parameters start at ${layout.paramsLeft}, the table's view ends at ${layout.wrapRight}`);
      assert.ok(layout.paramsWidth > 100, `the parameters column is ${layout.paramsWidth}px wide`);
      assert.ok(layout.clipped <= 1, `a parameter key is clipped by ${layout.clipped}px`);
      await screenshot(page, `long-words-${viewport.width}`);
      assertNoConsoleErrors(problems);
    }, { viewport });
  }
});

test('a big listing shows 200 rows at a time, with a button for more', async () => {
  await withAnswer(() => jobs(450), async ({ page, problems }) => {
    await waitForResult(page, 'ok');
    const rows = () => page.locator('#result table.jobs tbody tr').count();
    assert.equal(await page.locator('#result h2').innerText(), '450 jobs');
    assert.equal(await rows(), 200);
    assert.match(await page.locator('#result .more').innerText(), /200 of 450 shown\./);
    await page.click('#show-more');
    assert.equal(await rows(), 400);
    assert.equal(await page.locator('#show-more').innerText(), 'Show 50 more');
    assert.equal(await page.locator('#status').innerText(), '400 of 450 shown.', 'what the button did, said');
    await page.focus('#show-more');
    await page.keyboard.press('Enter');
    assert.equal(await rows(), 450);
    assert.equal(await page.locator('#result .more').isVisible(), false);
    // The button is gone: the focus goes on to the first row it added, not to the page or back to the top.
    assert.equal(await page.evaluate(() => document.activeElement === document.querySelectorAll('#result tbody tr')[400]), true);
    assert.equal(await page.locator('#status').innerText(), '450 of 450 shown.');
    await screenshot(page, 'big-listing');
    assertNoConsoleErrors(problems);
  });
});

test('bidirectional controls in server text are shown as code points, not obeyed', async () => {
  const rlo = '\u202E';
  let status = 200;
  await withAnswer(() => (status === 404
    ? { status, json: { RequestId: `${REQUEST_ID}${rlo}x`, Code: `Pipeline${rlo}Gone`, Message: `no such pipeline ${rlo}evil` } }
    : jobs(1, () => ({ identifier: `ab${rlo}dc`, jobName: 'J', lastJobId: 1, lastJobParams: `{"approved_by":"${rlo}alice","k${rlo}ey":"v"}` }))),
  async ({ page, problems }) => {
    await waitForResult(page, 'ok');
    // Code-like text, an identifier and a parameter's name, shows the control too: `ab‮dc`
    // would read as "abcd".
    assert.equal(await page.locator('td.identifier').innerText(), 'ab⟨U+202E⟩dc');
    assert.equal(await page.locator('dl.params dt').nth(1).innerText(), 'k⟨U+202E⟩ey');
    await page.locator('details.raw summary').click();
    const raw = await page.locator('details.raw pre').innerText();
    assert.ok(!raw.includes(rlo) && raw.includes('⟨U+202E⟩'), raw);
    status = 404;
    await page.click('#submit');
    await waitForResult(page, 'error');
    const message = await page.locator('#result .message').innerText();
    assert.ok(!message.includes(rlo), 'the control is not in the text');
    assert.match(message, /no such pipeline ⟨U\+202E⟩evil \(HTTP 404, request id A1B2C3D4-/);
    // The code and the request id, shown apart, too.
    for (const fact of ['.error-code', '.error-request-id']) {
      const shownText = await page.locator(`#result ${fact}`).innerText();
      assert.ok(!shownText.includes(rlo) && shownText.includes('⟨U+202E⟩'), `${fact}: ${shownText}`);
    }
    await screenshot(page, 'bidi-controls');
    assertNoConsoleErrors(problems, { apiStatuses: [404] });
  });
});

test('a parameter\'s name keeps its width beside a long value, at laptop and phone widths', async () => {
  const params = { branch: `feature/${'long-branch-name-'.repeat(12)}end`, image: `registry.example.com/team/${'x'.repeat(200)}:latest` };
  for (const viewport of [LAPTOP, PHONE]) {
    await withAnswer(() => jobs(1, () => ({ identifier: 'j', jobName: 'J', lastJobId: 1, lastJobParams: JSON.stringify(params) })), async ({ page, problems }) => {
      await waitForResult(page, 'ok');
      // The lines each name's text is laid out on (the box itself stretches to the value's height).
      const names = await page.locator('dl.params dt').evaluateAll((dts) => dts.map((dt) => {
        const range = document.createRange();
        range.selectNodeContents(dt);
        return { text: dt.textContent, lines: new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size };
      }));
      assert.equal(names.length, 2);
      for (const name of names) assert.equal(name.lines, 1, `${viewport.width}px: "${name.text}" is laid out on ${name.lines} lines`);
      await assertNoHorizontalOverflow(page);
      await screenshot(page, `long-values-${viewport.width}`);
      assertNoConsoleErrors(problems);
    }, { viewport });
  }
});

test('an error says what was asked, invisible characters in the ids shown; an id past 2^53 is not blamed on the server; a proxy failure on the emulator gets advice for it; a redirect is not "no answer"', async () => {
  let answer = { status: 404, json: { RequestId: REQUEST_ID, Code: 'InvalidPipeline.NotFound', Message: 'no such pipeline' } };
  await withAnswer(() => answer, async ({ page, problems }) => {
    await waitForResult(page, 'error');
    await page.fill('#pipelineId', '1234567\u200b\u00ad');
    await submitAgain(page);
    await waitForResult(page, 'error');
    assert.match(await page.locator('#result .context').innerText(), /^Category DEPLOY, pipeline 1234567⟨U\+200B⟩⟨U\+00AD⟩ of organization \S+, via the bundled emulator\.$/);
    answer = jobs(1, () => ({ identifier: 'j', jobName: 'J', lastJobId: 9007199254740993, lastJobParams: '' }));
    await submitAgain(page);
    await waitForResult(page, 'error');
    assert.equal(await page.locator('#result .lead').first().innerText(),
      'An id in the answer is larger than JavaScript can hold exactly: the package refuses the answer rather than round the id.');
    answer = { status: 502, json: { code: 'ProxyUpstreamUnreachable', message: 'no answer from the upstream' } };
    await submitAgain(page);
    await waitForResult(page, 'error');
    const lead = await page.locator('#result .lead').first().innerText();
    assert.match(lead, /to its bundled emulator/);
    assert.doesNotMatch(lead, /UPSTREAM/, 'the emulator backend has no UPSTREAM');
    // A redirect: the browser hides its answer (status 0), which is not "no answer".
    answer = { status: 302, headers: { location: '/elsewhere' }, json: {} };
    await submitAgain(page);
    await waitForResult(page, 'error');
    assert.equal(await page.locator('#result .error-code').innerText(), 'UnexpectedRedirect');
    assert.equal(await page.locator('#result .facts > div:nth-child(2) dd').innerText(), '0 (a redirect: the browser hides its answer)');
    assertNoConsoleErrors(problems, { apiStatuses: [404, 502] });
  });
});

test('on a phone, a search started below the fold brings the result into view', async () => {
  await withAnswer(() => jobs(2), async ({ page, problems }) => {
    await waitForResult(page, 'ok');
    await page.evaluate(() => window.scrollTo(0, 0));
    const below = await page.evaluate(() => document.querySelector('#result').getBoundingClientRect().top > innerHeight);
    assert.ok(below, 'at this width the result starts below the examples, out of view');
    await submitAgain(page);
    await waitForResult(page, 'ok');
    // At the top of the view: the answer grows downwards, and its first row shows too.
    const { top, firstRow, height } = await page.evaluate(() => ({
      top: document.querySelector('#result').getBoundingClientRect().top,
      firstRow: document.querySelector('#result tbody tr').getBoundingClientRect().bottom,
      height: innerHeight,
    }));
    assert.ok(top >= 0 && top < height / 4, `the result starts at ${top}px, the view is ${height}px tall`);
    assert.ok(firstRow <= height, `the first row ends at ${firstRow}px, below the view's ${height}px`);
    // Started from the keyboard: the focus follows the answer, not left on a button scrolled out of sight.
    await page.evaluate(() => {
      window.scrollTo(0, 0);
      document.querySelector('#result').dataset.state = 'again';
    });
    await page.focus('#submit');
    await page.keyboard.press('Enter');
    await waitForResult(page, 'ok');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'result');
    assert.equal(await page.evaluate(() => window.scrollY > 0), true, 'the view followed the answer');
    assertNoConsoleErrors(problems);
  }, { viewport: PHONE });
});

test('on a phone, Enter in a field the package refuses leaves that field in view, focused', async () => {
  await withAnswer(() => jobs(2), async ({ page, problems }) => {
    await waitForResult(page, 'ok');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.fill('#pipelineId', '..');
    await page.press('#pipelineId', 'Enter');
    await waitForResult(page, 'error');
    await page.waitForTimeout(300); // any smooth scrolling done
    const { id, top, bottom, height } = await page.evaluate(() => {
      const box = document.activeElement.getBoundingClientRect();
      return { id: document.activeElement.id, top: box.top, bottom: box.bottom, height: innerHeight };
    });
    assert.equal(id, 'pipelineId');
    assert.ok(top >= 0 && bottom <= height, `the focused field is at ${top}–${bottom}px, the view is ${height}px tall`);
    assertNoConsoleErrors(problems);
  }, { viewport: PHONE });
});

test('Chinese in a server message or the raw parameters is marked as Chinese, run by run; the English around it is not', async () => {
  let status = 404;
  await withAnswer(() => (status === 404
    ? { status, json: { RequestId: REQUEST_ID, Code: 'InvalidPipeline.NotFound', Message: '流水线不存在。 Pipeline 42 not found' } }
    : jobs(1, () => ({ identifier: 'deploy', jobName: 'Deploy', lastJobId: 1, lastJobParams: '{"env":"生产 环境","branch":"main"}' }))), async ({ page, problems }) => {
    await waitForResult(page, 'error');
    const runs = (selector) => page.locator(selector).evaluateAll((spans) => spans.map((span) => [span.lang, span.textContent]));
    assert.deepEqual(await runs('#error-message [lang]'), [['zh', '流水线不存在。']]);
    assert.equal(await page.locator('#error-message').getAttribute('lang'), null, 'the message as a whole stays English');
    status = 200;
    await submitAgain(page);
    await waitForResult(page, 'ok');
    assert.deepEqual(await runs('#result .raw code [lang]'), [['zh', '生产 环境']]);
    assertNoConsoleErrors(problems, { apiStatuses: [404] });
  });
});

test('while the package retries, the spinner says which attempt it is on, and the status line says so once', async () => {
  let calls = 0;
  const prepare = (context) => context.route(API_CALLS, async (route) => {
    calls++;
    if (calls === 2) return route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ Code: 'ServiceUnavailable', Message: 'busy' }) });
    if (calls === 3) await new Promise((resolve) => setTimeout(resolve, 1500)); // held: the page shows the retry meanwhile
    const { json } = jobs(1);
    return route.fulfill({ status: 200, contentType: 'application/json', headers: { 'x-acs-request-id': REQUEST_ID }, body: JSON.stringify(json) });
  });
  await withPage({ viewport: LAPTOP, prepare }, async ({ page, problems }) => {
    await waitForResult(page, 'ok');
    assert.equal(await page.locator('#result .retrying').count(), 0);
    await submitAgain(page);
    await page.waitForFunction(() => /attempt 2/.test(document.querySelector('#result .retrying')?.textContent ?? ''));
    assert.equal(await page.locator('#result .loading p').innerText().then((text) => /The last attempt failed or timed out: trying again \(attempt 2\)\.$/.test(text)), true);
    assert.equal(await page.locator('#status').innerText(), 'Trying again: attempt 2.');
    await waitForResult(page, 'ok');
    assert.equal(calls, 3);
    assertNoConsoleErrors(problems, { apiStatuses: [503] });
  });
});

test('megabytes in one field: each shows its first 2,000 characters (the raw text 20,000), at most 200 parameters, and says what it left out', async () => {
  // Laid out whole, fields like these froze the tab for minutes (one element per direction mark
  // or parameter).
  const params = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`key_${i}`, 'v']));
  params.marks = '\u202E'.repeat(30_000);
  const job = { identifier: `id_${'i'.repeat(5_000)}`, jobName: '名'.repeat(50_000), lastJobId: 1, lastJobParams: JSON.stringify(params) };
  let status = 200;
  await withAnswer(() => (status === 404
    ? { status, json: { RequestId: REQUEST_ID, Code: 'InvalidPipeline.NotFound', Message: `${'\u202E'.repeat(100_000)}` } }
    : jobs(1, () => job)),
  async ({ page, problems }) => {
    await waitForResult(page, 'ok');
    const name = await page.locator('td.job-name').innerText();
    assert.ok(name.startsWith('名'.repeat(2_000)) && !name.includes('名'.repeat(2_001)), `name of ${name.length} characters`);
    assert.match(name, /… and 48,000 more characters$/);
    assert.match(await page.locator('td.identifier').innerText(), /… and 3,003 more characters$/);
    assert.equal(await page.locator('dl.params > div').count(), 200);
    assert.equal(await page.locator('td.params-cell p.clipped').innerText(), '… and 4,801 more parameters (see the raw text)');
    await page.locator('details.raw summary').click();
    const raw = page.locator('details.raw pre');
    assert.ok(await raw.locator('.bidi').count() <= 20_000);
    assert.match(await raw.innerText(), /… and [\d,]+ more characters$/);
    status = 404;
    await page.click('#submit');
    await waitForResult(page, 'error');
    // The message's first 2,000 characters: its code, then marks.
    assert.equal(await page.locator('#result .message .bidi').count(), 2_000 - 'InvalidPipeline.NotFound: '.length);
    // (The package cuts a server's text after 2,000 characters itself: the rest is its mark.)
    assert.match(await page.locator('#result .message').innerText(), /… and \d{2,3} more characters$/);
    await screenshot(page, 'megabytes-in-one-field');
    assertNoConsoleErrors(problems, { apiStatuses: [404] });
  });
});

test('every bidirectional control is shown as its code point; a field clipped at an emoji keeps it whole', async () => {
  const controls = ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
  const job = { identifier: `${'a'.repeat(1_999)}😀${'b'.repeat(10)}`, jobName: 'J', lastJobId: 1, lastJobParams: JSON.stringify({ k: controls.join('x') }) };
  await withAnswer(() => jobs(1, () => job), async ({ page, problems }) => {
    await waitForResult(page, 'ok');
    assert.equal(await page.locator('td.identifier').innerText(), `${'a'.repeat(1_999)} … and 12 more characters`);
    await page.locator('details.raw summary').click();
    const raw = await page.locator('details.raw pre').innerText();
    for (const control of controls) {
      const point = `⟨U+${control.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`;
      assert.ok(!raw.includes(control) && raw.includes(point), `${point} in ${raw}`);
    }
    await screenshot(page, 'every-bidi-control');
    assertNoConsoleErrors(problems);
  });
});

test('a field the package refuses is marked and focused; the status line says what happened', async () => {
  await withAnswer(() => jobs(4), async ({ page, problems }) => {
    await waitForResult(page, 'ok');
    assert.equal(await page.locator('#status').innerText(), '4 jobs listed.');
    assert.equal(await page.locator('#result').getAttribute('aria-live'), null, 'the result itself is no live region');
    await page.fill('#pipelineId', '..');
    await page.click('#submit');
    await waitForResult(page, 'error');
    assert.equal(await page.getAttribute('#pipelineId', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#organizationId', 'aria-invalid'), null);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'pipelineId');
    assert.match(await page.locator('#result').innerText(), /Check the Pipeline ID field\./);
    // The field's description is its own problem, in its label's words, not the developer's message.
    assert.equal(await page.getAttribute('#pipelineId', 'aria-describedby'), 'field-problem');
    assert.equal(await page.locator('#field-problem').innerText(), 'The Pipeline ID must not be "." or "..".');
    assert.match(await page.locator('#result .facts').innerText(), /none: nothing was sent/);
    assert.equal(await page.locator('#result .meaning').count(), 0, 'no API table lookup for a request never sent');
    assert.equal(await page.locator('#status').innerText(), 'Invalid input. Check the Pipeline ID field. (InvalidArgumentError, InvalidArgument)', 'the field to fix, in the announcement too');
    // Corrected and sent again: the mark goes.
    await page.fill('#pipelineId', '1234567');
    await page.click('#submit');
    await waitForResult(page, 'ok');
    assert.equal(await page.getAttribute('#pipelineId', 'aria-invalid'), null);
    await screenshot(page, 'refused-field');
    assertNoConsoleErrors(problems);
  });
});

test('text in Chinese, Japanese and Korean is marked with its language (a screen reader\'s English voice would spell it out); Latin text is not', () =>
  withAnswer(() => jobs(4, (i) => ({
    identifier: `job_${i}`, jobName: ['部署到生产环境', 'デプロイ本番', '배포 작업', 'deploy prod'][i], lastJobId: i, lastJobParams: '{"环境":"生产"}',
  })), async ({ page }) => {
    await waitForResult(page, 'ok');
    const langs = await page.locator('#result .job-name [dir=auto]').evaluateAll((spans) => spans.map((span) => span.getAttribute('lang')));
    assert.deepEqual(langs, ['zh', 'ja', 'ko', null]);
    assert.deepEqual(await page.locator('tr[data-identifier=job_0] dl.params dt').evaluateAll((dts) => dts.map((dt) => dt.getAttribute('lang'))), ['zh']);
    assert.equal(await page.title(), '4 jobs · Pipeline jobs · yunxiao-pipeline-jobs demo');
  }));

test('without the page\'s script (JavaScript off, or app.js not loaded), List jobs is off: it would only reload the page', async () => {
  const prepare = (context) => context.route('**/app.js', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await withPage({ prepare }, async ({ page }) => {
    await page.waitForLoadState('load');
    assert.equal(await page.isDisabled('#submit'), true);
  });
});

test('a package or a configuration that does not load is said so (to a screen reader too), not a blank page; List jobs is off', async () => {
  const cases = [
    ['**/pkg/web/index.js', 'The package did not load', 'package-not-loaded'],
    ['**/config.json', 'The demo server did not answer', 'config-not-loaded'],
  ];
  for (const [what, title, shot] of cases) {
    const prepare = (context) => context.route(what, (route) => route.fulfill({ status: 404, body: 'gone' }));
    await withPage({ prepare }, async ({ page }) => {
      await waitForResult(page, 'error');
      assert.match(await page.locator('#result').innerText(), new RegExp(title));
      assert.equal(await page.locator('#status').textContent(), `${title}.`, 'announced in the live region');
      assert.equal(await page.isDisabled('#submit'), true);
      await screenshot(page, shot);
    });
  }
});

test('a page whose CSP refuses WebAssembly: the error names \'wasm-unsafe-eval\', not a missing file', async () => {
  // The demo's own policy, less 'wasm-unsafe-eval': Chromium then refuses to compile the wasm.
  const prepare = (context) => context.route((url) => url.pathname === '/', async (route) => {
    const response = await route.fetch();
    const headers = response.headers();
    headers['content-security-policy'] = headers['content-security-policy'].replace(" 'wasm-unsafe-eval'", '');
    assert.doesNotMatch(headers['content-security-policy'], /wasm-unsafe-eval/);
    await route.fulfill({ response, headers });
  });
  await withPage({ prepare }, async ({ page }) => {
    await waitForResult(page, 'error', 5_000);
    assert.equal(await page.locator('#result .error-code').innerText(), 'WasmUnavailable');
    assert.match(await page.locator('#error-message').innerText(), /Content Security Policy.*; the page's Content-Security-Policy must allow WebAssembly: add 'wasm-unsafe-eval' to its script-src \(or default-src\)$/s);
    await screenshot(page, 'csp-refuses-wasm');
  });
});

test('a long pipeline id does not widen the page while it loads; 280 px wide does not scroll sideways', async () => {
  const prepare = (context) => context.route(API_CALLS, () => {}); // never answered
  await withPage({ prepare, viewport: { width: 280, height: 700 } }, async ({ page }) => {
    await waitForResult(page, 'loading');
    await page.fill('#pipelineId', '9'.repeat(1000));
    await page.click('#submit');
    // The first listing was loading already: wait for the one with the long id.
    await page.waitForFunction(() => document.querySelector('#result .loading strong')?.textContent.length === 1000);
    await assertNoHorizontalOverflow(page);
    await screenshot(page, 'long-id-280px');
  });
});
