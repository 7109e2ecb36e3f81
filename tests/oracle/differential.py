#!/usr/bin/env python3
"""Differential test: our Rust request signer against the official Alibaba Cloud Python SDK.

Run it with tests/oracle/run.sh (which builds .venv/oracle first), from the repository root.

What it does
 1. Self-check of the oracle, independent of our Rust:
    - the six golden vectors in tests/fixtures/signing-vectors.json are recomputed with the
      SDK's signing functions (both the 0.4 line, alibabacloud_tea_openapi.utils, and the
      0.3 line's alibabacloud_openapi_util.client) and must match byte for byte;
    - the real devops SDK client (alibabacloud_devops20210625 5.0.3) sends ListPipelineJobs
      to a loopback HTTP server; for what it really sent, the oracle functions must reproduce
      its Authorization and its path. This proves the oracle calls are the ones the SDK uses.
 2. Generates deterministic (seeded) cases, feeds them as JSON lines to our signer
    (`cargo run --quiet --release --example sign_request`, or $SIGN_REQUEST_BIN), and for each
    answer checks: the pathname the SDK would build (its own code), the URL, the required
    headers, and that the SDK computes the very same Authorization from our pathname, query
    and the headers we signed. Invalid inputs must come back as errors with code
    "InvalidArgument".

Secrets (AccessKey secret, STS token) are never printed: mismatches name the case id and
the field that differs.

Exit status: 0 all good; 1 a mismatch in our signer; 2 the oracle itself failed its
self-check or the signer could not be run.
"""

from __future__ import annotations

import argparse
import datetime
import email.utils
import http.server
import json
import os
import random
import string
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

# ---- the official SDK ------------------------------------------------------------------
# 0.4 line: the signing helpers used by alibabacloud_tea_openapi 0.4.x's Client.
import alibabacloud_tea_openapi.utils as oa4_mod
from alibabacloud_tea_openapi.utils import Utils as OA4
# 0.3 line: alibabacloud_openapi_util (used by alibabacloud_tea_openapi 0.3.x, and imported
# by the devops SDK itself as OpenApiUtilClient).
import alibabacloud_openapi_util.client as oa3_mod
from alibabacloud_openapi_util.client import Client as OA3
# The product SDK: its list_pipeline_jobs builds the pathname and query.
import alibabacloud_devops20210625.client as devops_client_mod
from alibabacloud_devops20210625 import models as devops_models
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_util import models as util_models
from darabonba.request import DaraRequest
from Tea.request import TeaRequest

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "fixtures" / "signing-vectors.json"

V3_ALGORITHM = "ACS3-HMAC-SHA256"
ACTION = "ListPipelineJobs"
VERSION = "2021-06-25"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


# ======================================================================================
# Oracle: thin wrappers around the SDK's own functions
# ======================================================================================

class _Captured(Exception):
    pass


class SdkShape:
    """Runs the devops SDK's list_pipeline_jobs up to the point where it calls call_api,
    and captures the Params (pathname, action, version, method, style) and the query."""

    def __init__(self) -> None:
        cfg = open_api_models.Config(
            access_key_id="oracle", access_key_secret="oracle",
            endpoint="devops.cn-hangzhou.aliyuncs.com")
        self.client = devops_client_mod.Client(cfg)
        self._last = None

        def fake_call_api(params, req, runtime):
            self._last = (params, req)
            raise _Captured()

        self.client.call_api = fake_call_api

    def build(self, organization_id: str, pipeline_id: str, category: str):
        self._last = None
        try:
            self.client.list_pipeline_jobs(
                organization_id, pipeline_id,
                devops_models.ListPipelineJobsRequest(category=category))
        except _Captured:
            pass
        if self._last is None:
            raise RuntimeError("devops SDK did not reach call_api")
        params, req = self._last
        return {
            "pathname": params.pathname,
            "query": dict(req.query or {}),
            "action": params.action,
            "version": params.version,
            "method": params.method,
            "style": params.style,
        }


def sdk_encode_param(text: str) -> str:
    """The path-parameter encoder the devops SDK calls (OpenApiUtilClient.get_encode_param)."""
    return devops_client_mod.OpenApiUtilClient.get_encode_param(text)


def rfc3986_encode(text: str) -> str:
    """Independent reference: only A-Za-z0-9-._~ literal, everything else %XX (upper, UTF-8)."""
    keep = set(string.ascii_letters + string.digits + "-._~")
    return "".join(chr(b) if chr(b) in keep else "%%%02X" % b for b in text.encode("utf-8"))


def _request(cls, method, pathname, query, headers):
    req = cls()
    req.method = method
    req.pathname = pathname
    req.query = dict(query)
    req.headers = dict(headers)
    return req


def empty_payload_hash() -> str:
    return OA4.hex_encode(OA4.hash(b"", V3_ALGORITHM))


