// provider/ecs/volcengine-error.ts: which refusals are authorization errors, and the sentence that names the
// permission to grant (ecs:<Action>) instead of a vague "grant the ECS image permissions".
import { test } from "node:test";
import assert from "node:assert/strict";
import { VolcengineError, isAuthorizationError, permissionFor } from "../../../provider/ecs/volcengine-error";

const refusal = (code: string, httpStatus?: number, codeN?: number, action = "TagResources") =>
  new VolcengineError({
    code,
    codeN,
    httpStatus,
    action,
    region: "cn-shanghai",
    requestId: "req-1",
    serviceMessage: `User is not authorized to perform: ecs:${action} on resource: *.`,
  });

test("isAuthorizationError: AccessDenied, LackPolicy and other 403 authorization codes; not business or credential errors", () => {
  assert.equal(isAuthorizationError(refusal("AccessDenied", 403, 100013)), true);
  assert.equal(isAuthorizationError(refusal("LackPolicy", 403, 100012)), true);
  assert.equal(isAuthorizationError(refusal("AccessDenied")), true, "the code alone is enough (no status known)");
  assert.equal(isAuthorizationError(refusal("SomethingNew", 403, 100013)), true, "the gateway's CodeN alone is enough");
  for (const code of ["Forbidden", "UnauthorizedOperation", "NoPermission", "AccessDenied.Project"])
    assert.equal(isAuthorizationError(refusal(code, 403)), true, code);
  for (const [code, status] of [
    ["OperationDenied.ImageIsCopying", 403],
    ["InvalidImage.Shared", 403],
    ["SignatureDoesNotMatch", 401],
    ["InvalidAccessKey", 401],
    ["InternalError", 500],
    ["Forbidden", 400],
  ] as const) {
    assert.equal(isAuthorizationError(refusal(code, status)), false, `${code} ${status}`);
  }
  // Duck-typed: an error from another copy of the module still counts; nothing else does.
  assert.equal(isAuthorizationError({ code: "LackPolicy", httpStatus: 403 }), true);
  assert.equal(isAuthorizationError(new Error("AccessDenied")), false);
  assert.equal(isAuthorizationError(undefined), false);
  assert.equal(isAuthorizationError("AccessDenied"), false);
});

test("an authorization error's sentence names the action, the code, the request id and the permission to grant", () => {
  for (const code of ["AccessDenied", "LackPolicy"]) {
    const e = refusal(code, 403, code === "AccessDenied" ? 100013 : 100012);
    assert.match(e.message, new RegExp(`^TagResources in cn-shanghai failed: ${code} \\(1000\\d\\d\\) \\(HTTP 403, request id req-1\\)`));
    assert.match(e.message, /User is not authorized to perform: ecs:TagResources/);
    assert.match(e.message, /Grant these credentials the permission ecs:TagResources \(or a policy that includes it\)\.$/);
    assert.doesNotMatch(e.message, /ECS image permissions|ECS image actions/, "no vague advice");
  }
  const copy = refusal("AccessDenied", 403, 100013, "CopyImage");
  assert.match(copy.message, /permission ecs:CopyImage /);
  assert.equal(permissionFor("DescribeTasks"), "ecs:DescribeTasks");
});
