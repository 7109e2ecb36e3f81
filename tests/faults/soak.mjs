#!/usr/bin/env node
// Load test: N concurrent calls from this one process, R rounds, against the emulator running
// in a child process (so its memory is not ours). Every result is checked; any unhandled
// rejection or uncaught exception fails the run. After every round (and a forced GC) it records
// process RSS, V8 heap, `arrayBuffers` and the wasm linear memory; at the end each of RSS and
// wasm memory must be within the tolerance of its value after the warm-up rounds (default 1),
// and the JS heap plus ArrayBuffers within 0.5 MiB + 256 B a call of theirs.
// A leak grows round after round; the warm-up absorbs the one-time step of V8 and malloc
// growing their spaces to the load, which may come a round late.
//
//   node tests/faults/soak.mjs [--concurrency 2000] [--rounds 10] [--warmup 1] [--tolerance 0.10] [--quiet]
//
// Exit code 0 = pass, 1 = a wrong result / unhandled rejection / memory growth, 2 = set-up.
// The last line of stdout is `SOAK_RESULT <json>` for tests/faults/soak-short.test.mjs.
//
// Wasm memory: the package does not export it, and `process.memoryUsage().arrayBuffers` does
// NOT include it (V8 allocates wasm memory outside the ArrayBuffer allocator that stat counts;
// checked on Node 20). So this script wraps `WebAssembly.Instance` before loading the package
// and reads `instance.exports.memory.buffer.byteLength` directly.

import { spawn } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function argument(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name} needs a positive number`);
    process.exit(2);
  }
  return value;
}
const CONCURRENCY = Math.floor(argument('--concurrency', 2000));
const ROUNDS = Math.floor(argument('--rounds', 10));
const WARMUP = Math.floor(argument('--warmup', 1));
const TOLERANCE = argument('--tolerance', 0.1);
const QUIET = process.argv.includes('--quiet');
if (ROUNDS <= WARMUP) {
  console.error(`--rounds must be more than --warmup (${WARMUP}): the round after the warm-up is the baseline`);
  process.exit(2);
}

// -- process-level guards --------------------------------------------------------------------
// They record, print and fail the run (exit code 1) but let the round finish, so one stray
// rejection does not hide what else went wrong.
const unhandled = [];
const guard = (what) => (value) => {
  const line = `${what}: ${describe(value)}`;
  unhandled.push(line);
  console.error(`soak: ${line}`);
  process.exitCode = 1;
};
process.on('unhandledRejection', guard('unhandledRejection'));
process.on('uncaughtException', guard('uncaughtException'));
function describe(value) {
  try {
    return value instanceof Error ? `${value.name}: ${value.message}` : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

// -- wasm memory probe: wrap WebAssembly.Instance before the package instantiates its module --
const instances = [];
const OriginalInstance = WebAssembly.Instance;
WebAssembly.Instance = class extends OriginalInstance {
  constructor(module, imports) {
    super(module, imports);
    instances.push(this);
  }
};
let lib;
try {
  lib = await import(new URL('pkg/node/index.mjs', `file://${ROOT}`).href);
} catch (error) {
  console.error(`soak: cannot load pkg/node/index.mjs (run \`make build\`): ${describe(error)}`);
  process.exit(2);
} finally {
  WebAssembly.Instance = OriginalInstance;
}
const wasmMemoryBytes = () => {
  const memory = instances.find((i) => i.exports.memory instanceof WebAssembly.Memory)?.exports.memory;
  return memory ? memory.buffer.byteLength : NaN;
};

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

// -- the emulator, in a child process --------------------------------------------------------
const child = spawn(process.execPath, ['emulator/server.mjs', '--port', '0'], {
  cwd: ROOT,
  stdio: ['ignore', 'pipe', 'pipe'],
});
let childErr = '';
child.stderr.on('data', (d) => (childErr += d));
const url = await new Promise((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => reject(new Error(`emulator did not start: ${out}${childErr}`)), 10_000);
  child.stdout.on('data', (d) => {
    out += d;
    const m = /emulator listening on (http:\/\/\S+)/.exec(out);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  });
  child.once('exit', (code) => reject(new Error(`emulator exited (${code}): ${childErr}`)));
}).catch((error) => {
  console.error(error.message);
  child.kill();
  process.exit(2);
});
const stopChild = () => {
  if (child.exitCode === null) child.kill('SIGTERM');
};
process.once('exit', stopChild);

