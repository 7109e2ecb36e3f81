// The demo page: uses the package's browser build exactly as a web app would. The page never
// holds credentials: it calls the package with `endpoint` pointing at the demo server's signing
// proxy (/api/emulator or /api/upstream), which signs in Node and relays the API's answer.

// Imported dynamically: a static import that failed would leave the page blank, without a word.
let listPipelineJobs, errorCodeInfo, YunxiaoError;

const STORAGE_KEY = 'yunxiao-pipeline-jobs-demo';
const BACKENDS = ['emulator', 'upstream'];

const $ = (id) => document.getElementById(id);
const form = $('query');
const result = $('result');
const submitButton = $('submit');
const fields = { organizationId: $('organizationId'), pipelineId: $('pipelineId'), category: $('category') };
const LABELS = { organizationId: 'Organization ID', pipelineId: 'Pipeline ID', category: 'Category' };
/** Rows rendered at first, and at each "Show more": thousands of rows at once would freeze the page. */
const ROWS_AT_A_TIME = 200;

/** How each error class is presented: a title, what it means for the user, and a tone. */
const CLASSES = {
  InvalidArgumentError: ['Invalid input', 'The package refused the input before sending anything.', 'input'],
  AuthenticationError: ['Authentication failed', 'The AccessKey the proxy signs with was rejected.', 'auth'],
  ForbiddenError: ['Not allowed', 'The key’s user may not see this organization or pipeline.', 'auth'],
  NotFoundError: ['Not found', 'No such organization or pipeline, or it is not visible to this key.', 'missing'],
  BadRequestError: ['Request refused', 'The API refused the request as it stands.', 'input'],
  ThrottlingError: ['Throttled', 'Too many requests: the package waited and retried, and the API still said no.', 'transient'],
  ServerError: ['Server error', 'The server failed; the package already retried. It may work a little later.', 'transient'],
  NetworkError: ['No answer', 'The request got no HTTP answer: is the demo server still running?', 'transient'],
  TimeoutError: ['Timed out', 'No complete answer in time, after retries.', 'transient'],
  InvalidResponseError: ['Unexpected answer', 'The answer is not what the API documents (the message says how).', 'broken'],
};

/** More to say for some errors, by backend or by code. */
function advice(request, error) {
  if (typeof error.code === 'string' && error.code.startsWith('Proxy')) {
    return request.backend === 'upstream'
      ? 'The demo server’s proxy could not complete the call (the code says why): check that its UPSTREAM is right and reachable from the server.'
      : 'The demo server’s proxy could not complete the call to its bundled emulator (the code says why): restarting `make demo` starts both afresh.';
  }
  if (error.name === 'AuthenticationError') {
    if (request.backend !== 'upstream') return 'The emulator’s own demo key was refused here on purpose: this is what a wrong or revoked key looks like.';
    return byToken(request)
      ? 'Check the YUNXIAO_ACCESS_TOKEN the demo server was started with.'
      : 'Check the ALIBABA_CLOUD_ACCESS_KEY_ID and _SECRET (and _SECURITY_TOKEN) the demo server was started with.';
  }
  return null;
}

/** Whether the request went to the backend that the demo server calls with an access token. */
const byToken = (request) => request.backend === 'upstream' && config.backends.upstream?.by === 'token';

let config = { backends: {} };
let current = null; // the search in flight: { controller, request }

// -- small DOM helper: text only, never innerHTML (job names and parameters are server data) --

function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child !== undefined && child !== null && child !== false) el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** One short line for screen readers: what just happened. */
function announce(text) {
  $('status').textContent = text;
}

const PAGE_TITLE = document.title;

