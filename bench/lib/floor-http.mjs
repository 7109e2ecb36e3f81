// Informative variant of the floor, NOT the floor: the same signed request (minimal-client.mjs)
// sent with node:http and a keep-alive Agent instead of fetch, to show what the transport
// alone costs (the official client uses node:http through httpx). http:// endpoints only.
import http from 'node:http';
import { signedRequest, finish } from '../minimal-client.mjs';

const agent = new http.Agent({ keepAlive: true });

export function listPipelineJobsHttp(organizationId, pipelineId, options) {
  const { href, headers } = signedRequest(organizationId, pipelineId, options);
  return new Promise((resolve, reject) => {
    const req = http.request(href, { method: 'POST', headers: { ...headers, 'content-length': '0' }, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        try {
          resolve(finish(res.statusCode, Buffer.concat(chunks).toString('utf8'), options.normalize));
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}
