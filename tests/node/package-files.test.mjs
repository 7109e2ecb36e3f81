// What npm users get besides the code: a README about the package (not about working in this
// repository), the licence texts the licence field names, both declaration files, and code
// that reads well enough in an uncaught error's report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = (file) => new URL(`../../pkg/${file}`, import.meta.url);
const manifest = JSON.parse(readFileSync(pkg('package.json'), 'utf8'));

test('the package README leaves out what needs a clone of the repository', () => {
  const readme = readFileSync(pkg('README.md'), 'utf8');
  for (const repositoryOnly of ['repository-only', 'make demo', 'make test', 'make bench', '## Development', '## The emulator']) {
    assert.ok(!readme.includes(repositoryOnly), `pkg/README.md still has ${JSON.stringify(repositoryOnly)}`);
  }
  // A relative link would be dead on the npm page.
  const relative = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]).filter((target) => !/^(https?:|#)/.test(target));
  assert.deepEqual(relative, []);
  for (const kept of ['## API', '### Errors', '## Command line', '## License']) assert.ok(readme.includes(kept), kept);
});

test('the licence texts and both declaration files ship', () => {
  assert.equal(manifest.license, 'MIT OR Apache-2.0');
  for (const file of ['LICENSE-MIT', 'LICENSE-APACHE', 'index.d.ts', 'index.d.mts']) {
    assert.ok(manifest.files.includes(file), `package.json files lacks ${file}`);
    assert.ok(existsSync(pkg(file)), `pkg/ lacks ${file}`);
  }
  assert.match(readFileSync(pkg('LICENSE-APACHE'), 'utf8'), /Apache License\s+Version 2\.0/);
  assert.match(readFileSync(pkg('LICENSE-MIT'), 'utf8'), /Permission is hereby granted, free of charge/);
});

test('an uncaught error of the package prints a short report: no screen of minified code', () => {
  // Node prints the source line of an uncaught error's throw: once the whole 24 KB file.
  const scripts = {
    esm: ["--input-type=module", '-e', `import * as y from ${JSON.stringify(fileURLToPath(pkg('node/index.mjs')))}; await y.listPipelineJobs('o', '', {});`],
    cjs: ['-e', `require(${JSON.stringify(fileURLToPath(pkg('node/index.cjs')))}).listPipelineJobs('o', '', {});`],
  };
  for (const [entry, args] of Object.entries(scripts)) {
    const { status, stderr } = spawnSync(process.execPath, args, { encoding: 'utf8' });
    assert.equal(status, 1, entry);
    assert.match(stderr, /InvalidArgumentError: InvalidArgument: pipelineId must not be empty/, entry);
    assert.ok(stderr.length < 3000, `${entry}: ${stderr.length} characters on stderr`);
  }
});
