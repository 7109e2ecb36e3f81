// Compiled by `tsc` under the older "node10" resolution (the default with "module": "commonjs"),
// which ignores "exports": both entries must still have their types.
import { listPipelineJobs, type Options } from 'yunxiao-pipeline-jobs';
import { listPipelineJobs as listFromWebEntry, TimeoutError } from 'yunxiao-pipeline-jobs/web';

export async function node10Use(maybe: Options | undefined): Promise<number> {
  const { jobs } = await listPipelineJobs('org', '1', maybe);
  const web = await listFromWebEntry('org', '1', 'DEPLOY', maybe);
  // @ts-expect-error: a pipeline id is a string or a number
  await listFromWebEntry('org', true);
  void TimeoutError;
  return jobs.length + web.jobs.length;
}
