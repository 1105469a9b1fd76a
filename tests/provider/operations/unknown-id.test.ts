// Unknown image ids in DescribeImages, in both readings the docs allow (emulator world
// describeImagesUnknownId: "empty", the default, and "notFound": 404 InvalidImage.NotFound for a batch
// with any unknown id). Either way an image that is gone is "not there": delete's confirmation
// succeeds (the state drops it), refresh drops a console-deleted copy, a batch with one unknown id
// still returns the known ones, and preflight says the source image does not exist.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestEnv, inputsFor, CANARY, SOURCE_IMAGE, SOURCE_REGION, type TestEnv } from "../env";
import { WireClient } from "../../../provider/ecs/wire";
import { DestinationRegionClient, SourceRegionClient } from "../../../provider/ecs/client";
import { parseEndpoint } from "../../../provider/settings/config";

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env.stop();
});

const READINGS = ["empty", "notFound"] as const;

async function checked(name: string, extra: Record<string, unknown> = {}) {
  const r = env.lifecycle.check({}, inputsFor(name, extra));
  assert.deepEqual(r.failures, []);
  return r.inputs;
}

for (const reading of READINGS) {
  test(`unknown id answered ${reading}: delete confirms the image gone and succeeds; deleting it again succeeds`, async () => {
    env.emulator.setWorld({ describeImagesUnknownId: reading });
    const { id, outs } = await env.lifecycle.create(await checked(`del-${reading}`));
    await env.lifecycle.delete(id, outs);
    assert.equal(
      env.emulator.images("cn-shanghai").some((i) => i.ImageId === id),
      false,
    );
    await env.lifecycle.delete(id, outs); // already gone (a retried destroy)
  });

  test(`unknown id answered ${reading}: refresh drops a copy deleted in the console`, async () => {
    env.emulator.setWorld({ describeImagesUnknownId: reading });
    const { id, outs } = await env.lifecycle.create(await checked(`read-${reading}`));
    assert.equal(env.emulator.deleteImageOutOfBand("cn-shanghai", id), true);
    assert.deepEqual(await env.lifecycle.read(id, outs), {});
  });

  test(`unknown id answered ${reading}: a batch with an unknown id returns the known ones`, async () => {
    env.emulator.setWorld({ describeImagesUnknownId: reading });
    const { id, outs } = await env.lifecycle.create(await checked(`batch-${reading}`));
    const wire = new WireClient({
      endpoint: parseEndpoint(env.endpoint),
      credentials: { accessKeyId: CANARY.accessKey, secretKey: CANARY.secretKey, sessionToken: CANARY.sessionToken },
    });
    const destination = new DestinationRegionClient(wire, "cn-shanghai");
    const unknown = "image-doesnotexist0000001";
    const found = await destination.describeImages([unknown, id, "image-doesnotexist0000002"]);
    assert.deepEqual(
      found.map((i) => i.ImageId),
      [id],
    );
    assert.equal(await destination.describeImage(unknown), undefined);
    assert.equal(await new SourceRegionClient(wire, SOURCE_REGION).describeImage(unknown), undefined);
    assert.equal((await new SourceRegionClient(wire, SOURCE_REGION).describeImage(SOURCE_IMAGE))?.ImageId, SOURCE_IMAGE);
    await env.lifecycle.delete(id, outs);
  });

  test(`unknown id answered ${reading}: preflight says the source image does not exist`, async () => {
    env.emulator.setWorld({ describeImagesUnknownId: reading });
    const lc = env.newLifecycle({
      env: {
        VOLCENGINE_ACCESS_KEY: CANARY.accessKey,
        VOLCENGINE_SECRET_KEY: CANARY.secretKey,
        VOLCENGINE_SESSION_TOKEN: CANARY.sessionToken,
        VOLCENGINE_REGION: SOURCE_REGION,
        VOLCENGINE_ENDPOINT: env.endpoint,
        VOLCENGINE_MAX_REQUESTS_PER_SECOND: "1000",
        VOLCENGINE_COPIED_IMAGE_PREFLIGHT: "true",
      },
    });
    const r = lc.check({}, inputsFor(`pre-${reading}`, { sourceImageId: "image-doesnotexist0000001" }));
    const failures = await lc.preflight({}, r.inputs);
    assert.equal(failures.length, 1, JSON.stringify(failures));
    assert.equal(failures[0].property, "sourceImageId");
    assert.match(failures[0].reason, /does not exist in cn-beijing/);
  });
}
