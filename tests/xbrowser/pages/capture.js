// Loaded before anything else on every page the suite opens (a classic script, so it runs
// before the page's modules): keeps what the page would show as a problem in its console, for
// the tests to read with window.__xbrowserProblems. Firefox and WebKitGTK expose no console
// over classic WebDriver, so the page reports to itself.
(() => {
  const problems = [];
  window.__xbrowserProblems = problems;
  const keep = (kind, value) => problems.push(`${kind}: ${String(value && value.stack || value).slice(0, 500)}`);
  for (const level of ['error', 'warn']) {
    const original = console[level];
    console[level] = function (...args) {
      keep(`console.${level}`, args.map((arg) => arg && arg.stack || arg).join(' '));
      return original.apply(this, args);
    };
  }
  // Capture phase: a script or stylesheet that fails to load fires on its element and does not bubble.
  addEventListener('error', (event) => keep('error', event.error || event.message || `failed to load ${event.target.src || event.target.href}`), true);
  addEventListener('unhandledrejection', (event) => keep('unhandled rejection', event.reason));
  addEventListener('securitypolicyviolation', (event) => keep('CSP', `${event.violatedDirective} ${event.blockedURI}`));
})();
