// Node ESM entry: re-exports the CommonJS build, so `import` and `require` share one copy of
// every class (instanceof and module state agree across both).
import cjs from './index.cjs';

export const {
  listPipelineJobs, YunxiaoClient, errorCodeInfo, YunxiaoError, InvalidArgumentError,
  AuthenticationError, ForbiddenError, NotFoundError, BadRequestError, ThrottlingError,
  ServerError, NetworkError, TimeoutError, InvalidResponseError,
} = cjs;
export default cjs;