def v3_authorization(method, pathname, query, headers, ak, secret, line="0.4"):
    """Authorization as the SDK computes it, signing exactly `headers` (all of them)."""
    if line == "0.4":
        req = _request(DaraRequest, method, pathname, query, headers)
        return OA4.get_authorization(req, V3_ALGORITHM, empty_payload_hash(), ak, secret)
    req = _request(TeaRequest, method, pathname, query, headers)
    return OA3.get_authorization(req, V3_ALGORITHM, OA3.hex_encode(OA3.hash(b"", V3_ALGORITHM)),
                                 ak, secret)


def v3_canonical(method, pathname, query, headers, line="0.4"):
    """Canonical request and string-to-sign, composed from the SDK's module-level helpers the
    same way Utils.get_authorization composes them (used for the golden-vector check)."""
    mod, util = (oa4_mod, OA4) if line == "0.4" else (oa3_mod, OA3)
    canonical_headers, signed_headers = mod.get_canonicalized_headers(headers)
    canonical_request = (f"{method}\n{pathname or '/'}\n{mod.get_canonical_query_string(query)}\n"
                         f"{canonical_headers}\n{signed_headers}\n{empty_payload_hash()}")
    string_to_sign = (f"{V3_ALGORITHM}\n"
                      f"{util.hex_encode(util.hash(canonical_request.encode('utf-8'), V3_ALGORITHM))}")
    return canonical_request, string_to_sign, signed_headers


def v1_authorization(method, pathname, query, headers, ak, secret, line="0.4"):
    """(authorization, string_to_sign) for ROA signature V1, as the SDK computes them."""
    if line == "0.4":
        req = _request(DaraRequest, method, pathname, query, headers)
        sts = OA4.get_string_to_sign(req)
        return f"acs {ak}:{OA4.get_roasignature(sts, secret)}", sts
    req = _request(TeaRequest, method, pathname, query, headers)
    sts = OA3.get_string_to_sign(req)
    return f"acs {ak}:{OA3.get_roasignature(sts, secret)}", sts


def x_acs_date(ms: int) -> str:
    return datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def rfc1123_date(ms: int) -> str:
    return email.utils.formatdate(ms // 1000, usegmt=True)


def endpoint_parts(endpoint: str):
    u = urllib.parse.urlsplit(endpoint)
    return u.scheme, u.netloc, u.path.rstrip("/")


# ======================================================================================
# Self-check 1: golden vectors
# ======================================================================================

def check_vectors(problems: list) -> int:
    data = json.loads(VECTORS.read_text(encoding="utf-8"))
    shape = SdkShape()
    n = 0
    for case in data["cases"]:
        name, inp, exp = case["name"], case["input"], case["expected"]
        n += 1
        ak, secret = inp["access_key_id"], inp["access_key_secret"]
        token = inp.get("security_token")
        method, pathname, query = inp["method"], inp["pathname"], inp["query"]

        # The vectors' pathnames are what the SDK builds for these ids.
        org = urllib.parse.unquote(pathname.split("/")[2])
        pid = urllib.parse.unquote(pathname.split("/")[4])
        sdk = shape.build(org, pid, query["category"])
        if (sdk["action"], sdk["version"], sdk["method"], sdk["style"]) != (ACTION, VERSION, "POST", "ROA"):
            problems.append(f"vector {name}: SDK params {sdk} are not POST ROA {ACTION} {VERSION}")
        built = sdk["pathname"]
        if built != pathname:
            problems.append(f"vector {name}: SDK pathname {built!r} != vector {pathname!r}")

        headers = dict(inp["headers"])
        if inp["algorithm"] == "v3":
            headers["x-acs-content-sha256"] = empty_payload_hash()
        if token:
            headers["x-acs-accesskey-id"] = ak
            headers["x-acs-security-token"] = token

        if inp["algorithm"] == "v1":
            if headers != exp["final_headers"]:
                problems.append(f"vector {name}: final headers differ")
            for line in ("0.4", "0.3"):
                auth, sts = v1_authorization(method, pathname, query, headers, ak, secret, line)
                if sts != exp["string_to_sign"]:
                    problems.append(f"vector {name} ({line}): string_to_sign differs")
                if auth != exp["authorization"] or auth.split(":", 1)[1] != exp["signature"]:
                    problems.append(f"vector {name} ({line}): authorization differs")
            continue

        for variant, expv in exp.items():
            if variant == "all_headers":
                signed = headers
            elif variant == "host_and_acs_headers":
                signed = {k: v for k, v in headers.items()
                          if k == "host" or k.startswith("x-acs-") or k == "content-type"}
            else:
                problems.append(f"vector {name}: unknown variant {variant}")
                continue
            if headers != expv["final_headers"]:
                problems.append(f"vector {name}/{variant}: final headers differ")
            for line in ("0.4", "0.3"):
                auth = v3_authorization(method, pathname, query, signed, ak, secret, line)
                if auth != expv["authorization"]:
                    problems.append(f"vector {name}/{variant} ({line}): authorization differs")
                creq, sts, sh = v3_canonical(method, pathname, query, signed, line)
                if creq != expv["canonical_request"]:
                    problems.append(f"vector {name}/{variant} ({line}): canonical request differs")
                if sts != expv["string_to_sign"]:
                    problems.append(f"vector {name}/{variant} ({line}): string_to_sign differs")
                if sh != expv["signed_headers"]:
                    problems.append(f"vector {name}/{variant} ({line}): signed headers differ")
                if not auth.endswith("Signature=" + expv["signature"]):
                    problems.append(f"vector {name}/{variant} ({line}): signature differs")
    return n


# ======================================================================================
# Self-check 2: the real SDK client on the wire (loopback), re-verified by the oracle
# ======================================================================================

class _Recorder(http.server.BaseHTTPRequestHandler):
    captured: list = []

    def do_POST(self):  # noqa: N802 (http.server API)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        self.captured.append({
            "method": self.command,
            "target": self.path,  # the raw request-target, as sent
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body,
        })
        payload = json.dumps({"requestId": "loopback", "success": True, "jobs": []}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):  # keep the output quiet
        pass


