// Hosts. An IPv6 endpoint is signed with the host exactly as fetch and node:http send it: WHATWG URL's
// serialisation (lower case, no leading zeros, the longest zero run as `::`). Checked against
// Node's own URL parser on generated spellings of generated addresses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as y from '../../pkg/node/index.mjs';
import { AK, ORG, PIPELINE, emulator } from './helpers.mjs';

test('IPv6 hosts: the URL the core builds has the host WHATWG URL would send', async () => {
  let seed = 7;
  const random = (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let k = 0; k < 600; k++) {
    const pieces = Array.from({ length: 8 }, () => (random(3) === 0 ? random(65536) : 0));
    const parts = pieces.map((p) => {
      const hex = random(3) === 0 ? p.toString(16).padStart(4, '0') : p.toString(16);
      return random(2) ? hex.toUpperCase() : hex;
    });
    let text = parts.join(':');
    const runs = [];
    for (let i = 0; i < 8; i++) {
      if (pieces[i] !== 0) continue;
      let j = i;
      while (j < 8 && pieces[j] === 0) j++;
      runs.push([i, j]);
      i = j;
    }
    if (runs.length && random(2)) {
      const [i, j] = runs[random(runs.length)];
      text = `${parts.slice(0, i).join(':')}::${parts.slice(j).join(':')}`;
    }
    const endpoint = `http://[${text}]:9`;
    let sentTo = null;
    const fetch = async (url) => {
      sentTo = url;
      throw new Error('not sent');
    };
    await y.listPipelineJobs('o', '1', { endpoint, fetch, maxRetries: 0, allowInsecureHttp: true }).catch(() => {});
    assert.ok(sentTo?.startsWith(`http://${new URL(endpoint).host}/`), `${endpoint} → ${sentTo}`);
  }
});

test('a *.localhost endpoint reaches loopback without asking the system resolver (RFC 6761, as browsers do)', async (t) => {
  const { url } = await emulator(t);
  const { port } = new URL(url);
  // The system resolver may send such a name to a DNS server (here: ENOTFOUND, or any address).
  const { jobs } = await y.listPipelineJobs(ORG, PIPELINE, { endpoint: `http://jobs.localhost:${port}`, ...AK, maxRetries: 0 });
  assert.equal(jobs.length, 4);
});
