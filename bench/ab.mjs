// In-process A/B of two builds of the package, for changes too small for `make bench` to see
// through the noise of a shared machine (bench/DESIGN.md, "Per call"). Both copies are loaded
// into one process and called in alternating batches against the static loopback server, so
// drift in machine load hits both alike; an A/A run differs by about 2 %.
//
//   node bench/ab.mjs <pkg dir A> <pkg dir B> [jobs per answer, default 10]
//
// Make a copy of pkg/ before a change (cp -r pkg /tmp/pkg-before), rebuild, then compare.
// A client's name from bench/lib/clients.mjs in place of a directory (`official`, `floor-http`,
// `floor`) measures that client the same way: the gap to it in one process, free of run-to-run
// drift.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startStaticServer } from './lib/static-server.mjs';
import { AK, CLIENTS, ORG, makeClient } from './lib/clients.mjs';

const [dirA, dirB, jobs = '10'] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error('usage: node bench/ab.mjs <pkg dir A> <pkg dir B> [jobs per answer]');
  process.exit(2);
}
const BATCHES = 24;
const CALLS_PER_BATCH = 300;

const server = await startStaticServer();
const endpoint = `http://127.0.0.1:${server.address().port}`;

async function load(dir) {
  if (dir !== 'package' && Object.hasOwn(CLIENTS, dir)) {
    const call = await makeClient(dir, endpoint);
    return () => call(jobs);
  }
  // A query string makes each copy its own module instance, with its own wasm.
  const url = `${pathToFileURL(path.resolve(dir, 'node/index.mjs')).href}?copy=${encodeURIComponent(dir)}`;
  const { listPipelineJobs } = await import(url);
  return () => listPipelineJobs(ORG, jobs, { endpoint, ...AK });
}

const builds = [
  { name: dirA, call: await load(dirA), cpu: [], wall: [] },
  { name: dirB, call: await load(dirB), cpu: [], wall: [] },
];
for (const build of builds) for (let i = 0; i < 500; i++) await build.call(); // warm-up
for (let batch = 0; batch < BATCHES; batch++) {
  for (const build of batch % 2 ? builds : [...builds].reverse()) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < CALLS_PER_BATCH; i++) await build.call();
    const cpu = process.cpuUsage(cpu0);
    build.cpu.push((cpu.user + cpu.system) / CALLS_PER_BATCH);
    build.wall.push(((performance.now() - t0) * 1000) / CALLS_PER_BATCH);
  }
}
server.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`${BATCHES} alternating batches of ${CALLS_PER_BATCH} calls, ${jobs}-job answers; medians per call:`);
for (const build of builds) {
  console.log(`  ${build.name}: CPU ${median(build.cpu).toFixed(0)} µs, wall ${median(build.wall).toFixed(0)} µs`);
}
const [a, b] = builds.map((build) => median(build.cpu));
console.log(`  B/A (CPU): ${(b / a).toFixed(3)}`);