LOOPBACK_IDS = [
    ("5f3e0a2b9c8d7e6f5a4b3c2d", "1234567"),
    ("org x/y*~'()!", "../%2e%2e"),
    ("云效 流水线😀", "100%+1"),
    ("..x", "~a.b_c-d~"),
]


def check_sdk_on_the_wire(problems: list) -> int:
    for var in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        os.environ.pop(var, None)
    _Recorder.captured = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    shape = SdkShape()
    n = 0
    try:
        for i, (org, pid) in enumerate(LOOPBACK_IDS):
            # signature_algorithm 'v2' is how tea_openapi 0.4.x selects the ROA V1 path
            # (Client.call_api -> do_roarequest); unset gives V3 (Client.do_request).
            for algorithm in (None, "v2"):
                for token in (None, "loopbackSecurityToken+/="):
                    n += 1
                    label = f"loopback#{n} ({'v1' if algorithm else 'v3'}, sts={'on' if token else 'off'})"
                    category = "DEPLOY" if i % 2 == 0 else "BUILD_2"
                    secret = f"loopback secret {i} +/=\"'"
                    cfg = open_api_models.Config(
                        access_key_id="loopbackAK", access_key_secret=secret,
                        security_token=token, endpoint=f"127.0.0.1:{port}", protocol="http",
                        user_agent="oracle-loopback/1.0", signature_algorithm=algorithm)
                    client = devops_client_mod.Client(cfg)
                    before = len(_Recorder.captured)
                    client.list_pipeline_jobs_with_options(
                        org, pid, devops_models.ListPipelineJobsRequest(category=category), {},
                        util_models.RuntimeOptions(connect_timeout=5000, read_timeout=5000))
                    if len(_Recorder.captured) != before + 1:
                        problems.append(f"{label}: expected one captured request")
                        continue
                    cap = _Recorder.captured[-1]
                    path, _, raw_query = cap["target"].partition("?")
                    query = dict(urllib.parse.parse_qsl(raw_query, keep_blank_values=True))
                    expected_path = shape.build(org, pid, category)["pathname"]
                    if path != expected_path:
                        problems.append(f"{label}: wire path {path!r} != SDK pathname {expected_path!r}")
                    if query != {"category": category}:
                        problems.append(f"{label}: wire query {query!r}")
                    if cap["method"] != "POST" or cap["body"] != b"":
                        problems.append(f"{label}: method/body unexpected")
                    headers = dict(cap["headers"])
                    sent_auth = headers.pop("authorization", None)
                    if algorithm is None:
                        signed_names = sent_auth.split("SignedHeaders=", 1)[1].split(",", 1)[0].split(";")
                        signed = {k: headers[k] for k in signed_names}
                        if headers.get("x-acs-content-sha256") != EMPTY_SHA256:
                            problems.append(f"{label}: x-acs-content-sha256 unexpected")
                        for line in ("0.4", "0.3"):
                            ours = v3_authorization("POST", path, query, signed, "loopbackAK",
                                                    secret, line)
                            if ours != sent_auth:
                                problems.append(f"{label} ({line}): oracle V3 authorization != SDK's")
                    else:
                        for line in ("0.4", "0.3"):
                            ours, _ = v1_authorization("POST", path, query, headers, "loopbackAK",
                                                       secret, line)
                            if ours != sent_auth:
                                problems.append(f"{label} ({line}): oracle V1 authorization != SDK's")
                    if token and (headers.get("x-acs-accesskey-id") != "loopbackAK"
                                  or headers.get("x-acs-security-token") != token):
                        problems.append(f"{label}: STS headers missing")
    finally:
        server.shutdown()
        server.server_close()
    return n


# ======================================================================================
# Case generation
# ======================================================================================

ENDPOINTS = [
    "https://devops.cn-hangzhou.aliyuncs.com",
    "http://127.0.0.1:8090",
    "https://example.com:8443/base",
]

