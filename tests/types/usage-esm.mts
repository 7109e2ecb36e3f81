// The declarations as an ES module sees them (`import` resolves to index.d.mts): named exports
// only, as at run time. Compiled by `tsc` in `make test`.
// @ts-expect-error -- the ES entries have no default export (node would throw at import)
import everything from 'yunxiao-pipeline-jobs';
import { listPipelineJobs, NotFoundError, type PipelineJobList } from 'yunxiao-pipeline-jobs';
import { initialize } from 'yunxiao-pipeline-jobs/web';

export async function esmUse(): Promise<number> {
  await initialize();
  const list: PipelineJobList = await listPipelineJobs('org', '1');
  void [everything, NotFoundError];
  return list.jobs.length;
}

// The signing proxy (yunxiao-pipeline-jobs/proxy).
import { createSigningProxy, parseProxiedCall, type ProxiedAnswer } from 'yunxiao-pipeline-jobs/proxy';

export async function proxyUse(rawPath: string, rawQuery: string): Promise<number> {
  const forward = createSigningProxy({
    upstream: 'https://devops.cn-hangzhou.aliyuncs.com',
    credentials: { accessKeyId: 'id', accessKeySecret: 'secret' },
    allow: async ({ pipelineId }) => pipelineId === '1',
    maxConcurrentCalls: 8,
  });
  // @ts-expect-error -- an AccessKey needs its secret
  createSigningProxy({ upstream: 'u', credentials: { accessKeyId: 'id' } });
  // @ts-expect-error -- an AccessKey and a token together: one, not both (refused at run time)
  createSigningProxy({ upstream: 'u', credentials: { accessKeyId: 'id', accessKeySecret: 's', token: 't' } });
  // @ts-expect-error -- an STS token belongs to an AccessKey
  createSigningProxy({ upstream: 'u', credentials: { token: 't', securityToken: 's' } });
  // Options left undefined take their defaults (exactOptionalPropertyTypes).
  const maybe: number | undefined = rawPath.length > 1 ? 5 : undefined;
  createSigningProxy({ upstream: 'u', credentials: { token: 't', edition: undefined }, timeoutMs: maybe, maxResponseBytes: maybe, maxConcurrentCalls: maybe });
  if (parseProxiedCall(rawPath, '').error) return 400;
  const call = parseProxiedCall(rawPath, rawQuery);
  if (call.error !== undefined) return 400;
  const answer: ProxiedAnswer | null = await forward({ rawPath, rawQuery, signal: rawQuery ? AbortSignal.timeout(30_000) : undefined });
  // No body for a 204 or 304 (null), as a Response takes it.
  return answer === null ? 499 : answer.status + (answer.body?.length ?? 0) + call.organizationId.length;
}
