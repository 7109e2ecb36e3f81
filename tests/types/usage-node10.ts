// Compiled by `tsc` under the older "node10" resolution (the default with "module": "commonjs"),
// which ignores "exports": both entries must still have their types.
import { listPipelineJobs, type Options } from 'yunxiao-pipeline-jobs';
import { listPipelineJobs as listFromWebEntry, TimeoutError } from 'yunxiao-pipeline-jobs/web';
// @ts-expect-error: the CommonJS build has named exports only (with esModuleInterop, a default
// import of it would compile and be undefined at run time)
import noDefault from 'yunxiao-pipeline-jobs';
void noDefault;

export async function node10Use(maybe: Options | undefined): Promise<number> {
  const { jobs } = await listPipelineJobs('org', '1', maybe);
  const web = await listFromWebEntry('org', '1', 'DEPLOY', maybe);
  // @ts-expect-error: a pipeline id is a string or a number
  await listFromWebEntry('org', true);
  void TimeoutError;
  // The ES module proxy, from CommonJS as README says: by import().
  const { createSigningProxy } = await import('yunxiao-pipeline-jobs/proxy');
  const forward = createSigningProxy({ upstream: 'https://devops.cn-hangzhou.aliyuncs.com', credentials: { token: 't' } });
  // @ts-expect-error: forward takes the request's raw path and query
  void forward('/organization/o/pipeline/1/jobs');
  return jobs.length + web.jobs.length;
}
