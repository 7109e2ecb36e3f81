// The demo page against the bundled emulator, in headless Chromium: what `make demo` shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodeInfo } from '../../pkg/node/index.mjs';
import {
  ORG, PIPELINE, SEEDED_IDENTIFIERS, ERROR_EXAMPLES, SECRETS, PHONE,
  browserAndDemo, assertNoConsoleErrors, screenshot, submitAgain, waitForResult, jobIdentifiers,
  assertNoHorizontalOverflow, emulatorRequests,
} from './helpers.mjs';

const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

const e2e = browserAndDemo();
const { withPage } = e2e;

const text = (locator) => locator.innerText().then((s) => s.trim());

test('first load lists the seeded pipeline: names, ids, parameters, raw text, request id', () =>
  withPage({}, async ({ page, problems }) => {
    await waitForResult(page, 'ok');
    assert.equal(await page.inputValue('#organizationId'), ORG);
    assert.equal(await page.inputValue('#pipelineId'), PIPELINE);
    assert.equal(await page.inputValue('#category'), 'DEPLOY');
    assert.equal(await page.isChecked('input[name=backend][value=emulator]'), true);
    assert.equal(await page.isDisabled('input[name=backend][value=upstream]'), true, 'no credentials: the proxy backend is off');
    assert.equal(await page.getAttribute('input[name=backend][value=upstream]', 'aria-describedby'), 'backend-note', 'the note says why, to whoever reaches the choice');
    assert.match(await page.locator('#backend-note').innerText(), /./);

    assert.deepEqual(await jobIdentifiers(page), SEEDED_IDENTIFIERS);
    const prod = page.locator('tr[data-identifier=deploy_prod_03]');
    assert.equal(await text(prod.locator('.job-name')), '部署到生产环境');
    // Chinese text is marked as such (a screen reader's English voice would spell it out).
    assert.equal(await prod.locator('.job-name [dir=auto]').getAttribute('lang'), 'zh');
    assert.equal(await prod.locator('code[dir=auto]').getAttribute('lang'), null, 'an ASCII identifier is not');
    assert.equal(await text(prod.locator('.num')), '9007199254740991');
    assert.deepEqual(await prod.locator('dl.params dt').allInnerTexts(), ['branch', 'env']);
    assert.deepEqual(await prod.locator('dl.params dd').allInnerTexts(), ['master', 'prod']);
    const raw = '{"branch":"master","env":"prod"}';
    // No title: it became the list's accessible name, the raw text read before the parameters.
    assert.equal(await prod.locator('dl.params').getAttribute('title'), null);
    assert.equal(await prod.locator('details.raw pre').isVisible(), false);
    await prod.locator('details.raw summary').click();
    assert.equal(await text(prod.locator('details.raw pre')), raw, 'raw text on expand');
    const rollback = page.locator('tr[data-identifier=rollback_04]');
    // A dash for the eye, words for a screen reader.
    assert.equal(await text(rollback.locator('.num [aria-hidden=true]')), '—');
    assert.equal(await rollback.locator('.num .visually-hidden').textContent(), 'never run');
    assert.equal(await text(rollback.locator('.params-cell')), 'none');

    assert.match(await text(page.locator('#request-id')), REQUEST_ID);
    assert.match(await text(page.locator('#result h2')), /^4 jobs$/);
    assert.equal(await page.title(), '4 jobs · Pipeline jobs · yunxiao-pipeline-jobs demo');
    await assertNoHorizontalOverflow(page);
    await screenshot(page, 'seeded-laptop');
    assertNoConsoleErrors(problems);
  }));

