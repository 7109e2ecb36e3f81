// The benchmark's static server: answers every POST with a fixed ListPipelineJobs envelope and
// an x-acs-request-id header, without checking signatures (the emulator does that in the
// preflight). Run as a child process so its CPU is not the client's.
//
//   node bench/lib/static-server.mjs   → prints {"port":N} on stdout, serves until killed
//
// The pipeline id picks the body: /organization/<org>/pipeline/<N>/jobs → N jobs (default 10),
// built once and cached as bytes.
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const NAMES = ['构建镜像', '单元测试', '代码扫描', '部署到测试环境', '集成测试', '部署到预发环境', '灰度发布', '部署到生产环境', '回滚', '发布制品'];
const IDS = ['build_image', 'unit_test', 'code_scan', 'deploy_test', 'integration_test', 'deploy_staging', 'canary_release', 'deploy_prod', 'rollback', 'publish_artifact'];
const REQUEST_ID = '6D1C2E3F-4A5B-4C6D-8E9F-0A1B2C3D4E5F';

/** One realistic job (≈150 bytes on the wire); deterministic in i. */
function job(i) {
  const k = i % 10;
  const hex = ((i * 2654435761) >>> 0).toString(16).padStart(8, '0').slice(0, 7);
  let params;
  if (k === 8) params = ''; // never run with parameters
  else if (k === 2) params = '{}';
  else params = JSON.stringify({ branch: `release/1.${i % 40}`, env: k < 5 ? 'test' : 'prod', commitId: hex });
  return {
    jobName: i < 10 ? NAMES[k] : `${NAMES[k]}-${i}`,
    identifier: `${IDS[k]}_${String(i).padStart(5, '0')}`,
    lastJobId: k === 8 ? null : 80_000_000 + i * 7,
    lastJobParams: params,
  };
}

export function envelope(jobs) {
  return JSON.stringify({
    requestId: REQUEST_ID,
    success: true,
    errorCode: '',
    errorMessage: '',
    jobs: Array.from({ length: jobs }, (_, i) => job(i)),
  });
}

const bodies = new Map();
function bodyFor(jobs) {
  let body = bodies.get(jobs);
  if (!body) bodies.set(jobs, (body = Buffer.from(envelope(jobs))));
  return body;
}

export function startStaticServer(port = 0) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const m = /\/pipeline\/(\d+)\/jobs/.exec(req.url);
      const n = m ? Math.min(Number(m[1]), 1_000_000) : 10;
      const body = bodyFor(n);
      res.writeHead(200, {
        'content-type': 'application/json;charset=utf-8',
        'content-length': body.length,
        'x-acs-request-id': REQUEST_ID,
      });
      res.end(body);
    });
  });
  // Longer than any pause between benchmark phases, so no idle socket is closed under a client.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await startStaticServer(0);
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
  process.on('SIGTERM', () => process.exit(0));
  process.on('disconnect', () => process.exit(0));
}