// -- the calls -------------------------------------------------------------------------------
const ORG = '5ebbc0228123212b59a1b2c3';
const AK = { accessKeyId: 'LTAI5tEmuDemoKey0001', accessKeySecret: 'EmuDemoSecret0001-not-a-real-secret' };
const STS = { accessKeyId: 'STS.EmuStsKey0002', accessKeySecret: 'EmuStsSecret0002-not-real', securityToken: 'EmuStsToken0002-not-a-real-token' };
const TOKEN = { token: 'pt-EmuDemoToken0001-not-a-real-token', edition: 'center' };
const common = { endpoint: url, timeoutMs: 60_000, maxRetries: 0 };

// A mix of success and error paths, each with its exact expected outcome.
const KINDS = [
  { name: 'v3', options: { ...AK }, pipeline: '1234567', ok: true },
  { name: 'v1', options: { ...AK, signatureVersion: 'v1' }, pipeline: '1234567', ok: true },
  { name: 'sts', options: { ...STS }, pipeline: '1234567', ok: true },
  { name: 'token', options: { ...TOKEN }, pipeline: '1234567', ok: true },
  { name: 'empty', options: { ...AK }, pipeline: '2345678', ok: true },
  { name: 'not-found', options: { ...AK }, pipeline: '999999', error: ['NotFoundError', 'InvalidPipeline.NotFound', 404] },
  { name: 'forbidden', options: { ...AK }, pipeline: '1000013', error: ['ForbiddenError', 'Forbidden.AccessDenied', 403] },
  { name: 'bad-arg', options: { ...AK }, pipeline: '..', error: ['InvalidArgumentError', 'InvalidArgument', 0] },
];

// Expected successes, taken once from a sequential warm-up call per kind.
const expected = new Map();
for (const kind of KINDS.filter((k) => k.ok)) {
  const result = await lib.listPipelineJobs(ORG, kind.pipeline, { ...common, ...kind.options });
  expected.set(kind.name, result.jobs);
}
if (expected.get('v3').length !== 4 || expected.get('v3')[2].lastJobId !== 9007199254740991) {
  console.error('unexpected seed data from the emulator');
  process.exit(2);
}

function check(kind, outcome) {
  if (kind.ok) {
    if (outcome.error) return `${kind.name}: rejected with ${describe(outcome.error)}`;
    const { requestId, jobs } = outcome.value;
    if (typeof requestId !== 'string' || requestId.length === 0) return `${kind.name}: no requestId`;
    if (!isDeepStrictEqual(jobs, expected.get(kind.name))) return `${kind.name}: wrong jobs`;
    return null;
  }
  if (!outcome.error) return `${kind.name}: resolved, expected ${kind.error[0]}`;
  const e = outcome.error;
  const got = [e?.name, e?.code, e?.status];
  if (!isDeepStrictEqual(got, kind.error) || !(e instanceof lib.YunxiaoError)) {
    return `${kind.name}: got ${JSON.stringify(got)}, expected ${JSON.stringify(kind.error)}`;
  }
  return null;
}

async function round() {
  const calls = [];
  for (let i = 0; i < CONCURRENCY; i++) {
    const kind = KINDS[i % KINDS.length];
    calls.push(
      lib.listPipelineJobs(ORG, kind.pipeline, { ...common, ...kind.options }).then(
        (value) => check(kind, { value }),
        (error) => check(kind, { error }),
      ),
    );
  }
  return (await Promise.all(calls)).filter(Boolean);
}

async function settle() {
  // Let sockets close and finalizers (wasm-bindgen closures) run, then collect twice.
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 50));
    gc();
  }
}

