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
