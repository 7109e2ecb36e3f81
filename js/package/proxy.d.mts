// yunxiao-pipeline-jobs/proxy: the signing proxy (Node, ES module). A page calls the package
// with `endpoint` on its own origin and no credentials; your server hands each such request to
// `forward`, which signs it with credentials that stay on the server and relays the API's answer.

/** An AccessKey (with an STS token or not), or a Yunxiao personal access token: one, not both. */
export type ProxyCredentials =
  | { accessKeyId: string; accessKeySecret: string; securityToken?: string | undefined; token?: undefined; edition?: undefined }
  | { token: string; edition?: 'center' | 'region' | undefined; accessKeyId?: undefined; accessKeySecret?: undefined; securityToken?: undefined };

/** The call a page asked for, as the proxy read it from the request's path and query. */
export interface ProxiedCall {
  organizationId: string;
  pipelineId: string;
  /** As it is sent: trimmed and upper-cased (`deploy` is `DEPLOY`). */
  category: string;
}

export interface SigningProxyOptions {
  /** Base URL of the API (e.g. `https://devops.cn-hangzhou.aliyuncs.com`). */
  upstream: string;
  credentials: ProxyCredentials;
  /** Which calls to sign: anything but `true` (a throw too) is a 403 `ProxyForbidden`. The proxy
   *  signs for whoever reaches it: authenticate callers before `forward`. Default: all. */
  allow?: ((call: ProxiedCall) => boolean | PromiseLike<boolean>) | undefined;
  /** A safety net above the page's own timeout: an integer ≥ 1. Default 30000. */
  timeoutMs?: number | undefined;
  /** Answers above this are a 502 `ProxyResponseTooLarge`: an integer from 1 to 100 MiB. Default 32 MiB. */
  maxResponseBytes?: number | undefined;
  /** Calls to the upstream at once (each holds its answer while it is read and redacted; an
   *  answer already returned, while your server sends it, is no longer counted); past it a 503
   *  `ProxyBusy` asking for a random wait of 0.5 to 1.5 s (`x-acs-retry-after`; `Retry-After: 1`
   *  for other clients), which the page's package waits out and retries. A positive integer, or
   *  `Infinity`. Default 16. */
  maxConcurrentCalls?: number | undefined;
  /** Accept the emulator's `/_s/{id}` scenario prefix (the repository's emulator only). */
  scenarios?: boolean | undefined;
  /** The upstream's transport. Default: the global `fetch`. */
  fetch?: ((input: string, init: RequestInit) => Promise<Response>) | undefined;
}

/** What to send back to the page: status, headers and body, as they are. */
export interface ProxiedAnswer {
  status: number;
  headers: Record<string, string>;
  /** null for a status that has no body (101, 103, 204, 205, 304): `new Response(body, …)` takes it as it is. */
  body: Uint8Array | null;
}

/** The incoming request, after your server's base path: `/organization/{org}/pipeline/{p}/jobs` and `category=…`. */
export interface ProxiedRequest {
  rawPath: string;
  rawQuery: string;
  /** Abort it when the page goes away: the upstream call is cancelled, and `forward` resolves to null. */
  signal?: AbortSignal | undefined;
}

/** Throws the package's `InvalidArgumentError` (`code: "InvalidArgument"`, `argument`: the option) for options it would
 *  refuse on every call (among them credentials that are not strings, longer than 16,384 characters, padded with
 *  white space, or, but for the secret, not printable ASCII). */
export function createSigningProxy(options: SigningProxyOptions): (request: ProxiedRequest) => Promise<ProxiedAnswer | null>;

/** The call in a request's path and query, or why it is not one the proxy forwards. */
export function parseProxiedCall(rawPath: string, rawQuery: string): (ProxiedCall & { scenario: string | null; error?: undefined }) | { error: string };

/** Whether these credentials can sign: an AccessKey pair, or a token. */
export function canSign(credentials: unknown): boolean;

// With neither the dom lib nor @types/node, these name the types (see index.d.ts).
declare global {
  interface AbortSignal {}
  interface RequestInit {}
  interface Response {}
}
