// The official generic client doing what the generated devops SDK's listPipelineJobsWithOptions
// does (there is no devops package on npm): callApi with the ListPipelineJobs params, V3 signing
// (ACS3-HMAC-SHA256, the default). Bundled with esbuild for the size figure.
// Not done here (the generated SDK would also do it): $tea.cast into response models.
const OpenApi = require('@alicloud/openapi-client');
const OpenApiUtil = require('@alicloud/openapi-util').default;
const { RuntimeOptions } = require('@alicloud/tea-util');

/** endpoint: "host[:port]"; protocol: "https" (default) or "http". */
function createOfficialClient({ endpoint, protocol = 'https', accessKeyId, accessKeySecret }) {
  const client = new OpenApi.default(new OpenApi.Config({ accessKeyId, accessKeySecret, endpoint, protocol }));
  const runtime = new RuntimeOptions({});
  return async function listPipelineJobs(organizationId, pipelineId, category = 'DEPLOY') {
    const params = new OpenApi.Params({
      action: 'ListPipelineJobs',
      version: '2021-06-25',
      protocol: 'HTTPS',
      pathname: `/organization/${OpenApiUtil.getEncodeParam(organizationId)}/pipeline/${OpenApiUtil.getEncodeParam(String(pipelineId))}/jobs`,
      method: 'POST',
      authType: 'AK',
      style: 'ROA',
      reqBodyType: 'json',
      bodyType: 'json',
    });
    const request = new OpenApi.OpenApiRequest({ headers: {}, query: OpenApiUtil.query({ category }) });
    const response = await client.callApi(params, request, runtime);
    return response.body;
  };
}

module.exports = { createOfficialClient };
