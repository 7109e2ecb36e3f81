// Type declarations for yunxiao-pipeline-jobs (hand-written; checked by `tsc` in the tests).

/** Not given: an option set to `undefined` or `null` counts as absent (it never erases a client's option). */
export type Unset = null | undefined;

/** What every call takes besides its credentials (see `AccessKeyOptions` and `TokenOptions`). */
export interface CommonOptions {
  /** Default `https://devops.cn-hangzhou.aliyuncs.com` (AccessKey) or `https://openapi-rdc.aliyuncs.com` (token).
   *  `http://` only for loopback hosts unless `allowInsecureHttp`. A base path is kept (e.g. a proxy prefix). */
  endpoint?: string | Unset;
  /** `v3` (ACS3-HMAC-SHA256, default) or `v1` (ROA HMAC-SHA1; Node only: browsers cannot send Date). */
  signatureVersion?: 'v3' | 'v1' | Unset;
  /** Per attempt, default 10000: an integer from 1 to 2^53−1. */
  timeoutMs?: number | Unset;
  /** Across all attempts and waits, an integer from 1 to 2^53−1; no default. */
  deadlineMs?: number | Unset;
  /** Retries of network errors, timeouts, ThrottlingError (429, `Throttling*`, or a wait asked by `x-acs-retry-after`) and
   *  ServerError (5xx, `ServiceUnavailable*`, `InternalError`…; an answer is classed by its code first): 0 to 10,
   *  default 2. Other 4xx: never. */
  maxRetries?: number | Unset;
  /** Stop reading and throw InvalidResponseError above this; default 32 MiB, at most 100 MiB. */
  maxResponseBytes?: number | Unset;
  /** Aborting rejects the call with `signal.reason`, whatever it is. A client's and a call's both apply. */
  signal?: AbortSignal | Unset;
  /** Used instead of the default transport (browsers: the global fetch; Node: the package's own over node:http). */
  fetch?: ((input: string, init: RequestInit) => Promise<Response>) | Unset;
  allowInsecureHttp?: boolean | Unset;
  /** Appended to this package's user agent. Node only: browsers send their own User-Agent, whatever fetch is told. */
  userAgent?: string | Unset;
}

/** Credentials are one kind per options object: an AccessKey (with or without an STS token) or a personal access
 *  token, not both (InvalidArgumentError); `edition` goes with a token only. `Options` takes either kind, checked at
 *  run time; type your own options as `AccessKeyOptions` or `TokenOptions` to have the compiler refuse a mix. */
export interface Options extends CommonOptions {
  /** AccessKey pair (in Node, default from ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET). With no credentials at all (in Node:
   *  none in the options and none in the environment) the request goes out unsigned, for a signing proxy. */
  accessKeyId?: string | Unset;
  accessKeySecret?: string | Unset;
  /** STS security token (in Node, default from ALIBABA_CLOUD_SECURITY_TOKEN). */
  securityToken?: string | Unset;
  /** Yunxiao personal access token (in Node, default from YUNXIAO_ACCESS_TOKEN): uses the token API. */
  token?: string | Unset;
  /** Token API edition: `center` (default for openapi-rdc) or `region` (no organization segment; default for any other endpoint). */
  edition?: 'center' | 'region' | Unset;
}

/** A credential of the other kind may be absent, unset, or `""` (not given, as an unset variable often arrives). */
type NotGiven = '' | Unset;

/** Options with an AccessKey, or with none (in Node, then from the environment): a token refused by the compiler. */
export interface AccessKeyOptions extends Options {
  token?: NotGiven;
  edition?: Unset;
}

/** Options with a Yunxiao personal access token: an AccessKey refused by the compiler. */
export interface TokenOptions extends Options {
  accessKeyId?: NotGiven;
  accessKeySecret?: NotGiven;
  securityToken?: NotGiven;
}

export interface PipelineJob {
  jobName: string;
  identifier: string;
  /** Exact: ids above 2^53−1 are an InvalidResponseError, never rounded. */
  lastJobId: number | null;
  /**
   * The parameters parsed; `{}` when empty; `null` when the text is not a JSON object, holds an
   * integer beyond ±(2^53−1) or a number out of a double's range (1e400, or 1e-400, which would
   * become 0), or nests deeper than 1000 levels. Other numbers are read as JSON.parse reads them
   * (a fraction to the nearest double). `lastJobParamsRaw` keeps the exact text.
   */
  lastJobParams: Record<string, unknown> | null;
  /** The parameters as the server sent them (`""` when absent). */
  lastJobParamsRaw: string;
}

export interface PipelineJobList {
  requestId: string | null;
  jobs: PipelineJob[];
}

export function listPipelineJobs(
  organizationId: string,
  pipelineId: string | number,
  category?: string | null,
  options?: Options | Unset,
): Promise<PipelineJobList>;
export function listPipelineJobs(organizationId: string, pipelineId: string | number, options: Options | Unset): Promise<PipelineJobList>;