function show(state, ...content) {
  // A control in the result (Retry, Cancel) that had focus is about to go: focus moves to the
  // result itself rather than falling back to the page.
  const hadFocus = result.contains(document.activeElement) && document.activeElement !== result;
  // No aria-busy on the result while loading: Cancel is in it, and a busy region hides its
  // content (the button with it) from some screen readers.
  result.dataset.state = state;
  result.replaceChildren(...content);
  // The tab's title says what the page shows ("4 jobs", "Pipeline not found"), for whoever
  // comes back to it or hears it read.
  const heading = result.querySelector('.result-title')?.textContent.trim();
  document.title = state === 'loading' ? `Listing… · ${PAGE_TITLE}` : heading ? `${heading} · ${PAGE_TITLE}` : PAGE_TITLE;
  if (hadFocus) (state === 'loading' ? $('cancel') : result)?.focus();
}

// -- remembered ids: organization and pipeline per backend, nothing else --

function readStore() {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}');
    return value !== null && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

const nonEmptyString = (value) => typeof value === 'string' && value !== '';

function remembered(backend) {
  const entry = readStore()[backend];
  // Empty ids are never worth restoring: the seeded ones would be hidden behind blank fields.
  return entry && nonEmptyString(entry.organizationId) && nonEmptyString(entry.pipelineId)
    ? { organizationId: entry.organizationId, pipelineId: entry.pipelineId }
    : null;
}

function remember(backend, organizationId, pipelineId) {
  const store = readStore();
  const next = {};
  for (const name of BACKENDS) if (store[name] && name !== backend) next[name] = store[name];
  next[backend] = { organizationId, pipelineId };
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  } catch {
    // storage full or disabled: remembering is a convenience
  }
}

// -- the call --

function endpointFor(request) {
  const scenario = request.scenario ? `/_s/${encodeURIComponent(request.scenario)}` : '';
  return `${location.origin}/api/${request.backend}${scenario}`;
}

async function search(request) {
  abandon();
  const controller = new AbortController();
  const mine = { controller, request };
  current = mine;
  // On a phone the result is below the examples, out of sight: a search the user started (not
  // the one at load) brings its spinner into view, then its answer to the top of the view, or
  // nothing would seem to happen.
  const outOfView = (request.typed || request.label) && result.getBoundingClientRect().top > innerHeight;
  const loading = showLoading(request, () => cancel());
  if (outOfView) result.scrollIntoView({ block: 'nearest' });
  const bringAnswerIntoView = () => {
    if (!outOfView) return;
    result.scrollIntoView({ block: 'start' });
    // What had the focus (an example, List jobs) is now out of sight above: the keyboard goes on
    // from the answer, not from a control the reader can no longer see.
    const focused = document.activeElement;
    if (focused && focused !== document.body && !result.contains(focused) && focused.getBoundingClientRect().bottom <= 0) {
      result.focus({ preventScroll: true });
    }
  };
  const started = performance.now();
  try {
    // Each request the package sends, counted: a backend that fails or hangs is retried, and
    // the spinner then says so rather than spin on for half a minute unexplained.
    let attempts = 0;
    const countingFetch = (input, init) => {
      if (++attempts > 1 && current === mine) loading.attempt(attempts);
      return fetch(input, init);
    };
    const list = await listPipelineJobs(request.organizationId, request.pipelineId, request.category, {
      endpoint: endpointFor(request),
      signal: controller.signal,
      fetch: countingFetch,
    });
    if (current === mine) {
      rememberTyped(request);
      showJobs(request, list, performance.now() - started);
      bringAnswerIntoView();
    }
  } catch (error) {
    if (current !== mine) return; // superseded by a newer search, or abandoned
    if (controller.signal.aborted) {
      showCancelled(request);
    } else {
      // Input the package refused is not worth reopening the page on.
      if (!(error instanceof YunxiaoError && error.name === 'InvalidArgumentError')) rememberTyped(request);
      // Looked up only once an answer came (a status): the wasm is then surely loaded. Before
      // any answer (Timeout, WasmUnavailable…) the lookup could wait on a wasm that never loads,
      // and such codes are the package's own, in no API table anyway.
      const answered = error instanceof YunxiaoError && error.status > 0;
      const info = answered ? await errorCodeInfo(error.code).catch(() => null) : null;
      if (current === mine) {
        showError(request, error, info);
        // Not when the package refused the input: the field to fix has the focus, and stays in view.
        if (error?.name !== 'InvalidArgumentError') bringAnswerIntoView();
      }
    }
  } finally {
    loading.stop();
    if (current === mine) current = null;
  }
}

