// Compiled by `tsc` in `make test`: the declarations accept documented use and refuse misuse
// (each @ts-expect-error fails the build if the line it marks ever type-checks).
import {
  listPipelineJobs, YunxiaoClient, YunxiaoError, NotFoundError, errorCodeInfo, initialize,
  type PipelineJobList, type Options, type CommonOptions, type AccessKeyOptions, type TokenOptions,
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
    } else if (error instanceof YunxiaoError && error.argument !== undefined) {
      const field: string = error.argument;
      // @ts-expect-error read-only, as the other fields
      error.argument = 'pipelineId';
      void field;
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
  // Options takes either kind (a mix is refused at run time); AccessKeyOptions and TokenOptions
  // have the compiler refuse it.
  // @ts-expect-error a token and an AccessKey in one options object
  const mixed: TokenOptions = { token: 't', accessKeyId: 'a', accessKeySecret: 's' };
  // @ts-expect-error an STS token goes with an AccessKey, not a token
  const stsWithToken: TokenOptions = { token: 't', securityToken: 's' };
  // @ts-expect-error edition goes with a token only
  const editionWithKey: AccessKeyOptions = { accessKeyId: 'a', accessKeySecret: 's', edition: 'region' };
  // @ts-expect-error nor a token with an AccessKey's options
  const tokenWithKey: AccessKeyOptions = { accessKeyId: 'a', accessKeySecret: 's', token: 't' };
  void [mixed, stsWithToken, editionWithKey, tokenWithKey];
  // A credential of the other kind that is unset or "" is not given (an unset variable often arrives as "").
  const byToken: TokenOptions = { token: 't', accessKeyId: '', accessKeySecret: undefined, securityToken: null, edition: 'region' };
  const byKey: AccessKeyOptions = { accessKeyId: fromEnv, accessKeySecret: fromEnv, securityToken: fromEnv, token: '' };
  await listPipelineJobs('o', 'p', byToken);
  await new YunxiaoClient(byKey).listPipelineJobs('o', 'p', byToken);
  // Options as apps build them: defaults typed as Options, then a credential; a wrapper that
  // takes Options without some of it; an interface of one's own that extends it; values from
  // the environment, of either kind.
  const defaults: Options = { timeoutMs: 1000, maxRetries: 1 };
  await listPipelineJobs('o', 'p', { ...defaults, token: 't' });
  const withSignal = (options: Omit<Options, 'signal'>, signal: AbortSignal) => listPipelineJobs('o', 'p', { ...options, signal });
  void withSignal;
  interface AppOptions extends Options { retriesLogged?: boolean }
  const app: AppOptions = { accessKeyId: 'a', accessKeySecret: 'b', retriesLogged: true };
  await listPipelineJobs('o', 'p', app);
  await listPipelineJobs('o', 'p', { accessKeyId: fromEnv, accessKeySecret: fromEnv, token: fromEnv });
  const shared: CommonOptions = { endpoint: 'https://example.com', timeoutMs: 1 };
  await new YunxiaoClient({ ...shared, token: 't' }).listPipelineJobs('o', 'p', { ...shared, accessKeyId: 'a', accessKeySecret: 'b' });
}
void credentialMisuse;