test('a missing pipeline (typed, Enter) shows NotFoundError: code, status, request id, zh+en meaning, no retry', () =>
  withPage({}, async ({ page, problems, responses }) => {
    await waitForResult(page, 'ok');
    await page.focus('#pipelineId');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('999999');
    await page.keyboard.press('Enter');
    await waitForResult(page, 'error');

    const card = page.locator('#result article.error');
    assert.equal(await card.getAttribute('data-error-class'), 'NotFoundError');
    assert.equal(await text(card.locator('.badge')), 'NotFoundError');
    assert.equal(await page.title(), `${await text(card.locator('.result-title'))} · Pipeline jobs · yunxiao-pipeline-jobs demo`, 'the tab says what happened');
    assert.equal(await text(card.locator('.error-code')), 'InvalidPipeline.NotFound');
    assert.equal(await text(card.locator('.error-status')), '404');
    // What was asked is said with the error too (a mistyped id is then plain to see).
    assert.equal(await text(card.locator('.context')), `Category DEPLOY, pipeline 999999 of organization ${ORG}, via the bundled emulator.`);
    const requestId = await text(card.locator('.error-request-id'));
    assert.match(requestId, REQUEST_ID);
    // The id shown is the one the API answered with, relayed unchanged by the proxy.
    const answer = responses.find((r) => r.url().includes('/pipeline/999999/') && r.status() === 404);
    assert.ok(answer, 'the 404 answer reached the browser');
    assert.equal((await answer.allHeaders())['x-acs-request-id'], requestId);
    const info = await errorCodeInfo('InvalidPipeline.NotFound');
    assert.equal(await text(card.locator('.meaning-zh')), info.zh);
    assert.equal(await text(card.locator('.meaning-en')), info.en);
    assert.equal(await card.locator('#retry').count(), 0, 'not retryable');
    await screenshot(page, 'not-found');

    // Remembered: the organization and pipeline, per backend, and nothing else.
    const stored = await page.evaluate(() => ({ ...localStorage }));
    assert.deepEqual(Object.keys(stored), ['yunxiao-pipeline-jobs-demo']);
    assert.deepEqual(JSON.parse(stored['yunxiao-pipeline-jobs-demo']), { emulator: { organizationId: ORG, pipelineId: '999999' } });
    for (const secret of SECRETS) assert.ok(!JSON.stringify(stored).includes(secret));
    await page.reload();
    assert.equal(await page.inputValue('#pipelineId'), '999999', 'the last pipeline is remembered');
    await waitForResult(page, 'error');
    assertNoConsoleErrors(problems, { apiStatuses: [404] });
  }));

test('an example button or a blank organization is not remembered: a reload lists the seeded jobs again', () =>
  withPage({}, async ({ page, problems }) => {
    await waitForResult(page, 'ok');
    await page.click('[data-example=not-found]');
    await waitForResult(page, 'error');
    // Nor the example's ids sent again with "List jobs".
    await submitAgain(page);
    await waitForResult(page, 'error');
    assert.deepEqual(await page.evaluate(() => ({ ...localStorage })), {}, 'nothing was remembered');
    await page.fill('#organizationId', '   '); // passes `required`, trims to nothing
    await page.click('#submit');
    await page.waitForFunction(() => document.querySelector('#result article.error')?.dataset.errorClass === 'InvalidArgumentError');
    assert.deepEqual(await page.evaluate(() => ({ ...localStorage })), {}, 'nothing was remembered');
    // Nor an id the package refuses (a reload would reopen on the refusal).
    await page.fill('#organizationId', 'x'.repeat(16_385));
    await page.click('#submit');
    await page.waitForFunction(() => /longer than 16384/.test(document.querySelector('#result .message')?.textContent ?? ''));
    assert.deepEqual(await page.evaluate(() => ({ ...localStorage })), {}, 'nothing was remembered');
    await page.reload();
    await waitForResult(page, 'ok');
    assert.deepEqual(await jobIdentifiers(page), SEEDED_IDENTIFIERS);
    await screenshot(page, 'reload-after-example');
    assertNoConsoleErrors(problems, { apiStatuses: [404] });
  }));

