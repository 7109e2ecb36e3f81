//! The API's error codes, from the source reference page (ListPipelineJobs, 错误码), with the
//! meaning of each in English and Chinese, so errors and the demo page can explain them.

/// One row of the source table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    pub code: &'static str,
    pub http_status: u16,
    pub en: &'static str,
    pub zh: &'static str,
}

const fn row(code: &'static str, http_status: u16, en: &'static str, zh: &'static str) -> CodeInfo {
    CodeInfo { code, http_status, en, zh }
}

/// Every code of the source table, in its order. `InvalidUser.UserNotInCurrentOrganization`
/// appears twice there (400 and 404); both rows are kept.
#[rustfmt::skip] // a table: one row a line
pub const SOURCE_TABLE: &[CodeInfo] = &[
    row("InvalidCluster.NotFound", 400, "No cluster is available to generate the workspace.", "没有可用的集群,无法创建工作空间"),
    row("InvalidCodeUrl.NotSupportSVN", 400, "The parameter codeUrl is invalid. SVN is not supported.", "参数错误,不支持svn"),
    row("InvalidParam.ParamNotPresent", 400, "The parameter is invalid.", "参数有误,请检查参数"),
    row("InvalidResource.NotFound", 400, "No resource is found. You cannot create the workspace. Please try again later.", "没有资源,无法创建工作空间,请稍后尝试"),
    row("InvalidResourceRole.NotFoun", 400, "The member role is invalid.", "无效的成员角色,请检查参数"),
    row("InvalidResourceRole.NotFound", 400, "The member role is invalid.", "无效的成员角色,请检查参数"),
    row("InvalidUser.NotFound", 400, "The user that is invoking the API service is not a registered user.", "调用 API 的用户,未注册为云效用户"),
    row("InvalidUser.ResourceMemberCouldNotDeleteOwner", 400, "Resource owner cannot be deleted.", "无法删除资源owner"),
    row("InvalidUser.ResourceMemberNotExists", 400, "The resource member does not exist.", "该资源成员不存在,请检查参数"),
    row("InvalidUser.UserNotInCurrentOrganization", 400, "The user is not in the organization.", "当前用户不在该企业中"),
    row("Forbidden.AccessDenied", 403, "The user is not authorized to perform the operation.", "用户无权限执行相关操作"),
    row("Forbidden.UserNotAdminOrOwner", 403, "The current user is not an admin or owner in the organization and is not authorized to perform the operation.", "当前用户非该企业管理员或拥有者,无权进行操作。"),
    row("Forbidden.UserNotInCurrentOrganization", 403, "The user is not in the organization and is not authorized to perform the operation.", "当前用户不在该企业中,无权进行操作。"),
    row("InvalidIdentifier.NotFound", 404, "space id is error or not exist.", "数据不存在"),
    row("InvalidOrganization.NotFound", 404, "The organization is not found.", "企业不存在,请检查企业ID是否正确"),
    row("InvalidPipeline.NotFound", 404, "The pipeline is not found.", "流水线不存在"),
    row("InvalidPipelineRun.NotFound", 404, "The pipeline execution instance is not found.", "流水线运行实例不存在"),
    row("InvalidUser.UserNotInCurrentOrganization", 404, "The current user is not in the organization and has no permission to operate.", "当前用户不在该企业中,无权进行操作。"),
    row("InvalidWorkspace.NotFound", 404, "The workspace is not found.", "工作空间不存在"),
];

/// Codes of the gateway in front of every Alibaba Cloud API that this client meets.
#[rustfmt::skip] // a table: one row a line
pub const GATEWAY_CODES: &[CodeInfo] = &[
    row("SignatureDoesNotMatch", 400, "The request signature does not match the server's calculation.", "请求签名与服务端计算结果不一致"),
    row("IncompleteSignature", 400, "The request signature is missing or incomplete.", "请求签名不完整"),
    row("InvalidAccessKeyId.NotFound", 404, "The AccessKey ID does not exist.", "AccessKey ID 不存在"),
    row("InvalidAccessKeyId.Inactive", 400, "The AccessKey ID is disabled.", "AccessKey ID 已被禁用"),
    row("InvalidSecurityToken.Expired", 400, "The STS security token has expired.", "STS 安全令牌已过期"),
    row("InvalidSecurityToken.Malformed", 400, "The STS security token is malformed.", "STS 安全令牌格式错误"),
    row("InvalidSecurityToken.MismatchWithAccessKey", 400, "The STS security token does not belong to the AccessKey.", "STS 安全令牌与 AccessKey 不匹配"),
    row("InvalidTimeStamp.Expired", 400, "The request time differs too much from the server time.", "请求时间与服务端时间相差过大"),
    row("SignatureNonceUsed", 400, "The signature nonce has been used.", "签名随机数已被使用"),
    row("Throttling.User", 429, "Requests are throttled for this user.", "用户请求被限流"),
    row("ServiceUnavailable", 503, "The service is temporarily unavailable.", "服务暂时不可用"),
    row("InternalError", 500, "The server had an internal error.", "服务端内部错误"),
    row("Unauthorized", 401, "The personal access token is invalid.", "个人访问令牌无效"),
];

/// What a code means: the first matching row of the source table, else of the gateway codes.
pub fn describe(code: &str) -> Option<&'static CodeInfo> {
    SOURCE_TABLE.iter().chain(GATEWAY_CODES.iter()).find(|info| info.code == code)
}

/// The 404 codes of the source table: these are `NotFoundError`s whatever the HTTP status.
pub fn is_source_not_found(code: &str) -> bool {
    SOURCE_TABLE
        .iter()
        .any(|info| info.http_status == 404 && info.code == code && code != "InvalidUser.UserNotInCurrentOrganization")
}

/// The 400 codes of the source table.
pub fn is_source_bad_request(code: &str) -> bool {
    SOURCE_TABLE.iter().any(|info| info.http_status == 400 && info.code == code)
}
