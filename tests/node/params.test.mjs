// lastJobParams is the parameters text parsed by JSON.parse, which rounds silently: an object
// holding a number it could not keep exactly is not handed out (null; lastJobParamsRaw keeps
// the text), nor is one nested so deep that JSON.stringify or structuredClone of the result
// would overflow the stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as y from '../../pkg/node/index.mjs';
import { AK, ORG, PIPELINE } from './helpers.mjs';

async function paramsOf(texts) {
  const jobs = texts.map((text, i) => ({ identifier: `job_${i}`, jobName: 'j', lastJobId: i, lastJobParams: text }));
  const body = JSON.stringify({ requestId: 'PARAMS-1', success: true, jobs });
  const fetch = async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  const result = await y.listPipelineJobs(ORG, PIPELINE, { endpoint: 'http://127.0.0.1:9', ...AK, fetch, maxRetries: 0 });
  result.jobs.forEach((job, i) => assert.equal(job.lastJobParamsRaw, texts[i], 'the raw text is kept exactly'));
  return result;
}

test('a number JSON.parse would round: lastJobParams is null, the raw text keeps it', async () => {
  const inexact = ['{"buildId":9007199254740993}', '{"n":-9007199254740993}', '{"x":1e400}', '{"a":{"b":[1,2,12345678901234567890]}}', '{"big":1E+309}',
    '{"tiny":1e-400}', '{"a":[0,-2.5e-999]}', `{"x":0.${'0'.repeat(400)}1}`];
  const exact = ['{"n":9007199254740991,"f":1.5,"e":1e5}', '{"s":"9007199254740993","hex":"3e8f2a1"}', '{"branch":"release/1.2","tag":"v1e400"}',
    '{"zero":0e-400,"z":-0.0E+5,"s":"1e-400","small":5e-324}', `{"zeros":0.${'0'.repeat(400)}}`];
  const { jobs } = await paramsOf([...inexact, ...exact]);
  for (const [i, text] of inexact.entries()) assert.equal(jobs[i].lastJobParams, null, text);
  for (const [i, text] of exact.entries()) assert.deepEqual(jobs[inexact.length + i].lastJobParams, JSON.parse(text), text);
});

test('params nested deeper than 1000 levels: null, and the whole result stringifies and clones', async () => {
  const nested = (depth) => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
  const result = await paramsOf([nested(1000), nested(1001), nested(100_000), `{"s":"${'['.repeat(5000)}"}`]);
  assert.equal(typeof result.jobs[0].lastJobParams, 'object');
  assert.notEqual(result.jobs[0].lastJobParams, null);
  assert.equal(result.jobs[1].lastJobParams, null);
  assert.equal(result.jobs[2].lastJobParams, null);
  assert.equal(result.jobs[3].lastJobParams.s.length, 5000, 'brackets inside a string are no nesting');
  assert.ok(JSON.stringify(result).length > 200_000);
  assert.equal(structuredClone(result).jobs.length, 4);
});