test('Cancel (button or Esc) during the slow backend ends the call at once and leaves the page usable', () =>
  withPage({}, async ({ page, problems }) => {
    await waitForResult(page, 'ok');
    const started = Date.now();
    await page.click('[data-example=slow]');
    await waitForResult(page, 'loading');
    assert.equal(await page.isVisible('#result .spinner'), true);
    // Not aria-busy: Cancel is inside the result, and a busy region can hide it from a screen reader.
    assert.equal(await page.getAttribute('#result', 'aria-busy'), null);
    await page.waitForTimeout(400);
    await screenshot(page, 'slow-loading');
    await page.click('#cancel');
    await waitForResult(page, 'cancelled', 2000);
    assert.ok(Date.now() - started < 2500, 'cancelled before the 3 s answer');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'submit', 'focus goes back to the form');
    await screenshot(page, 'slow-cancelled');


    // A later search works, and the abandoned slow answer never lands on top of it.
    await page.click('[data-example=seeded]');
    await waitForResult(page, 'ok');
    assert.deepEqual(await jobIdentifiers(page), SEEDED_IDENTIFIERS);
    await page.waitForTimeout(Math.max(0, 3500 - (Date.now() - started)));
    assert.equal(await page.getAttribute('#result', 'data-state'), 'ok');
    // The abort went through the proxy to the emulator, which saw the client leave and never answered.
    const slow = (await emulatorRequests(e2e.demo.emulator.url)).filter((r) => r.path.includes('/pipeline/7654321/'));
    assert.equal(slow.length, 1);
    assert.equal(slow[0].status, null, `the emulator answered a cancelled call: ${JSON.stringify(slow[0])}`);

    // Keyboard only: type the slow pipeline, Enter, Esc.
    await page.focus('#pipelineId');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('7654321');
    await page.keyboard.press('Enter');
    await waitForResult(page, 'loading');
    await page.keyboard.press('Escape');
    await waitForResult(page, 'cancelled', 2000);
    await page.keyboard.press('Enter'); // focus is on the form: Enter searches again
    await waitForResult(page, 'loading');
    await waitForResult(page, 'ok', 6000);
    assert.deepEqual(await jobIdentifiers(page), ['slow_job_01']);
    assertNoConsoleErrors(problems);
  }));

test('each error class looks distinct, with its code and meaning; retryable ones offer Retry', () =>
  withPage({}, async ({ page, problems }) => {
    await waitForResult(page, 'ok');
    // not-found is the test above's.
    const cases = ERROR_EXAMPLES.filter(([example]) => example !== 'not-found');
    const looks = new Map();
    for (const [example, className, status, code, retryable] of cases) {
      await page.click(`[data-example=${example}]`);
      await waitForResult(page, 'error');
      const card = page.locator('#result article.error');
      assert.equal(await card.getAttribute('data-error-class'), className, example);
      assert.equal(await text(card.locator('.badge')), className);
      assert.equal(await text(card.locator('.error-code')), code);
      assert.equal(await text(card.locator('.error-status')), status);
      assert.match(await text(card.locator('.error-request-id')), REQUEST_ID, `${example}: request id`);
      assert.equal(await card.locator('#retry').count(), retryable ? 1 : 0, `${example}: retry button`);
      const info = await errorCodeInfo(code);
      if (info) {
        assert.equal(await text(card.locator('.meaning-zh')), info.zh);
        assert.equal(await text(card.locator('.meaning-en')), info.en);
      } else {
        assert.match(await text(card.locator('.meaning')), /not in the API’s error table/);
      }
      const look = await card.evaluate((el) => `${el.querySelector('h2').textContent}|${getComputedStyle(el).borderLeftColor}|${el.className}`);
      looks.set(className, look);
      await screenshot(page, `error-${className}`);
    }
    assert.equal(new Set(looks.values()).size, cases.length, `every class is presented differently: ${[...looks.values()]}`);
    assert.equal(await text(page.locator('#result .facts')).then((s) => s.includes('jobs[4].lastJobId')), true, 'the bad field is named');
    assert.equal(await page.inputValue('#organizationId'), ORG, 'examples fill the form');

    // Retry repeats the same call (the package retried twice already: 3 attempts each time).
    const before = (await emulatorRequests(e2e.demo.emulator.url)).filter((r) => r.scenario === 'unavailable').length;
    await page.click('[data-example=unavailable]');
    await waitForResult(page, 'error');
    // From the keyboard: the focus, on Retry, moves to Cancel and then to the new result (the
    // buttons it was on go away), never back to the page itself.
    await page.focus('#retry');
    await page.keyboard.press('Enter');
    await waitForResult(page, 'error');
    assert.equal(await text(page.locator('#result .error-code')), 'ServiceUnavailable');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'result');
    assert.equal(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'solid', 'where the focus went is shown');
    const afterRetry = (await emulatorRequests(e2e.demo.emulator.url)).filter((r) => r.scenario === 'unavailable').length;
    assert.equal(afterRetry - before, 6, 'two calls of three attempts');
    assertNoConsoleErrors(problems, { apiStatuses: [400, 403, 404, 429, 503] });
  }));