export class YunxiaoClient {
  constructor(options?: Options | Unset);
  /**
   * Call options override the client's (a `signal` adds to the client's). Credentials go as a
   * group: a call that gives any of `accessKeyId`, `accessKeySecret`, `securityToken` or `token`
   * replaces all of the client's. Bound to the client: it may be called detached.
   */
  listPipelineJobs(organizationId: string, pipelineId: string | number, category?: string | null, callOptions?: Options | Unset): Promise<PipelineJobList>;
  listPipelineJobs(organizationId: string, pipelineId: string | number, callOptions: Options | Unset): Promise<PipelineJobList>;
}

export interface ErrorCodeInfo {
  code: string;
  httpStatus: number;
  en: string;
  zh: string;
  className: string;
}

/** What an API error code means (from the API's documentation), or null. */
export function errorCodeInfo(code: string): Promise<ErrorCodeInfo | null>;

// `initialize`'s `& object`: WebAssembly.Module declares no members, so alone it would take any value, 42 too
// (with it, any object: what it is, is checked at run time).
/** Browser build: start loading the wasm early (it loads from beside index.js on first use anyway), or say where
 *  glue_bg.wasm is. A failed load rejects with NetworkError `WasmUnavailable`; one still going after 10 s with a
 *  TimeoutError (the load goes on, for later calls). Node: resolves at once (the wasm is compiled at import; `input`
 *  is ignored). */
export function initialize(
  input?: string | URL | Request | Response | ArrayBuffer | Uint8Array | (WebAssembly.Module & object) | PromiseLike<Response | ArrayBuffer | Uint8Array>,
): Promise<unknown>;

// A Node-only program (no "dom" lib, @types/node) has no WebAssembly namespace, and one with
// neither lib has no fetch types either: an empty interface merges with the lib's where there
// is one, and names the type where there is not (there any value fits it: the package checks
// at run time).
declare global {
  namespace WebAssembly {
    interface Module {}
  }
  interface AbortSignal {}
  interface Request {}
  interface RequestInit {}
  interface Response {}
  interface URL {}
}

/** What the package builds its errors from (each field optional; you rarely need to construct one). */
export interface YunxiaoErrorRecord {
  message?: string | undefined;
  code?: string | undefined;
  status?: number | undefined;
  requestId?: string | null | undefined;
  retryable?: boolean | undefined;
  attempts?: number | undefined;
  path?: string | undefined;
  retryAfterMs?: number | undefined;
  argument?: string | undefined;
}

export class YunxiaoError extends Error {
  /** A message alone is taken too (handy for mocks). */
  constructor(record?: YunxiaoErrorRecord | string);
  /** The class's name (`NotFoundError`), as `errorCodeInfo` gives it; kept through minification. */
  static readonly className: string;
  /** The class's name; settable, as any Error's. */
  name: string;
  /** The API's error code (`InvalidPipeline.NotFound`), or the package's own: `InvalidArgument`, `NetworkError`,
   *  `Timeout`, `DeadlineExceeded`, `InvalidResponse`, `UnexpectedRedirect`, `WasmUnavailable` (browser build),
   *  `HTTP_502` (an error status without a code)… `Unknown` for an error made by hand without one. */
  readonly code: string;
  /** HTTP status; 0 when there was no answer. */
  readonly status: number;
  readonly requestId: string | null;
  readonly retryable: boolean;
  /** Attempts made (0 when refused before any request). */
  readonly attempts: number;
  /** InvalidResponseError: the offending field, e.g. `jobs[3].lastJobId`. */
  readonly path?: string;
  /** ThrottlingError, ServerError, and a TimeoutError for a 408: what the server asked us to wait. */
  readonly retryAfterMs?: number;
  /** InvalidArgumentError: the argument or option refused (`pipelineId`, `endpoint`, `timeoutMs`, `options`), when
   *  one is to blame; the message names it. Absent for a refusal of several together (an AccessKey and a token). */
  readonly argument?: string;
  /** What `JSON.stringify` writes: the class's name and the message, then the fields above. */
  toJSON(): { name: string; message: string; code: string; status: number; requestId: string | null; retryable: boolean; attempts: number; path?: string; retryAfterMs?: number; argument?: string };
}
export class InvalidArgumentError extends YunxiaoError {}
export class AuthenticationError extends YunxiaoError {}
export class ForbiddenError extends YunxiaoError {}
export class NotFoundError extends YunxiaoError {}
export class BadRequestError extends YunxiaoError {}
export class ThrottlingError extends YunxiaoError {}
export class ServerError extends YunxiaoError {}
export class NetworkError extends YunxiaoError {}
export class TimeoutError extends YunxiaoError {}
export class InvalidResponseError extends YunxiaoError {}