# Ids that must be signed (label, value). Labels are ASCII: they become part of case ids.
ID_CATALOGUE = [
    ("plain", "5f3e0a2b9c8d7e6f5a4b3c2d"),
    ("space", "my org"),
    ("space-edges", " leading and trailing "),
    ("slash", "team/sub"),
    ("percent", "100%"),
    ("percent-seq", "%41%2F%zz"),
    ("plus", "a+b"),
    ("star", "a*b"),
    ("tilde", "~user~"),
    ("squote", "o'brien"),
    ("dquote", 'say "hi"'),
    ("chinese", "云效流水线"),
    ("emoji", "\U0001F680pipeline\U0001F600"),
    ("emoji-zwj", "\U0001F469\u200D\U0001F4BB"),
    ("emoji-skin", "\U0001F44D\U0001F3FD"),
    ("combining", "e\u0301t\u00e9"),
    ("dotdot-slash", "../"),
    ("dotdot-traverse", "../../etc/passwd"),
    ("pct-dotdot", "%2e%2e"),
    ("pct-dotdot-upper", "%2E%2E"),
    ("pct-dotdot-slash", "%2e%2e%2f"),
    ("dot-pct", ".%2e"),
    ("triple-dot", "..."),
    ("dot-prefix", ".hidden"),
    ("dotdot-prefix", "..x"),
    ("slash-dotdot", "/.."),
    ("sub-delims", "!$&'()*+,;=:@"),
    ("gen-delims", "?#[]"),
    ("unreserved", "AZaz09-._~"),
    ("backslash", "a\\b"),
    ("ascii-punct", "`^{|}<>\""),
    ("nbsp", "a\u00a0b"),
    ("long-256", "L" * 200 + "/ %+*~'中😀" * 5),
    ("long-1024", ("abc-" * 250) + "流水线😀"),
]

PIPELINE_NUMERIC = ["1234567", "0", "1", "007", "9223372036854775807",
                    "18446744073709551616", "42"]

# Categories in the API's own form (upper-case identifiers): these must be signed.
CATEGORIES_SIGN = ["DEPLOY", "BUILD_2", "BUILD", "TEST", "RELEASE_V2", "X"]
# Anything else is a policy case (see Gen.generate): signed exactly as given, signed after the
# normalisation "trim + upper-case", or rejected with InvalidArgument.
CATEGORIES_POLICY = ["deploy", " DEPLOY ", "Deploy-1", "RELEASE.v2", "", "BUILD 2+x", "部署/x",
                     "a&b=c?d#e%", "~*'()!"]

USER_AGENTS = [None, "my-app/1.0", "Yunxiao-Jobs/0.1 (+https://example.com/bot)", "ci-bot",
               "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2"]

ODD_SECRETS = [
    "testAccessKeySecret",
    "sec ret+/=with spaces",
    "q\"uo'te\\back\\slash",
    "中文密钥😀-secret-unicode",
    "ends-with-space-secret ",
    " starts-with-space-secret",
    "\ttab-and-newline\nsecret",
    "%2F%zz&a=b?c#d-secret",
    "x" * 200,
]

SPECIAL_TIMESTAMPS = [
    1580974374000,      # the golden vectors' date: Thu, 06 Feb 2020 07:32:54 GMT
    1580974374999,      # same second, last millisecond (must truncate, not round)
    951782400000,       # 2000-02-29T00:00:00Z
    1709164800123,      # 2024-02-29T00:00:00.123Z
    1704067199999,      # 2023-12-31T23:59:59.999Z
    4102444799000,      # 2099-12-31T23:59:59Z
    946684800000,       # 2000-01-01T00:00:00Z
]

RANDOM_ID_ALPHABET = (string.ascii_letters + string.digits + "-._~" * 3 + " /%+*'!()&=?#[]@:;,$<>\\^`{|}\""
                      + "云效流水线测试任务部署" + "\U0001F600\U0001F680\U0001F44D\u00e9\u00df")


class Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.cases: list = []

    # -- random pieces -------------------------------------------------------------------
    def ak(self) -> str:
        r = self.rng
        if r.random() < 0.2:
            return "STS." + "".join(r.choices(string.ascii_letters + string.digits, k=24))
        return "LTAI" + "".join(r.choices(string.ascii_letters + string.digits, k=r.randint(12, 20)))

    def secret(self) -> str:
        r = self.rng
        # A unique core keeps the leak check meaningful (no accidental substrings).
        core = "".join(r.choices(string.ascii_letters + string.digits, k=14))
        if r.random() < 0.35:
            return r.choice(ODD_SECRETS) + core
        extra = "".join(r.choices(string.printable.strip() + " 密钥😀", k=r.randint(0, 30)))
        return core + extra

    def token(self) -> str:
        r = self.rng
        return "CAIS" + "".join(r.choices(string.ascii_letters + string.digits + "+/", k=r.randint(40, 600))) + r.choice(["", "=", "=="])

    def nonce(self) -> str:
        r = self.rng
        k = r.random()
        if k < 0.7:
            return "%032x" % r.getrandbits(128)
        if k < 0.85:
            h = "%032x" % r.getrandbits(128)
            return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        return ("%032X" % r.getrandbits(128))

    def timestamp(self) -> int:
        r = self.rng
        if r.random() < 0.15:
            return r.choice(SPECIAL_TIMESTAMPS)
        return r.randint(946684800000, 4102444799999)

    def random_id(self) -> str:
        r = self.rng
        while True:
            s = "".join(r.choices(RANDOM_ID_ALPHABET, k=r.randint(1, 40)))
            if r.random() < 0.15:
                s = r.choice(["../", "%2e%2e", "..%2F", "./"]) + s
            if s not in ("", ".", "..") and "\r" not in s and "\n" not in s:
                return s

    def org(self) -> str:
        r = self.rng
        k = r.random()
        if k < 0.3:
            return "%024x" % r.getrandbits(96)
        if k < 0.6:
            return r.choice(ID_CATALOGUE)[1]
        return self.random_id()

    def pipeline(self) -> str:
        r = self.rng
        k = r.random()
        if k < 0.55:
            return r.choice(PIPELINE_NUMERIC + [str(r.randint(1, 10 ** 9))] * 4)
        if k < 0.8:
            return r.choice(ID_CATALOGUE)[1]
        return self.random_id()

    def sts(self):
        return None if self.rng.random() < 0.45 else self.token()

    # -- cases ---------------------------------------------------------------------------
    def add(self, expect: str, label: str, **over):
        r = self.rng
        inp = {
            "id": "",
            "algorithm": r.choice(["v3", "v1"]),
            "endpoint": r.choice(ENDPOINTS),
            "organizationId": self.org(),
            "pipelineId": self.pipeline(),
            "category": r.choice(CATEGORIES_SIGN),
            "accessKeyId": self.ak(),
            "accessKeySecret": self.secret(),
            "securityToken": self.sts(),
            "timestampMs": self.timestamp(),
            "nonce": self.nonce(),
            "userAgent": r.choice(USER_AGENTS),
        }
        inp.update(over)
        inp["id"] = f"c{len(self.cases):04d}-{inp['algorithm']}-{label}"
        self.cases.append({"input": inp, "expect": expect, "label": label})

    def generate(self, total: int) -> list:
        # Every catalogue id, in each position, with each algorithm.
        for label, value in ID_CATALOGUE:
            for alg in ("v3", "v1"):
                self.add("sign", f"org-{label}", algorithm=alg, organizationId=value)
                self.add("sign", f"pipe-{label}", algorithm=alg, pipelineId=value)
        for value in PIPELINE_NUMERIC:
            for alg in ("v3", "v1"):
                self.add("sign", f"pipe-numeric-{len(value)}", algorithm=alg, pipelineId=value)
        # Endpoint x algorithm x STS, with plain ids.
        for ei, endpoint in enumerate(ENDPOINTS):
            for alg in ("v3", "v1"):
                for sts in (None, "", "sts"):
                    # The SDK treats an empty token as "no token"; rejecting it is fine too.
                    self.add("either" if sts == "" else "sign",
                             f"endpoint{ei}-sts-{'none' if sts is None else ('empty' if sts == '' else 'on')}",
                             algorithm=alg, endpoint=endpoint,
                             securityToken=(self.token() if sts == "sts" else sts),
                             organizationId="5f3e0a2b9c8d7e6f5a4b3c2d", pipelineId="1234567")
        for ci, category in enumerate(CATEGORIES_SIGN):
            for alg in ("v3", "v1"):
                self.add("sign", f"category{ci}", algorithm=alg, category=category)
        for si, secret in enumerate(ODD_SECRETS):
            for alg in ("v3", "v1"):
                self.add("sign", f"secret{si}", algorithm=alg,
                         accessKeySecret=secret + "%014d" % self.rng.getrandbits(40))
        for ui, ua in enumerate(USER_AGENTS):
            for alg in ("v3", "v1"):
                self.add("sign", f"ua{ui}", algorithm=alg, userAgent=ua)
        for ti, ts in enumerate(SPECIAL_TIMESTAMPS):
            for alg in ("v3", "v1"):
                self.add("sign", f"time{ti}", algorithm=alg, timestampMs=ts)

        # Invalid: must be rejected with InvalidArgument. "." and ".." would be removed by
        # URL normalisation (fetch/WHATWG URL), so the request would not be the one signed.
        for bad_label, bad in (("empty", ""), ("dot", "."), ("dotdot", "..")):
            for alg in ("v3", "v1"):
                self.add("reject", f"org-{bad_label}", algorithm=alg, organizationId=bad)
                self.add("reject", f"pipe-{bad_label}", algorithm=alg, pipelineId=bad)

        # Policy: either signed (then fully verified) or rejected with InvalidArgument.
        policy = [(f"category-policy{ci}", {"category": c}) for ci, c in enumerate(CATEGORIES_POLICY)]
        policy += [
            ("id-newline", {"organizationId": "line1\nline2"}),
            ("id-controls", {"pipelineId": "a\tb\rc\x00d\x7f"}),
            ("id-whitespace-only", {"organizationId": "   "}),
            ("id-8192", {"organizationId": "x" * 8000 + "流水线" * 64}),
            ("secret-empty", {"accessKeySecret": ""}),
            ("ak-empty", {"accessKeyId": ""}),
            ("ua-empty", {"userAgent": ""}),
            ("ua-unicode", {"userAgent": "应用/1.0"}),
            ("ua-crlf", {"userAgent": "x\r\nx-acs-evil: 1"}),
            ("token-crlf", {"securityToken": "tok\r\nx-acs-evil: 1"}),
            ("nonce-empty", {"nonce": ""}),
        ]
        for label, over in policy:
            for alg in ("v3", "v1"):
                self.add("either", label, algorithm=alg, **over)

        # A credential with a space at an end: HTTP drops it, so the server would verify another
        # value than the one signed (V1 signs x-acs-security-token as given). Refused.
        for label, over in [("token-padded", {"securityToken": " tok "}), ("ak-padded", {"accessKeyId": "LTAI5tPadded0001 "})]:
            for alg in ("v3", "v1"):
                self.add("reject", label, algorithm=alg, **over)

        # Random fill.
        i = 0
        while len(self.cases) < total:
            self.add("sign", f"random{i}")
            i += 1
        return self.cases