test('a wasm that does not load, or a browser without WebAssembly: said plainly, at once, with Retry only where it can help', async () => {
  const missing = (context) => context.route('**/glue_bg.wasm', (route) => route.fulfill({ status: 404, body: 'gone' }));
  const noWasm = (context) => context.addInitScript(() => { delete globalThis.WebAssembly; });
  for (const [prepare, title, retry] of [[missing, 'Package not loaded', 1], [noWasm, 'WebAssembly is off', 0]]) {
    await withPage({ prepare }, async ({ page }) => {
      // The page searches on load. Before, a failed load was followed by a lookup of the code
      // in the API table, which waited up to 10 s more for the same wasm.
      await waitForResult(page, 'error', 5_000);
      const card = page.locator('#result article.error');
      assert.equal(await card.getAttribute('data-error-class'), 'NetworkError');
      assert.equal(await text(card.locator('.error-code')), 'WasmUnavailable');
      assert.equal(await text(card.locator('.result-title')), title);
      // The page loads the wasm from beside index.js: the hint says where the file goes.
      if (retry) assert.match(await text(page.locator('#error-message')), /; serve glue_bg\.wasm beside index\.js, or pass its URL to initialize\(\)$/);
      assert.equal(await card.locator('#retry').count(), retry, `${title}: retry button`);
      await screenshot(page, `wasm-${retry ? 'missing' : 'off'}`);
    });
  }
});

test('unusual data and the empty state render as data (no markup injection, no prototype pollution)', () =>
  withPage({}, async ({ page, problems }) => {
    await waitForResult(page, 'ok');
    await page.click('[data-example=unusual]');
    await waitForResult(page, 'ok');
    const notJson = page.locator('tr[data-identifier=edge_not_json]');
    assert.equal(await text(notJson.locator('.tag')), 'not a JSON object');
    assert.equal(await notJson.locator('details.raw pre').textContent(), 'not json');
    // An object with a number JavaScript would round: told apart from text that is no object.
    const inexact = page.locator('tr[data-identifier=edge_inexact_params]');
    assert.equal(await text(inexact.locator('.tag')), 'not exact in JavaScript, or nested too deep: see the raw text');
    assert.equal(await inexact.locator('details.raw pre').textContent(), '{"runId":1234567890123456789}');
    const proto = page.locator('tr[data-identifier=edge_proto]');
    assert.deepEqual(await proto.locator('dl.params dt').allInnerTexts(), ['__proto__', 'constructor', 'env']);
    assert.equal(await page.evaluate(() => ({}).polluted), undefined);
    assert.equal(await text(page.locator('tr[data-identifier=edge_digit_string] .num')), '42');
    assert.equal(await text(page.locator('tr[data-identifier=edge_zero] .num')), '0');
    assert.match(await text(page.locator('tr[data-identifier=edge_unicode_名字] .job-name')), /🚀 发布/);
    // Markup from the server is text: shown as sent, never parsed, never run.
    const markup = page.locator('tr[data-identifier=edge_markup]');
    assert.equal(await markup.locator('.job-name').textContent(), '<img src=x onerror="window.injected=1"><b>markup</b> &amp; <script>window.injected=2</script>');
    assert.deepEqual(await markup.locator('dl.params dt').allTextContents(), ['<b>key</b>']);
    assert.equal(await markup.locator('dl.params dd').textContent(), '<img src=x onerror="window.injected=3">');
    assert.equal(await page.locator('#result img, #result script, #result b').count(), 0);
    assert.equal(await page.evaluate(() => window.injected), undefined);
    await assertNoHorizontalOverflow(page);
    await screenshot(page, 'unusual-data');

    await page.click('[data-example=empty]');
    await waitForResult(page, 'empty');
    assert.equal(await text(page.locator('#result h2')), 'No jobs');
    assert.equal(await page.locator('#result table').count(), 0);
    assert.match(await text(page.locator('#request-id')), REQUEST_ID);
    await screenshot(page, 'empty');
    assertNoConsoleErrors(problems);
  }));

