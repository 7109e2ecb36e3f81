// Compiled by `tsc` in `make test`: the declarations accept documented use and refuse misuse
// (each @ts-expect-error fails the build if the line it marks ever type-checks).
import {
  listPipelineJobs, YunxiaoClient, YunxiaoError, NotFoundError, errorCodeInfo, initialize,
  type PipelineJobList, type Options, type CommonOptions,
} from 'yunxiao-pipeline-jobs';
import { listPipelineJobs as listFromWebEntry } from 'yunxiao-pipeline-jobs/web';

async function documentedUse(signal: AbortSignal): Promise<number | null> {
  const options: Options = { endpoint: 'http://127.0.0.1:8090', accessKeyId: 'a', accessKeySecret: 'b', signal, timeoutMs: 5000 };
  const list: PipelineJobList = await listPipelineJobs('org', 1234567, 'DEPLOY', options);
  const again = await listPipelineJobs('org', '1234567', options);
  const client = new YunxiaoClient({ token: 't', edition: 'region' });
  await client.listPipelineJobs('', '1', undefined, { maxRetries: 0 });
  try {
    await client.listPipelineJobs('org', '1');
  } catch (error) {
    if (error instanceof NotFoundError) {
      const status: number = error.status;
      const requestId: string | null = error.requestId;
      void [status, requestId];
    } else if (error instanceof YunxiaoError && error.retryable) {
      void error.code;
    }
  }
  await initialize();
  // The wasm's URL, bytes, a Response, a Request, or a promise of one (a `fetch()` not awaited).
  await initialize(fetch('/glue_bg.wasm'));
  await initialize(new Request('/glue_bg.wasm'));
  const fake = new NotFoundError({ code: 'InvalidPipeline.NotFound', status: 404, message: 'for a test double', requestId: undefined });
  // Settable, as any Error's name is (and at run time).
  fake.name = 'RenamedForATest';
  const logged: { name: string; code: string; requestId: string | null } = fake.toJSON();
  void logged;
  void [fake.code, await listFromWebEntry('org', '1')];
  const info = await errorCodeInfo('InvalidPipeline.NotFound');
  void info?.zh;
  // Each class names itself, as errorCodeInfo names the class a code makes.
  const thrownAs: boolean = info?.className === NotFoundError.className;
  void thrownAs;
  // `undefined` and `null` mean "not given" (README), also under exactOptionalPropertyTypes.
  await listPipelineJobs('org', '1', null, { endpoint: undefined, timeoutMs: null, signal: undefined });
  const params: Record<string, unknown> | null = list.jobs[0].lastJobParams;
  void [again, params];
  return list.jobs[0].lastJobId;
}

async function misuse() {
  // @ts-expect-error pipelineId must be a string or number
  await listPipelineJobs('org', true);
  // @ts-expect-error signatureVersion is 'v3' | 'v1'
  await listPipelineJobs('org', '1', 'DEPLOY', { signatureVersion: 'v2' });
  const list = await listPipelineJobs('org', '1');
  // @ts-expect-error lastJobId may be null
  const id: number = list.jobs[0].lastJobId;
  void id;
  // An error is built from a record, or from a message alone (for mocks); not from a number.
  void new NotFoundError('not found');
  // @ts-expect-error a number is neither
  void new NotFoundError(404);
  // @ts-expect-error the wasm is a URL, bytes, a Response or a compiled module
  await initialize(42);
  // @ts-expect-error a class's name is not to be set
  NotFoundError.className = 'Other';
}

void documentedUse;
void misuse;

async function credentialMisuse(fromEnv: string | undefined) {
  // @ts-expect-error a token and an AccessKey in one options object
  await listPipelineJobs('o', 'p', { token: 't', accessKeyId: 'a', accessKeySecret: 's' });
  // @ts-expect-error an STS token goes with an AccessKey, not a token
  await listPipelineJobs('o', 'p', { token: 't', securityToken: 's' });
  // @ts-expect-error edition goes with a token only
  await listPipelineJobs('o', 'p', { accessKeyId: 'a', accessKeySecret: 's', edition: 'region' });
  // @ts-expect-error so does a call's
  await new YunxiaoClient({ token: 't' }).listPipelineJobs('o', 'p', { accessKeyId: 'a', edition: 'center' });
  // A credential of the other kind that is unset or "" is not given (an unset variable often arrives as "").
  await listPipelineJobs('o', 'p', { token: 't', accessKeyId: '', accessKeySecret: undefined, securityToken: null });
  // Values that may be missing (from the environment), of one kind.
  await listPipelineJobs('o', 'p', { accessKeyId: fromEnv, accessKeySecret: fromEnv, securityToken: fromEnv });
  await listPipelineJobs('o', 'p', { token: fromEnv, edition: 'region' });
  // An edition alone: the token comes from the environment.
  await listPipelineJobs('o', 'p', { edition: 'center' });
  // Shared settings are CommonOptions: an `Options` may hold credentials of either kind.
  const base: CommonOptions = { endpoint: 'https://example.com', timeoutMs: 1 };
  await new YunxiaoClient({ ...base, token: 't' }).listPipelineJobs('o', 'p', { ...base, accessKeyId: 'a', accessKeySecret: 'b' });
}
void credentialMisuse;