# ======================================================================================
# Running our signer
# ======================================================================================

def run_signer(lines: list, timeout: int) -> tuple:
    bin_path = os.environ.get("SIGN_REQUEST_BIN")
    cmd = [bin_path] if bin_path else ["cargo", "run", "--quiet", "--release", "--example", "sign_request"]
    stdin = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines)
    try:
        proc = subprocess.run(cmd, cwd=ROOT, input=stdin.encode("utf-8"), capture_output=True,
                              timeout=timeout)
    except FileNotFoundError as e:
        return None, f"cannot run {cmd[0]}: {e}"
    except subprocess.TimeoutExpired:
        return None, f"signer timed out after {timeout}s"
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").splitlines()[-30:]
        return None, f"signer exited with {proc.returncode}:\n  " + "\n  ".join(tail)
    return proc.stdout.decode("utf-8", "replace"), None


# ======================================================================================
# Comparing one answer
# ======================================================================================

SECRET_HEADERS = {"authorization", "x-acs-security-token"}


def _show(v, limit=120):
    s = repr(v)
    return s if len(s) <= limit else s[:limit] + "...'"


def _strings(value):
    """Every string (keys and values) inside a decoded JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _show_pair(expected, actual, width=50):
    """Both values around their first difference, so long paths stay readable."""
    if not (isinstance(expected, str) and isinstance(actual, str)) or (
            len(repr(expected)) <= 120 and len(repr(actual)) <= 120):
        return f"expected {_show(expected)}, got {_show(actual)}"
    i = next((k for k, (a, b) in enumerate(zip(expected, actual)) if a != b),
             min(len(expected), len(actual)))
    start = max(0, i - 20)

    def cut(s):
        return ("..." if start else "") + repr(s[start:start + width]) + ("..." if len(s) > start + width else "")
    return f"first difference at char {i}: expected {cut(expected)}, got {cut(actual)}"


class Case:
    def __init__(self, case: dict, shape: SdkShape):
        self.inp = case["input"]
        self.expect = case["expect"]
        self.shape = shape
        self.diffs: list = []
        self.note = ""

    def diff(self, field, expected=None, actual=None, secret=False):
        if secret or (expected is None and actual is None):
            self.diffs.append(field)
        else:
            self.diffs.append(f"{field}: {_show_pair(expected, actual)}")

    def check(self, out) -> str:
        """Returns 'signed', 'rejected' or 'mismatch' (details in self.diffs)."""
        inp = self.inp
        if out is None:
            self.diff("no answer for this id")
            return "mismatch"
        if not isinstance(out, dict):
            self.diff("answer is not a JSON object")
            return "mismatch"
        strings = list(_strings(out))
        secret = inp["accessKeySecret"]
        if len(secret) >= 8 and any(secret in s for s in strings):
            self.diff("LEAK: the AccessKey secret appears in the output", secret=True)

        if "error" in out:
            token = inp["securityToken"] or ""
            if len(token) >= 8 and any(token in s for s in strings):
                self.diff("LEAK: the security token appears in the error", secret=True)
            err = out.get("error")
            code = err.get("code") if isinstance(err, dict) else None
            if not isinstance(err, dict) or not isinstance(err.get("message"), str):
                self.diff("error: not {code, message}")
            if self.expect == "sign":
                self.diff("rejected a valid input", "a signed request", f"error {code}")
                return "mismatch"
            if code != "InvalidArgument":
                self.diff("error.code", "InvalidArgument", code)
                return "mismatch"
            if not self.diffs:
                self.note = f"rejected: {err.get('message', '')}"
            return "mismatch" if self.diffs else "rejected"

        if self.expect == "reject":
            self.diff("accepted an invalid input", "error InvalidArgument", "a signed request")
            return "mismatch"
        self.check_signed(out)
        return "mismatch" if self.diffs else "signed"

    def check_signed(self, out: dict):
        inp = self.inp
        alg = inp["algorithm"]
        ak, secret = inp["accessKeyId"], inp["accessKeySecret"]
        token = inp["securityToken"]
        sts_on = token is not None and token != ""

        for key in ("method", "url", "pathname", "query", "headers"):
            if key not in out:
                self.diff(f"missing field {key}")
        if self.diffs:
            return
        method, url, pathname, query, headers = (out["method"], out["url"], out["pathname"],
                                                 out["query"], out["headers"])
        if not (isinstance(headers, dict) and all(isinstance(k, str) and isinstance(v, str)
                                                  for k, v in headers.items())):
            self.diff("headers: not a map of strings")
            return
        if not isinstance(query, dict) or not all(isinstance(v, str) for v in query.values()):
            self.diff("query: not a map of strings")
            return

        # (a) the request line, as the SDK builds it
        category = inp["category"]
        if (self.expect == "either" and query.get("category") != category
                and query.get("category") == category.strip().upper()):
            category = category.strip().upper()  # accepted normalisation (policy cases only)
            self.note = "category normalised"
        sdk = self.shape.build(inp["organizationId"], inp["pipelineId"], category)
        scheme, netloc, base = endpoint_parts(inp["endpoint"])
        expected_path = base + sdk["pathname"]
        if method != sdk["method"]:
            self.diff("method", sdk["method"], method)
        if pathname != expected_path:
            self.diff("pathname", expected_path, pathname)
        if query != sdk["query"]:
            self.diff("query", sdk["query"], query)
        if any(seg in (".", "..") for seg in pathname.split("/")):
            self.diff("pathname has a dot segment (URL normalisation would rewrite it)")
        u = urllib.parse.urlsplit(url) if isinstance(url, str) else None
        if u is None:
            self.diff("url: not a string")
        else:
            if (u.scheme, u.netloc) != (scheme, netloc):
                self.diff("url.origin", f"{scheme}://{netloc}", f"{u.scheme}://{u.netloc}")
            if u.path != pathname:
                self.diff("url.path", pathname, u.path)
            if u.fragment:
                self.diff("url has a fragment")
            parsed = urllib.parse.parse_qs(u.query, keep_blank_values=True)
            if parsed != {k: [v] for k, v in sdk["query"].items()}:
                self.diff("url.query", sdk["query"], parsed)

        # (b) required headers
        for name in headers:
            if name != name.lower():
                self.diff(f"header name not lower-case: {name!r}")
        for name, value in headers.items():
            if any(c in value for c in "\r\n\0"):
                self.diff(f"headers.{name}: contains CR, LF or NUL", secret=True)

        def want(name, expected):
            actual = headers.get(name)
            if actual != expected:
                self.diff(f"headers.{name}", expected, actual, secret=name in SECRET_HEADERS)

        want("host", netloc)
        want("accept", "application/json")
        want("x-acs-action", sdk["action"])
        want("x-acs-version", sdk["version"])
        want("x-acs-signature-nonce", inp["nonce"])
        if "content-type" in headers:
            self.diff("headers.content-type present (the request has no body)")
        if alg == "v3":
            want("x-acs-date", x_acs_date(inp["timestampMs"]))
            want("x-acs-content-sha256", empty_payload_hash())
        else:
            want("date", rfc1123_date(inp["timestampMs"]))
            want("x-acs-signature-method", "HMAC-SHA1")
            want("x-acs-signature-version", "1.0")
        if sts_on:
            want("x-acs-accesskey-id", ak)
            want("x-acs-security-token", token)
        else:
            for name in ("x-acs-accesskey-id", "x-acs-security-token"):
                if name in headers:
                    self.diff(f"headers.{name} present without a security token")
        ua = inp["userAgent"]
        if ua:
            if ua not in headers.get("user-agent", ""):
                self.diff("headers.user-agent does not contain the given user agent", ua,
                          headers.get("user-agent"))

        # (c) the authorization, recomputed by the SDK from what we sent
        auth = headers.get("authorization")
        if not isinstance(auth, str):
            self.diff("headers.authorization missing")
            return
        signing_headers = {k: v for k, v in headers.items() if k != "authorization"}
        if alg == "v3":
            prefix = f"{V3_ALGORITHM} Credential={ak},SignedHeaders="
            if not auth.startswith(prefix) or ",Signature=" not in auth:
                self.diff("authorization: not 'ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=...,Signature=...'")
                return
            names = auth[len(prefix):].split(",Signature=", 1)[0].split(";")
            unknown = [n for n in names if n not in signing_headers]
            if unknown:
                self.diff("SignedHeaders names headers that were not sent", [], unknown)
                return
            must_sign = {"host"} | {n for n in signing_headers if n.startswith("x-acs-")}
            missing = sorted(must_sign - set(names))
            if missing:
                self.diff("SignedHeaders leaves out", [], missing)
            signed = {n: signing_headers[n] for n in names}
            expected = [v3_authorization(method, pathname, query, signed, ak, secret, line)
                        for line in ("0.4", "0.3")]
        else:
            expected = [v1_authorization(method, pathname, query, signing_headers, ak, secret, line)[0]
                        for line in ("0.4", "0.3")]
        if expected[0] != expected[1]:
            self.diff("ORACLE: tea_openapi 0.4 and openapi_util 0.3-line disagree")
        if auth != expected[0]:
            if alg == "v3":
                ours_sh = auth.split("SignedHeaders=", 1)[1].split(",", 1)[0]
                exp_sh = expected[0].split("SignedHeaders=", 1)[1].split(",", 1)[0]
                if ours_sh != exp_sh:
                    self.diff("authorization.SignedHeaders", exp_sh, ours_sh)
                else:
                    self.diff("authorization.Signature differs", secret=True)
            else:
                self.diff("authorization (V1 signature) differs", secret=True)


# ======================================================================================
# main
# ======================================================================================

def encoder_report(cases: list) -> list:
    """Where the SDK's path encoder differs from strict RFC 3986 (expected: nowhere)."""
    seen, out = set(), []
    for c in cases:
        for v in (c["input"]["organizationId"], c["input"]["pipelineId"]):
            if v in seen:
                continue
            seen.add(v)
            a, b = sdk_encode_param(v), rfc3986_encode(v)
            c4 = OA4.get_encode_param(v)
            if a != b or a != c4:
                out.append(f"{_show(v, 60)}: devops SDK {_show(a, 60)}, 0.4 utils {_show(c4, 60)}, RFC 3986 {_show(b, 60)}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=int(os.environ.get("ORACLE_CASES", "300")))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("ORACLE_SEED", "20210625")))
    ap.add_argument("--timeout", type=int, default=int(os.environ.get("ORACLE_TIMEOUT", "1800")),
                    help="seconds allowed for the signer (includes a cargo build)")
    ap.add_argument("--self-check-only", action="store_true",
                    help="only verify the oracle (golden vectors + SDK on the wire)")
    ap.add_argument("--no-wire", action="store_true", help="skip the loopback SDK self-check")
    ap.add_argument("--dump-cases", metavar="FILE",
                    help="write the input lines (synthetic credentials) to FILE")
    ap.add_argument("--show", type=int, default=10, help="mismatches to print")
    ap.add_argument("--verbose", action="store_true",
                    help="also list what happened to each policy case")
    args = ap.parse_args()

    # 1. The oracle checks itself.
    problems: list = []
    nv = check_vectors(problems)
    nw = 0 if args.no_wire else check_sdk_on_the_wire(problems)
    cases = Gen(args.seed).generate(args.cases)
    enc = encoder_report(cases)
    problems += [f"path encoder differs from RFC 3986: {e}" for e in enc]
    if problems:
        print("ORACLE SELF-CHECK FAILED:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 2
    print(f"oracle self-check: {nv} golden vectors reproduced by both SDK lines; "
          f"{nw} real SDK requests re-verified on the wire; path encoder == RFC 3986 for all ids")
    if args.self_check_only:
        return 0

    inputs = [c["input"] for c in cases]
    if args.dump_cases:
        Path(args.dump_cases).write_text(
            "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in inputs), encoding="utf-8")

    # 2. Our signer.
    stdout, err = run_signer(inputs, args.timeout)
    if err:
        print(f"cannot run our signer: {err}", file=sys.stderr)
        return 2

    answers, protocol_errors = {}, []
    for n, line in enumerate(stdout.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            protocol_errors.append(f"stdout line {n}: not JSON")
            continue
        cid = obj.get("id") if isinstance(obj, dict) else None
        if not isinstance(cid, str):
            protocol_errors.append(f"stdout line {n}: no string id")
        elif cid in answers:
            protocol_errors.append(f"{cid}: answered twice")
        else:
            answers[cid] = obj
    known = {x["id"] for x in inputs}
    protocol_errors += [f"{cid}: answer for an unknown id" for cid in answers if cid not in known]

    shape = SdkShape()
    counts = {"signed": 0, "rejected": 0, "mismatch": 0}
    policy = {"signed": 0, "rejected": 0}
    mismatches, policy_notes = [], []
    for c in cases:
        case = Case(c, shape)
        verdict = case.check(answers.get(c["input"]["id"]))
        counts[verdict] += 1
        if c["expect"] == "either" and verdict != "mismatch":
            policy[verdict] += 1
            policy_notes.append((c["input"]["id"], verdict, case.note))
        if verdict == "mismatch":
            mismatches.append((c["input"]["id"], case.diffs))

    total = len(cases)
    print(f"{total} cases, {counts['signed']} signed identically, "
          f"{counts['rejected']} rejected as expected"
          + (f", {counts['mismatch']} MISMATCHED" if counts["mismatch"] else ""))
    n_policy = sum(1 for c in cases if c["expect"] == "either")
    print(f"  ({n_policy} of them are policy cases, where signing or rejecting are both fine: "
          f"{policy['signed']} signed and verified, {policy['rejected']} rejected with InvalidArgument)")
    if args.verbose:
        for cid, verdict, note in policy_notes:
            print(f"  policy {cid}: {verdict}{' (' + note + ')' if note else ''}")
    for p in protocol_errors[: args.show]:
        print(f"  protocol: {p}")
    for cid, diffs in mismatches[: args.show]:
        print(f"  MISMATCH {cid}")
        for d in diffs[:6]:
            print(f"      {d}")
    if len(mismatches) > args.show:
        print(f"  ... and {len(mismatches) - args.show} more mismatching cases")
    return 1 if (mismatches or protocol_errors) else 0


if __name__ == "__main__":
    sys.exit(main())