/** Drops the search in flight without reporting it (the user moved on). */
function abandon() {
  const previous = current;
  current = null;
  previous?.controller.abort();
}

function cancel() {
  if (!current) return;
  const hadFocus = result.contains(document.activeElement);
  current.controller.abort();
  // The Cancel button is about to disappear: keep keyboard focus somewhere useful.
  if (hadFocus) submitButton.focus();
}

// -- rendering --

function describe(request) {
  const where = request.backend === 'emulator' ? 'the bundled emulator' : `your Yunxiao (${config.backends.upstream?.host ?? 'upstream'})`;
  return request.label ? `${where}, example “${request.label}”` : where;
}

function showLoading(request, onCancel) {
  const elapsed = h('span', { class: 'elapsed', 'aria-hidden': 'true' }, '0.0 s'); // not re-announced 10×/s
  const started = performance.now();
  const timer = setInterval(() => {
    elapsed.textContent = `${((performance.now() - started) / 1000).toFixed(1)} s`;
  }, 100);
  const retrying = h('span', { class: 'retrying' });
  announce(`Listing the jobs of pipeline ${request.pipelineId}…`);
  show('loading', h('div', { class: 'loading' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    h('p', null, 'Listing the jobs of pipeline ', h('strong', { dir: 'auto' }, request.pipelineId), ' via ', describe(request), '… ', elapsed, retrying),
    h('button', { type: 'button', id: 'cancel', class: 'secondary', onclick: onCancel }, 'Cancel'),
  ));
  return {
    stop: () => clearInterval(timer),
    /** The package is sending its `n`th request: an earlier one failed or timed out. */
    attempt(n) {
      retrying.textContent = ` The last attempt failed or timed out: trying again (attempt ${n}).`;
      announce(`Trying again: attempt ${n}.`);
    },
  };
}

function requestIdLine(requestId) {
  return h('p', { class: 'request-id' }, 'Request id ',
    requestId ? h('code', { id: 'request-id' }, shown(requestId, { bidi: true })) : h('span', { class: 'muted' }, 'none in the answer'));
}

function showJobs(request, { requestId, jobs }, ms) {
  const heading = h('h2', { class: 'result-title' },
    jobs.length === 0 ? 'No jobs' : `${jobs.length} ${jobs.length === 1 ? 'job' : 'jobs'}`);
  const shownContext = context(request, `, answered in ${Math.round(ms)} ms.`);
  announce(jobs.length === 0 ? 'No jobs.' : `${jobs.length} ${jobs.length === 1 ? 'job' : 'jobs'} listed.`);
  if (jobs.length === 0) {
    show('empty', h('div', { class: 'empty' }, heading, shownContext,
      h('p', null, 'The pipeline exists but has no jobs in this category yet. Jobs appear here once the pipeline has run.')),
      requestIdLine(requestId));
    return;
  }
  // Roles spelt out: on narrow screens the rows are laid out as cards (display: block), and
  // WebKit then drops a table's own semantics.
  const column = (title) => h('th', { scope: 'col', role: 'columnheader' }, title);
  const table = h('table', { class: 'jobs', role: 'table' },
    h('caption', { class: 'visually-hidden' }, `Jobs of pipeline ${request.pipelineId}`),
    h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' }, column('Job'), column('Identifier'), column('Last job id'), column('Parameters'))),
    h('tbody', { role: 'rowgroup' }),
  );
  const tbody = table.tBodies[0];
  // Rows come ROWS_AT_A_TIME at a time: 10,000 at once is 200,000 nodes and a frozen page.
  const count = h('span', { class: 'muted' });
  const button = h('button', { type: 'button', class: 'secondary', id: 'show-more' });
  const more = h('div', { class: 'more' }, count, button);
  const showMore = () => {
    const from = tbody.rows.length;
    tbody.append(...jobs.slice(from, from + ROWS_AT_A_TIME).map(row));
    const shown = tbody.rows.length;
    more.hidden = shown === jobs.length;
    count.textContent = `${shown} of ${jobs.length} shown.`;
    button.textContent = `Show ${Math.min(ROWS_AT_A_TIME, jobs.length - shown)} more`;
  };
  button.addEventListener('click', () => {
    const firstNew = tbody.rows.length;
    showMore();
    announce(`${tbody.rows.length} of ${jobs.length} shown.`);
    // The button that had focus is gone: on to the first row it added, not back to the top.
    if (more.hidden) {
      const next = tbody.rows[firstNew];
      next.tabIndex = -1;
      next.focus();
    }
  });
  showMore();
  show('ok', heading, shownContext, h('div', { class: 'table-wrap' }, table), more, requestIdLine(requestId));
}

/** What was asked, as it was sent: the ids with any invisible or direction character shown. */
function context(request, ending) {
  return h('p', { class: 'context' },
    `Category ${request.category}, pipeline `, h('bdi', null, withVisibleBidi(request.pipelineId, INVISIBLE)), ' of organization ',
    h('code', { dir: 'auto' }, withVisibleBidi(request.organizationId, INVISIBLE)), `, via ${describe(request)}${ending}`);
}

// What one field of the server's text shows at most: an answer may hold megabytes in one field,
// and a page that laid them all out (one element per direction mark, per parameter) froze for
// minutes. The rest is counted, not shown.
const SHOWN_CHARS = 2_000;
const SHOWN_RAW_CHARS = 20_000;
const SHOWN_PARAMS = 200;

/** The first `limit` characters of `text` (never half a surrogate pair), and how many are left out. */
function clip(text, limit = SHOWN_CHARS) {
  if (text.length <= limit) return { text, more: 0 };
  const end = /[\ud800-\udbff]/.test(text[limit - 1]) ? limit - 1 : limit;
  return { text: text.slice(0, end), more: text.length - end };
}

/** `text` clipped (direction marks shown, if asked; runs of Chinese, Japanese or Korean in it
 *  marked with their language, if asked), with a note of what was left out. */
function shown(text, { limit = SHOWN_CHARS, bidi = false, runs = false } = {}) {
  const { text: head, more } = clip(text, limit);
  const parts = bidi ? withVisibleBidi(head) : [head];
  const { lang } = runs ? langOf(head) : {};
  return [lang ? parts.map((part) => (typeof part === 'string' ? inLanguage(part, lang) : part)) : parts,
    more > 0 ? h('span', { class: 'muted clipped' }, ` … and ${more.toLocaleString('en')} more characters`) : null];
}

/** Chinese text (job names, parameter values) marked as such, so that a screen reader speaks it
 *  in a Chinese voice rather than spelling it out in the page's English one; Japanese (kana
 *  among its kanji) and Korean too. */
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
const HANGUL = /\p{Script=Hangul}/u;
const HAN = /\p{Script=Han}/u;
const langOf = (text) => (KANA.test(text) ? { lang: 'ja' } : HANGUL.test(text) ? { lang: 'ko' } : HAN.test(text) ? { lang: 'zh' } : {});

/** A run of such text in an English one (a server's message, raw parameters): from its first
 *  such character to its last, with the digits, spaces and full-width punctuation between. */
const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}`;
const CJK_RUN = new RegExp(String.raw`[${CJK}](?:[${CJK}\u3000-\u303f\uff00-\uffef\p{Nd}\s]*[${CJK}\u3000-\u303f\uff00-\uffef])?`, 'gu');

/** `text` with each run of Chinese (or Japanese, Korean) in it marked `lang`: a screen reader
 *  speaks those in their voice and the rest in the page's English one. */
function inLanguage(text, lang) {
  return wrapMatches(text, CJK_RUN, (run) => h('span', { lang }, run));
}

function row(job) {
  return h('tr', { role: 'row', dataset: { identifier: clip(job.identifier).text } },
    cell('Job', 'job-name', h('span', { dir: 'auto', ...langOf(job.jobName) }, job.jobName ? shown(job.jobName) : h('em', { class: 'muted' }, '(no name)'))),
    // Code-like: a direction character in it is shown, or `ab\u202Edc` would read as "abcd".
    cell('Identifier', 'identifier', h('code', { dir: 'auto', ...langOf(job.identifier) }, shown(job.identifier, { bidi: true }))),
    // "Never run" said in words to a screen reader, not only as a dash (no tooltip: it would be
    // read a second time).
    cell('Last job id', 'num', job.lastJobId === null
      ? h('span', { class: 'muted' }, h('span', { 'aria-hidden': 'true' }, '—'), h('span', { class: 'visually-hidden' }, 'never run'))
      : String(job.lastJobId)),
    cell('Parameters', 'params-cell', renderParams(job)));
}

/** Bidirectional formatting characters, which would reorder the text around them. */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Those and every character Unicode says shows nothing (zero-width space, soft hyphen, joiners,
 *  variation selectors, BOM): in an id the user typed or pasted (`1234567` + U+200B), one of them
 *  alone makes "not found" a mystery. */
const INVISIBLE = /[\u061c\p{Default_Ignorable_Code_Point}]/gu;

/** Server text for a place where its own direction marks must not act (a message, a code or
 *  request id, the raw parameters): each mark (or each of `characters`) shown as its code point
 *  instead. */
function withVisibleBidi(text, characters = BIDI_CONTROLS) {
  return wrapMatches(text, characters, (character) =>
    h('span', { class: 'bidi', title: 'a formatting character' }, `⟨U+${character.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`));
}

/** `text` as parts: each match of the global `pattern` made an element by `wrap`, the text between kept as it is. */
function wrapMatches(text, pattern, wrap) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    parts.push(text.slice(last, match.index), wrap(match[0]));
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

/** A table cell; `data-label` names the column when rows become cards on narrow screens. */
function cell(label, className, ...content) {
  return h('td', { role: 'cell', 'data-label': label, class: className }, h('div', { class: 'cell' }, ...content));
}

function renderParams({ lastJobParams, lastJobParamsRaw }) {
  const raw = () => h('details', { class: 'raw' },
    h('summary', null, 'Raw text'), h('pre', null, h('code', null, shown(lastJobParamsRaw, { limit: SHOWN_RAW_CHARS, bidi: true, runs: true }))));
  if (lastJobParams === null) {
    // The package refuses an object JavaScript cannot hold exactly (numbers it would round, or
    // nesting too deep) as it refuses text that is no object: tell the two apart for the reader.
    let object = false;
    try {
      const parsed = JSON.parse(lastJobParamsRaw);
      object = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
    } catch {}
    const why = object ? 'not exact in JavaScript, or nested too deep: see the raw text' : 'not a JSON object';
    // No title holding the text: it would be read out again before the "Raw text" that holds it.
    return [h('span', { class: 'tag tag--warn' }, why), raw()];
  }
  const entries = Object.entries(lastJobParams);
  if (entries.length === 0) {
    return lastJobParamsRaw === '' ? h('span', { class: 'muted' }, 'none') : [h('span', { class: 'muted' }, 'empty'), raw()];
  }
  const left = entries.length - SHOWN_PARAMS;
  return [
    // No title on the list: it became the list's accessible name, the whole raw text read out
    // before the parameters (which the "Raw text" details hold anyway).
    h('dl', { class: 'params' },
      entries.slice(0, SHOWN_PARAMS).map(([key, value]) => {
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        return h('div', null, h('dt', { dir: 'auto', ...langOf(key) }, shown(key, { bidi: true })), h('dd', { dir: 'auto', ...langOf(text) }, shown(text)));
      })),
    left > 0 ? h('p', { class: 'muted clipped' }, `… and ${left.toLocaleString('en')} more parameters (see the raw text)`) : null,
    raw(),
  ];
}

function showCancelled(request) {
  announce('Cancelled.');
  show('cancelled', h('div', { class: 'notice' },
    h('h2', { class: 'result-title' }, 'Cancelled'),
    h('p', null, `The request for pipeline ${request.pipelineId} was aborted. The page is ready for another search.`)));
}

function showError(request, error, info) {
  const isOurs = error instanceof YunxiaoError;
  const className = isOurs ? error.name : 'Error';
  let [title, lead, tone] = isOurs && error.code === 'WasmUnavailable'
    ? wasmUnavailable()
    : CLASSES[className] ?? ['Unexpected error', 'Something outside the package failed.', 'broken'];
  if (className === 'AuthenticationError' && byToken(request)) lead = 'The access token the proxy sends was rejected.';
  // A 64-bit id is valid for the API, but JavaScript cannot hold it exactly: not the server's fault.
  if (className === 'InvalidResponseError' && /lastJobId$/.test(error.path ?? '') && /2\^53/.test(error.message)) {
    lead = 'An id in the answer is larger than JavaScript can hold exactly: the package refuses the answer rather than round the id.';
  }
  const fact = (label, ...value) => h('div', null, h('dt', null, label), h('dd', null, ...value));
  const sent = !(isOurs && className === 'InvalidArgumentError'); // refused before any request
  const facts = isOurs
    ? [
      fact('Code', h('code', { class: 'error-code' }, shown(error.code, { bidi: true }))),
      fact('HTTP status', error.status > 0
        ? h('span', { class: 'error-status' }, String(error.status))
        : h('span', { class: 'muted' }, !sent ? 'none: nothing was sent' : error.code === 'UnexpectedRedirect' ? '0 (a redirect: the browser hides its answer)' : '0 (no answer)')),
      fact('Request id', error.requestId ? h('code', { class: 'error-request-id' }, shown(error.requestId, { bidi: true })) : h('span', { class: 'muted' }, 'none')),
      error.path ? fact('Field', h('code', null, error.path)) : null,
      error.retryAfterMs !== undefined ? fact('Retry after', `${error.retryAfterMs} ms`) : null,
      fact('Attempts', String(error.attempts)),
    ]
    : [];
  // Only an answer's code can be in the API's table (see search()).
  const meaning = isOurs && error.status > 0
    ? h('div', { class: 'meaning' },
      h('h3', null, 'Meaning of the code (API error table)'),
      info
        ? [h('p', { lang: 'zh-CN', class: 'meaning-zh' }, info.zh), h('p', { lang: 'en', class: 'meaning-en' }, info.en)]
        : h('p', { class: 'muted' }, 'This code is not in the API’s error table.'))
    : null;
  const retry = isOurs && error.retryable && typeof WebAssembly === 'object'
    ? h('button', { type: 'button', class: 'primary', id: 'retry', onclick: () => search(request) }, 'Retry')
    : null;
  // The field the package refused, by its label: marked, and where the focus goes.
  const field = !sent && Object.hasOwn(LABELS, error.argument) ? error.argument : null;
  // What is wrong with it, said with the field's label (the message, which starts with the
  // argument it blames, says `pipelineId`).
  const named = `InvalidArgument: ${field} `;
  const problem = field && (error.message.startsWith(named) ? `The ${LABELS[field]} ${error.message.slice(named.length)}.` : error.message);
  const extra = isOurs ? advice(request, error) : null;
  // Said in words first (which field to fix, when one was refused); the class and code last.
  announce(`${title}.${field ? ` Check the ${LABELS[field]} field.` : ''} (${className}${isOurs ? `, ${error.code}` : ''})`);
  show('error', h('article', { class: `error error--${tone}`, dataset: { errorClass: className }, 'aria-labelledby': 'error-title' },
    h('header', null,
      h('span', { class: 'badge' }, className),
      h('h2', { id: 'error-title', class: 'result-title' }, title)),
    h('p', { class: 'lead' }, lead, extra ? ` ${extra}` : null),
    field ? h('p', { class: 'lead' }, `Check the ${LABELS[field]} field.`) : null,
    field ? h('p', { class: 'field-problem', id: 'field-problem' }, shown(problem, { bidi: true })) : null,
    sent ? context(request, '.') : null,
    h('p', { class: 'message', id: 'error-message' }, shown(String(error?.message ?? error), { bidi: true, runs: true })),
    isOurs ? h('dl', { class: 'facts' }, facts) : null,
    meaning,
    retry ? h('div', { class: 'actions' }, retry, h('span', { class: 'hint' }, 'This error is retryable.')) : null,
  ));
  if (field) {
    fields[field].setAttribute('aria-invalid', 'true');
    fields[field].setAttribute('aria-describedby', 'field-problem');
    fields[field].focus();
    // It may have had the focus already (Enter pressed in it), and a phone's view may have
    // followed the spinner down to the result: focus() alone would not bring it back.
    fields[field].scrollIntoView({ block: 'center' });
  }
}

/** The wasm did not load: this browser may not run WebAssembly at all, or the file did not come. */
function wasmUnavailable() {
  return typeof WebAssembly === 'object'
    ? ['Package not loaded', 'The package’s WebAssembly module (/pkg/web/glue_bg.wasm) could not be loaded: is the demo server still running?', 'transient']
    : ['WebAssembly is off', 'This browser runs no WebAssembly (turned off by a policy, or a mode such as Lockdown Mode), and the package needs it: try another browser.', 'broken'];
}

// -- the form, the backends, the examples --

function selectedBackend() {
  return form.elements.backend.value;
}

function fill(backend) {
  clearFieldMarks(); // the fields now hold other values
  exampleIds = null;
  const info = config.backends[backend] ?? {};
  const ids = remembered(backend) ?? { organizationId: info.organizationId ?? '', pipelineId: info.pipelineId ?? '' };
  fields.organizationId.value = ids.organizationId;
  fields.pipelineId.value = ids.pipelineId;
  fields.category.value = 'DEPLOY';
  $('examples').hidden = backend !== 'emulator' || !info.examples;
}

function readForm(extra = {}) {
  return {
    backend: selectedBackend(),
    organizationId: fields.organizationId.value.trim(),
    pipelineId: fields.pipelineId.value.trim(),
    category: fields.category.value,
    scenario: null,
    label: null,
    typed: false, // submitted from the form (not an example, not the first automatic listing)
    ...extra,
  };
}

/** The ids the last example button put in the form (until the backend changes). */
let exampleIds = null;

/**
 * What the user typed is remembered once the package took it (even when the answer is an
 * error); what an example button filled in is not, even when "List jobs" sends it again, so a
 * reload never reopens on "slow backend" or "missing pipeline".
 */
function rememberTyped(request) {
  const fromExample = exampleIds?.organizationId === request.organizationId && exampleIds?.pipelineId === request.pipelineId;
  if (request.typed && !fromExample && request.organizationId && request.pipelineId) {
    remember(request.backend, request.organizationId, request.pipelineId);
  }
}

function run(request) {
  clearFieldMarks();
  search(request);
}

/** Takes off the marks showError puts on a field the package refused. */
function clearFieldMarks() {
  for (const field of Object.values(fields)) {
    field.removeAttribute('aria-invalid');
    field.removeAttribute('aria-describedby');
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  // A submit in the first moments waits for the package and the configuration.
  setUp.then((ready) => ready && run(readForm({ typed: true })));
});

form.addEventListener('change', (event) => {
  if (event.target.name !== 'backend') return;
  abandon();
  fill(selectedBackend());
  show('idle', h('p', { class: 'muted' }, 'Press “List jobs” to ask this backend.'));
});

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && current) {
    event.preventDefault();
    cancel();
  }
});

function renderExamples(examples) {
  $('example-list').replaceChildren(...examples.map((example) => h('li', null,
    h('button', {
      type: 'button',
      class: 'example',
      dataset: { example: example.id },
      onclick: () => {
        fields.organizationId.value = example.organizationId;
        fields.pipelineId.value = example.pipelineId;
        fields.category.value = 'DEPLOY';
        exampleIds = { organizationId: example.organizationId, pipelineId: example.pipelineId };
        run(readForm({ backend: 'emulator', scenario: example.scenario, label: example.label }));
      },
    }, h('span', { class: 'example-label' }, example.label), h('span', { class: 'example-hint' }, example.hint)))));
}

function setUpBackends() {
  const { emulator = {}, upstream = {} } = config.backends;
  const radios = { emulator: form.querySelector('input[value=emulator]'), upstream: form.querySelector('input[value=upstream]') };
  const notes = [];
  for (const [name, info] of [['emulator', emulator], ['upstream', upstream]]) {
    radios[name].disabled = !info.available;
    // The note says why a backend is off: tied to its choice, for whoever reaches it.
    if (info.available) radios[name].removeAttribute('aria-describedby');
    else radios[name].setAttribute('aria-describedby', 'backend-note');
    if (!info.available && info.reason) notes.push(info.reason);
  }
  if (upstream.available) {
    const how = upstream.by === 'token' ? "with the demo server's access token" : 'signed by the demo server';
    $('upstream-note').textContent = `${how}, sent to ${upstream.host}`;
  }
  $('backend-note').textContent = notes.join(' ');
  $('backend-note').hidden = notes.length === 0;
  if (emulator.examples) renderExamples(emulator.examples);
  const backend = emulator.available ? 'emulator' : upstream.available ? 'upstream' : null;
  if (backend) radios[backend].checked = true;
  return backend;
}

async function start() {
  // Off in the page until this script runs: without it, List jobs would only reload the page.
  submitButton.disabled = false;
  // The package and the configuration load together.
  const configured = fetch('/config.json', { cache: 'no-store' }).then(async (response) => {
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  });
  configured.catch(() => {}); // reported below, once the package has loaded
  try {
    const pkg = await import('/pkg/web/index.js');
    ({ listPipelineJobs, errorCodeInfo, YunxiaoError } = pkg);
    pkg.initialize().catch(() => {}); // start fetching the wasm now; a failure surfaces on the first call
  } catch (error) {
    submitButton.disabled = true;
    announce('The package did not load.');
    show('error', h('article', { class: 'error error--broken' },
      h('h2', { class: 'result-title' }, 'The package did not load'),
      h('p', null, `Loading /pkg/web/index.js failed (${error.message}). Is \`make demo\` still running, and was the package built?`)));
    return false;
  }
  try {
    config = await configured;
  } catch (error) {
    submitButton.disabled = true;
    announce('The demo server did not answer.');
    show('error', h('article', { class: 'error error--broken' },
      h('h2', { class: 'result-title' }, 'The demo server did not answer'),
      h('p', null, `Loading /config.json failed (${error.message}). Is \`make demo\` still running?`)));
    return false;
  }
  const backend = setUpBackends();
  if (!backend) {
    submitButton.disabled = true;
    announce('No backend is available.');
    show('idle', h('p', { class: 'muted' }, 'No backend is available: see the note above.'));
    return false;
  }
  fill(backend);
  const request = readForm();
  // A newcomer sees a result without typing: list at once when the ids are known.
  if (request.organizationId && request.pipelineId) search(request);
  else show('idle', h('p', { class: 'muted' }, 'Enter an organization and a pipeline id, then press “List jobs”.'));
  return true;
}

/** Resolves with whether the page could set itself up (the package loaded, a backend offered). */
const setUp = start();
