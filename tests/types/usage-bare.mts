// Compiled with neither the "dom" lib nor @types/node (lib es2022 only, skipLibCheck off): the
// declarations must still check, naming fetch's types themselves.
import { listPipelineJobs, initialize, YunxiaoClient, type Options } from 'yunxiao-pipeline-jobs';

export async function bareUse(options: Options): Promise<number> {
  await initialize();
  const client = new YunxiaoClient({ timeoutMs: 1000 });
  const { jobs } = await client.listPipelineJobs('org', '1');
  const more = await listPipelineJobs('org', 2, 'DEPLOY', options);
  // @ts-expect-error: a pipeline id is a string or a number
  await listPipelineJobs('org', true);
  return jobs.length + more.jobs.length;
}
