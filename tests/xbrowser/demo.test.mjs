// The demo page against the bundled emulator in Chromium, Firefox ESR and WebKitGTK: the first
// facts tests/e2e/demo.test.mjs checks in Chromium, with more (the seeded list, each error
// example), and a console free of errors and warnings throughout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodeInfo } from '../../pkg/node/index.mjs';
import { ERROR_EXAMPLES, SEEDED_IDENTIFIERS } from '../e2e/helpers.mjs';
import { forEachBrowser, startDemoWithCapture, waitInPage, assertNoPageProblems } from './helpers.mjs';

const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

let page;
before(async () => {
  page = await startDemoWithCapture();
});
after(() => page?.close());

forEachBrowser('the demo page', (browser) => {
  /** Waits for the result area to show something new in `state` (the page replaces its content each time). */
  const waitForNewResult = (state, previous) => waitInPage(browser.session, `a new result in state "${state}"`,
    (state, previous) => {
      const result = document.querySelector('#result');
      return result?.dataset.state === state && result.firstElementChild?.dataset.xbrowserSeen !== previous;
    }, [state, previous], 15_000).catch(async (error) => {
    const seen = await browser.session.execute(() => [document.querySelector('#result')?.dataset.state, document.querySelector('#result')?.innerText]);
    throw new Error(`${error.message} (state ${seen[0]}: ${seen[1]})`, { cause: error });
  });
  /** Marks what the result area shows now, so a wait can tell it from what comes next. */
  const markResult = (mark) => browser.session.execute((mark) => {
    const shown = document.querySelector('#result').firstElementChild;
    if (shown) shown.dataset.xbrowserSeen = mark;
  }, mark);
  const text = (css) => browser.session.execute((css) => document.querySelector(css)?.innerText.trim() ?? null, css);

  test('first load lists the seeded pipeline: names, ids (2^53-1 exact), parameters, request id', async () => {
    await browser.session.navigate(`${page.url}/`);
    await waitForNewResult('ok', null);
    const rows = await browser.session.execute(() => [...document.querySelectorAll('#result table.jobs tbody tr')].map((row) => ({
      identifier: row.dataset.identifier,
      name: row.querySelector('.job-name').innerText.trim(),
      // What is shown (a never-run job's dash; its words are for screen readers).
      id: (row.querySelector('.num [aria-hidden=true]') ?? row.querySelector('.num')).innerText.trim(),
    })));
    assert.deepEqual(rows.map((row) => row.identifier), SEEDED_IDENTIFIERS);
    const prod = rows.find((row) => row.identifier === 'deploy_prod_03');
    assert.equal(prod.name, '部署到生产环境');
    assert.equal(prod.id, '9007199254740991');
    assert.equal(rows.find((row) => row.identifier === 'rollback_04').id, '—');
    const params = await browser.session.execute(() => [...document.querySelectorAll('tr[data-identifier=deploy_prod_03] dl.params dt, tr[data-identifier=deploy_prod_03] dl.params dd')].map((e) => e.innerText.trim()));
    assert.deepEqual(params, ['branch', 'master', 'env', 'prod']);
    assert.match(await text('#request-id'), REQUEST_ID);
    assert.equal(await text('#result h2'), '4 jobs');
  });

  test('each error example shows its class, code, HTTP status, request id, meaning and (if retryable) Retry', async () => {
    for (const [example, className, status, code, retryable] of ERROR_EXAMPLES) {
      await markResult(example);
      await browser.session.click(`[data-example=${example}]`);
      await waitForNewResult('error', example);
      const card = await browser.session.execute(() => {
        const card = document.querySelector('#result article.error');
        const text = (css) => card?.querySelector(css)?.innerText.trim() ?? null;
        return {
          className: card?.dataset.errorClass, badge: text('.badge'), code: text('.error-code'), status: text('.error-status'),
          requestId: text('.error-request-id'), retry: card?.querySelectorAll('#retry').length,
          zh: text('.meaning-zh'), en: text('.meaning-en'), meaning: text('.meaning'),
        };
      });
      const info = await errorCodeInfo(code);
      assert.deepEqual(
        { className: card.className, badge: card.badge, code: card.code, status: card.status, retry: card.retry },
        { className, badge: className, code, status, retry: retryable ? 1 : 0 },
        example,
      );
      assert.match(card.requestId ?? '', REQUEST_ID, `${example}: request id`);
      if (info) {
        assert.deepEqual([card.zh, card.en], [info.zh, info.en], `${example}: meaning`);
      } else {
        assert.match(card.meaning ?? '', /not in the API’s error table/, `${example}: meaning`);
      }
    }
    assert.ok((await text('#result .facts')).includes('jobs[4].lastJobId'), 'big-id: the field beyond 2^53 is named');
  });

  test('no console errors or warnings on the way', async () => {
    await assertNoPageProblems(browser.session);
    // And the recorder works: a warning the page logs reaches it.
    await browser.session.execute(() => console.warn('xbrowser: recorder check'));
    assert.deepEqual(await browser.session.execute(() => window.__xbrowserProblems), ['console.warn: xbrowser: recorder check']);
  });
});
