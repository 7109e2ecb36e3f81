// Node entry (bundled to CommonJS; the ESM entry re-exports it so there is one copy).
import * as core from './glue.cjs';
import { makeClient } from './client.js';

function environment() {
  const env = process.env;
  return {
    accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID,
    accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN,
    token: env.YUNXIAO_ACCESS_TOKEN,
  };
}

export const { listPipelineJobs, YunxiaoClient } = makeClient({ run: core.runListPipelineJobs, environment });
/** The source table's meaning of an API error code, or null. (Async, like the browser build.) */
export const errorCodeInfo = async (code) => core.errorCodeInfo(String(code));
export {
  YunxiaoError, InvalidArgumentError, AuthenticationError, ForbiddenError, NotFoundError, BadRequestError,
  ThrottlingError, ServerError, NetworkError, TimeoutError, InvalidResponseError,
} from './errors.js';
