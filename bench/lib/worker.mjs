// One measurement in a fresh process (run with --expose-gc), so clients never share a heap,
// a JIT state or a connection pool. Prints one JSON line on stdout.
//
//   node --expose-gc bench/lib/worker.mjs '<json args>'
//   args: { mode: 'percall' | 'stub' | 'big' | 'memory', client, endpoint, ... }
import { readFileSync, writeFileSync } from 'node:fs';
import { makeClient } from './clients.mjs';

const args = JSON.parse(process.argv[2]);
const gc = globalThis.gc ?? (() => {});

async function runCalls(call, calls, concurrency, pipelineId = '10', onProgress) {
  let started = 0;
  let done = 0;
  async function lane() {
    while (started < calls) {
      started++;
      const jobs = await call(pipelineId);
      if (jobs.length !== Number(pipelineId)) throw new Error(`expected ${pipelineId} jobs, got ${jobs.length}`);
      done++;
      if (onProgress) await onProgress(done);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, calls) }, lane));
}

async function percall({ client, endpoint, calls, concurrency, warmup }) {
  const call = await makeClient(client, endpoint);
  await runCalls(call, warmup, concurrency);
  gc();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await runCalls(call, calls, concurrency);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Linux: reset the peak-RSS high-water mark (VmHWM) to the current RSS. */
function resetPeakRss() {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false; // not Linux, or not allowed: the peak stays a lifetime peak
  }
}

/**
 * The process's peak RSS in bytes: VmHWM, which clear_refs resets. Not getrusage's maxRSS: on
 * Linux a spawned child's maxRSS starts from its parent's RSS at fork (kept across exec) and no
 * reset lowers it, so a child smaller than its parent reads the parent's size.
 */
function peakRss() {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {}
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Bytes → normalised objects, as the issue asks: the package and the floor read the answer from
 * a canned Response (its content-length as the static server sends it), so that their
 * transports (node:http and fetch) are not part of it. The official client cannot take a fetch:
 * it goes over loopback (its row is information only).
 */
async function cannedAnswers(jobs) {
  const { envelope } = await import('./static-server.mjs');
  const bodies = { [jobs]: Buffer.from(envelope(jobs)), 10: Buffer.from(envelope(10)) };
  return async (input) => {
    const body = bodies[/\/pipeline\/(\d+)\//.exec(String(input))?.[1]] ?? bodies[10];
    const headers = { 'content-type': 'application/json;charset=utf-8', 'content-length': String(body.length), 'x-acs-request-id': 'BIG' };
    return new Response(body, { status: 200, headers });
  };
}

const SETTLE_MS = 300;

async function big({ client, endpoint, jobs, runs }) {
  let fetch;
  if (client !== 'official') {
    fetch = await cannedAnswers(jobs);
    globalThis.fetch = fetch; // the floor's
  }
  const call = await makeClient(client, endpoint, { normalize: true, fetch });
  for (let i = 0; i < 20; i++) await call('10'); // load and warm the code paths on a small body
  const times = [];
  const peaks = [];
  let retained = 0;
  let peakIsLowerBound = false;
  let rssBefore = 0;
  for (let i = 0; i < runs; i++) {
    // Let the heap settle before the baseline: memory a collection frees is handed back over
    // the next moments, and a baseline taken before that made the peak above it swing (the
    // package's first-call peak fell in two groups, 6–8 and 12–15 MB; settled, 7.5–7.8).
    gc();
    gc();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    gc();
    const before = process.memoryUsage().rss;
    const reset = resetPeakRss();
    const maxBefore = peakRss();
    const t0 = performance.now();
    let result = await call(String(jobs));
    times.push(performance.now() - t0);
    const peak = peakRss();
    peaks.push(peak - before);
    if (i === 0) {
      // The official client does not normalise: lastJobParams stays a string there.
      const params = result[1]?.lastJobParams;
      const ok = result.length === jobs && result[jobs - 1].identifier && (client === 'official' ? typeof params === 'string' : params?.commitId);
      if (!ok) throw new Error(`${client}: bad big answer (${result.length} jobs)`);
      rssBefore = before;
      // Without a reset, maxRSS is a lifetime peak: if start-up went higher, the delta is a lower bound.
      peakIsLowerBound = !reset && peak === maxBefore;
    }
    result = null;
    if (i === 0) {
      gc();
      gc();
      retained = process.memoryUsage().rss - before;
    }
  }
  // The first call's peak is the figure of record (fresh process); later ones start from a
  // heap (and, for wasm, a linear memory) already grown by the first.
  return { times, rssBefore, peakDelta: peaks[0], peaks, peakIsLowerBound, retained };
}

async function memory({ client, endpoint, calls, concurrency, samples }) {
  const call = await makeClient(client, endpoint);
  const every = Math.max(1, Math.floor(calls / samples));
  const points = [];
  const sample = (done) => {
    gc();
    gc();
    const m = process.memoryUsage();
    points.push({ calls: done, rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers });
  };
  // Sampling inside the loop blocks every lane at once (gc is synchronous), which is what we want.
  await runCalls(call, calls, concurrency, '10', (done) => {
    if (done % every === 0) sample(done);
  });
  return { points };
}

/** The client's own cost: global fetch replaced by a canned Response (no socket, no server). */
async function stub({ client, calls, warmup }) {
  const { envelope } = await import('./static-server.mjs');
  const body = Buffer.from(envelope(10));
  const headers = { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': 'STUB' };
  const stubFetch = async () => new Response(body, { status: 200, headers });
  globalThis.fetch = stubFetch;
  const call = await makeClient(client, 'http://127.0.0.1:9', { fetch: stubFetch });
  await runCalls(call, warmup, 1);
  gc();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await runCalls(call, calls, 1);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const modes = { percall, big, memory, stub };
const result = await modes[args.mode](args);
process.stdout.write(`${JSON.stringify(result)}\n`);