const MiB = 1024 * 1024;
const fmt = (bytes) => (bytes / MiB).toFixed(1);
const samples = [];
const failures = [];
if (!QUIET) console.log(`soak: ${CONCURRENCY} concurrent calls x ${ROUNDS} rounds against ${url} (child pid ${child.pid})`);
if (!QUIET) console.log('round   ms     rss MiB  heapUsed MiB  arrayBuffers MiB  wasm MiB  wrong');
for (let r = 1; r <= ROUNDS; r++) {
  // The emulator keeps every nonce for 15 minutes and sweeps them on each request, which makes
  // it (not the package) slower every round; a reset between rounds keeps rounds comparable.
  await fetch(`${url}/_emulator/reset`, { method: 'POST' });
  const t0 = performance.now();
  const wrong = await round();
  const ms = Math.round(performance.now() - t0);
  await settle();
  const m = process.memoryUsage();
  const sample = { round: r, ms, rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, wasm: wasmMemoryBytes(), wrong: wrong.length };
  samples.push(sample);
  failures.push(...wrong.slice(0, 5).map((w) => `round ${r}: ${w}`));
  if (!QUIET) {
    console.log(
      `${String(r).padStart(5)} ${String(ms).padStart(6)} ${fmt(sample.rss).padStart(10)} ${fmt(sample.heapUsed).padStart(13)} ${fmt(sample.arrayBuffers).padStart(17)} ${fmt(sample.wasm).padStart(9)} ${String(wrong.length).padStart(6)}`,
    );
  }
}

// -- verdict ---------------------------------------------------------------------------------
const base = samples[WARMUP];
const last = samples.at(-1);
const growth = {};
for (const key of ['rss', 'wasm', 'heapUsed', 'arrayBuffers']) growth[key] = last[key] / base[key] - 1;
// RSS and wasm memory are gated as a share; the JS heap and ArrayBuffers in bytes per call, below.
for (const key of ['rss', 'wasm']) {
  if (!Number.isFinite(growth[key])) failures.push(`${key}: not measurable`);
  else if (Math.abs(growth[key]) > TOLERANCE) {
    failures.push(`${key} moved ${(growth[key] * 100).toFixed(1)}% from round ${base.round} (${fmt(base[key])} MiB) to round ${last.round} (${fmt(last[key])} MiB); limit ${TOLERANCE * 100}%`);
  }
}
// Live JS memory (after a forced GC: the V8 heap plus ArrayBuffers, which a leaked Buffer or
// byte array grows while the heap barely moves) in bytes per call: RSS is ~100 MiB, so its 10 %
// would let a leak of ~20 KB a call through. The heap creeps by itself (V8's code and feedback:
// about 0.1 MiB a round of 500 calls at first, levelling off near +0.9 MiB), hence the allowance.
const liveCalls = CONCURRENCY * (last.round - base.round);
const liveLimit = MiB / 2 + 256 * liveCalls;
const live = (sample) => sample.heapUsed + sample.arrayBuffers;
if (live(last) - live(base) > liveLimit) {
  failures.push(`live JS memory (heapUsed + arrayBuffers) grew ${fmt(live(last) - live(base))} MiB over ${liveCalls} calls (round ${base.round} to ${last.round}); limit ${fmt(liveLimit)} MiB (0.5 MiB + 256 B a call)`);
}
failures.push(...unhandled);

child.kill('SIGTERM');
const result = {
  ok: failures.length === 0,
  concurrency: CONCURRENCY,
  rounds: ROUNDS,
  warmup: WARMUP,
  tolerance: TOLERANCE,
  calls: CONCURRENCY * ROUNDS,
  growth,
  samples,
  failures,
};
if (!QUIET) {
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  console.log(`round ${last.round} vs round ${base.round}: rss ${pct(growth.rss)}, wasm ${pct(growth.wasm)}, heapUsed ${pct(growth.heapUsed)}, arrayBuffers ${pct(growth.arrayBuffers)}`);
  console.log(result.ok ? 'soak: PASS' : `soak: FAIL\n  ${failures.join('\n  ')}`);
}
console.log(`SOAK_RESULT ${JSON.stringify(result)}`);
process.exitCode = result.ok ? 0 : 1;
// The guards above keep the process alive on errors; leave explicitly once the child is gone.
child.once('exit', () => process.exit(process.exitCode));