test('phone width: no horizontal overflow for jobs, unusual data, errors and loading', () =>
  withPage({ viewport: PHONE }, async ({ page, problems }) => {
    await waitForResult(page, 'ok');
    await assertNoHorizontalOverflow(page);
    await screenshot(page, 'seeded-phone');
    // Rows become cards, each cell labelled for the eye; a screen reader hears the column's
    // header, not the label a second time.
    const prod = page.locator('tr[data-identifier=deploy_prod_03]');
    assert.match(await prod.locator('td.job-name').evaluate((td) => getComputedStyle(td, '::before').content), /Job/);
    assert.match(await prod.ariaSnapshot(), /^- row "部署到生产环境 deploy_prod_03 9007199254740991 branch master env prod"/);
    for (const [example, state] of [['unusual', 'ok'], ['not-found', 'error'], ['unavailable', 'error'], ['big-id', 'error']]) {
      await page.click(`[data-example=${example}]`);
      await waitForResult(page, state);
      await assertNoHorizontalOverflow(page);
      await screenshot(page, `${example}-phone`);
    }
    // Text enlarged to 200 % (a reader's font-size setting, not zoom): an error's facts still fit.
    await page.evaluate(() => { document.documentElement.style.fontSize = '200%'; });
    await page.click('[data-example=not-found]');
    await waitForResult(page, 'error');
    await assertNoHorizontalOverflow(page);
    await page.evaluate(() => { document.documentElement.style.fontSize = ''; });
    await page.click('[data-example=slow]');
    await waitForResult(page, 'loading');
    await assertNoHorizontalOverflow(page);
    await page.click('#cancel');
    await waitForResult(page, 'cancelled');
    assertNoConsoleErrors(problems, { apiStatuses: [404, 503] });
  }));

/** WCAG contrast ratio of two `rgb(r, g, b)` colours. */
function contrast(a, b) {
  const luminance = (css) => {
    const [r, g, b] = css.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => v / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('light and dark: the focus ring and the fields\' and buttons\' borders stand out (3:1), the hovered button\'s text stays 4.5:1; reduced motion stops the spinner', () =>
  withPage({}, async ({ page }) => {
    await waitForResult(page, 'ok');
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme, reducedMotion: 'no-preference' });
      await page.focus('#pipelineId');
      await page.keyboard.press('Shift+Tab'); // a keyboard focus: :focus-visible
      await page.keyboard.press('Tab');
      const colours = await page.evaluate(() => {
        const style = (selector) => getComputedStyle(document.querySelector(selector));
        return {
          page: getComputedStyle(document.body).backgroundColor,
          card: style('#query').backgroundColor,
          ring: style('#pipelineId').outlineColor,
          ringStyle: style('#pipelineId').outlineStyle,
          field: style('#pipelineId').borderTopColor,
          example: style('.example').borderTopColor,
        };
      });
      assert.equal(colours.ringStyle, 'solid', `${colorScheme}: the focused field shows its ring`);
      for (const [what, colour, against] of [['focus ring', colours.ring, ['card', 'page']], ['field border', colours.field, ['card']], ['example button border', colours.example, ['page']]]) {
        for (const background of against) {
          const ratio = contrast(colour, colours[background]);
          assert.ok(ratio >= 3, `${colorScheme}: ${what} ${colour} on the ${background} ${colours[background]}: ${ratio.toFixed(2)}:1`);
        }
      }
      await page.hover('#submit');
      const hovered = await page.evaluate(() => {
        const style = getComputedStyle(document.querySelector('#submit'));
        return { background: style.backgroundColor, text: style.color, filter: style.filter };
      });
      // CSS brightness() scales each sRGB channel: the colour the text is seen on.
      const amount = Number(/brightness\(([\d.]+)\)/.exec(hovered.filter)?.[1] ?? 1);
      const seen = `rgb(${hovered.background.match(/[\d.]+/g).slice(0, 3).map((v) => Math.min(255, Number(v) * amount)).join(', ')})`;
      const textSeen = `rgb(${hovered.text.match(/[\d.]+/g).slice(0, 3).map((v) => Math.min(255, Number(v) * amount)).join(', ')})`;
      assert.ok(contrast(seen, textSeen) >= 4.5, `${colorScheme}: hovered List jobs ${textSeen} on ${seen}`);
    }
    await page.emulateMedia({ reducedMotion: 'reduce' });
    const animation = await page.evaluate(() => {
      const spinner = Object.assign(document.createElement('div'), { className: 'spinner' });
      document.body.append(spinner);
      const name = getComputedStyle(spinner).animationName;
      spinner.remove();
      return name;
    });
    assert.equal(animation, 'none', 'no spinning under prefers-reduced-motion');
  }));
