// The emulator's own verifier reproduces both test vectors of reference §8 exactly.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  canonicalQuery,
  canonicalRequest,
  EMPTY_SHA256,
  parseAuthorization,
  sha256Hex,
  signature,
  uriEscape,
} from "../../../emulator/http/signature";
import { rawSign } from "../helpers";

const AK = "AKLTexampleAK";
const SK = "exampleSecretKey==";
const XDATE = "20240102T030405Z";

test("vector 1: DescribeTasks canonical request, its hash and the signature", () => {
  const canonical = canonicalRequest({
    method: "GET",
    path: "/",
    query: [
      ["Action", "DescribeTasks"],
      ["Version", "2020-04-01"],
      ["ResourceIds.1", "image-abc123"],
    ],
    headers: { "x-date": XDATE },
    signedHeaders: ["x-date"],
    bodySha256: EMPTY_SHA256,
  });
  assert.equal(
    canonical,
    ["GET", "/", "Action=DescribeTasks&ResourceIds.1=image-abc123&Version=2020-04-01", "x-date:20240102T030405Z\n", "x-date", EMPTY_SHA256].join(
      "\n",
    ),
  );
  assert.equal(sha256Hex(canonical), "481c6607eb0300401b308c2a5b68f7fda6d527b019bccc9451d27f25395a73a6");
  assert.equal(signature(SK, XDATE, "cn-beijing", "ecs", canonical), "78ed1c2f66bd6db593d42693d4f773f70334c535122b2ef3024fe322124e24ae");
});

test("vector 2: CopyImage with characters that need RFC 3986 encoding", () => {
  const query: [string, string][] = [
    ["Action", "CopyImage"],
    ["Version", "2020-04-01"],
    ["ImageId", "image-src1"],
    ["DestinationRegion", "cn-shanghai"],
    ["ImageName", "my copy"],
    ["Description", "a*b(c)"],
  ];
  assert.equal(
    canonicalQuery(query),
    "Action=CopyImage&Description=a%2Ab%28c%29&DestinationRegion=cn-shanghai&ImageId=image-src1&ImageName=my%20copy&Version=2020-04-01",
  );
  const canonical = canonicalRequest({
    method: "GET",
    path: "/",
    query,
    headers: { "x-date": XDATE },
    signedHeaders: ["x-date"],
    bodySha256: EMPTY_SHA256,
  });
  assert.equal(signature(SK, XDATE, "cn-beijing", "ecs", canonical), "22e6f1e86788e3d47b1975c9dc51a387201d7659daf44874536fd9e92041bc44");
});

test("the test helper's raw signer agrees with vector 1 (so tampering tests start from a correct request)", () => {
  const s = rawSign("ignored:1", {
    query: { Action: "DescribeTasks", Version: "2020-04-01", "ResourceIds.1": "image-abc123" },
    accessKey: AK,
    secretKey: SK,
    region: "cn-beijing",
    date: new Date("2024-01-02T03:04:05Z"),
  });
  assert.equal(
    s.headers["Authorization"],
    "HMAC-SHA256 Credential=AKLTexampleAK/20240102/cn-beijing/ecs/request, SignedHeaders=x-date, Signature=78ed1c2f66bd6db593d42693d4f773f70334c535122b2ef3024fe322124e24ae",
  );
});

test("uriEscape: unreserved kept, everything else percent-encoded as UTF-8", () => {
  assert.equal(uriEscape("AZaz09-_.~"), "AZaz09-_.~");
  assert.equal(uriEscape(" *()!'+/=&"), "%20%2A%28%29%21%27%2B%2F%3D%26");
  assert.equal(uriEscape("镜像"), "%E9%95%9C%E5%83%8F");
});

test("parseAuthorization splits the header and reports problems", () => {
  const p = parseAuthorization("HMAC-SHA256 Credential=AK/20240102/cn-beijing/ecs/request, SignedHeaders=host;x-date, Signature=abc");
  assert.deepEqual(p, {
    accessKey: "AK",
    date: "20240102",
    region: "cn-beijing",
    service: "ecs",
    terminator: "request",
    signedHeaders: ["host", "x-date"],
    signature: "abc",
  });
  assert.ok("problem" in parseAuthorization("AWS4-HMAC-SHA256 Credential=x"));
  const noSig = parseAuthorization("HMAC-SHA256 Credential=AK/20240102/cn-beijing/ecs/request, SignedHeaders=x-date");
  assert.ok("problem" in noSig && noSig.missingSignature === true);
});
