// Faults where a gateway or proxy answers badly: HTML 502, truncated JSON, no Result, Result fields of
// the wrong types, an oversized page, and no answer at all. Scoped by action / region / count like
// every fault.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "../../../emulator";
import { callRaw, control, ok, seedPrivate } from "../helpers";

describe("bad gateway answers", () => {
  let emu: EmulatorHandle;
  before(async () => {
    emu = await startEmulator({ clockSpeed: 0.001 });
  });
  after(() => emu.stop());
  beforeEach(() => {
    emu.clearFaults();
    emu.clearLog();
  });

  const copyParams = () => ({ ImageId: seedPrivate(emu), DestinationRegion: "cn-shanghai", ImageName: "copy" });
  const copiesIn = (region: string) => emu.images(region).filter((i) => i.CopyTaskId !== undefined).length;

  test("htmlBadGateway: an HTML 502 page; by default the action did not run; count and action scope it", async () => {
    emu.addFault({ kind: "htmlBadGateway", action: "CopyImage", count: 1 });
    const before = copiesIn("cn-shanghai");
    assert.equal((await callRaw(emu, "cn-beijing", "DescribeImages")).status, 200); // other actions untouched
    const r = await callRaw(emu, "cn-beijing", "CopyImage", copyParams());
    assert.equal(r.status, 502);
    assert.match(r.contentType, /^text\/html/);
    assert.match(r.text, /<title>502 Bad Gateway<\/title>/);
    assert.throws(() => JSON.parse(r.text));
    assert.equal(copiesIn("cn-shanghai"), before);
    const entry = emu.log().at(-1)!;
    assert.deepEqual([entry.status, entry.fault], [502, "htmlBadGateway"]);
    assert.equal((await callRaw(emu, "cn-beijing", "CopyImage", copyParams())).status, 200); // count used up
    assert.equal(copiesIn("cn-shanghai"), before + 1);
  });

  test("htmlBadGateway with actionRuns: the copy started although the client saw a 502", async () => {
    emu.addFault({ kind: "htmlBadGateway", actionRuns: true, count: 1 });
    const before = copiesIn("cn-shanghai");
    assert.equal((await callRaw(emu, "cn-beijing", "CopyImage", copyParams())).status, 502);
    assert.equal(copiesIn("cn-shanghai"), before + 1);
  });

  test("truncatedJson: HTTP 200, a complete response whose JSON stops half way; the action ran", async () => {
    emu.addFault({ kind: "truncatedJson", count: 1 });
    const before = copiesIn("cn-shanghai");
    const r = await callRaw(emu, "cn-beijing", "CopyImage", copyParams());
    assert.equal(r.status, 200);
    assert.match(r.contentType, /application\/json/);
    assert.ok(r.text.startsWith('{"ResponseMetadata":{'));
    assert.throws(() => JSON.parse(r.text), SyntaxError);
    assert.equal(copiesIn("cn-shanghai"), before + 1);
  });

  test("missingResult: the envelope without Result and without Error", async () => {
    emu.addFault({ kind: "missingResult", action: "DescribeTasks" });
    const body = JSON.parse((await callRaw(emu, "cn-shanghai", "DescribeTasks")).text);
    assert.deepEqual(Object.keys(body), ["ResponseMetadata"]);
    assert.equal(body.ResponseMetadata.Action, "DescribeTasks");
    assert.equal(body.ResponseMetadata.Error, undefined);
  });

  test("spoilers pass error answers through unchanged", async () => {
    emu.addFault({ kind: "missingResult", count: 1 });
    const body = JSON.parse((await callRaw(emu, "cn-beijing", "CopyImage", { ImageId: "image-x" })).text);
    assert.equal(body.ResponseMetadata.Error.Code, "MissingParameter.DestinationRegion");
  });

  test('wrongTypes: Tasks "none", Images {}, numbers as strings; `values` sets fields', async () => {
    emu.addFault({ kind: "wrongTypes", action: "DescribeTasks", count: 1 });
    emu.addFault({ kind: "wrongTypes", action: "DescribeImages", count: 1 });
    assert.deepEqual(JSON.parse((await callRaw(emu, "cn-shanghai", "DescribeTasks")).text).Result, { NextToken: 0, Tasks: "none" });
    const images = JSON.parse((await callRaw(emu, "cn-beijing", "DescribeImages", { MaxResults: 2 })).text).Result;
    assert.deepEqual(images.Images, {});
    assert.equal(typeof images.TotalCount, "string");
    emu.addFault({ kind: "wrongTypes", action: "DescribeTasks", values: { Tasks: [{ Id: 7 }] }, count: 1 });
    assert.deepEqual(JSON.parse((await callRaw(emu, "cn-shanghai", "DescribeTasks")).text).Result.Tasks, [{ Id: 7 }]);
  });

  test("oversizedPage: thousands of entries whatever MaxResults says, the real ones last", async () => {
    const { ImageId } = await ok(emu, "cn-beijing", "CopyImage", copyParams());
    emu.addFault({ kind: "oversizedPage", action: "DescribeTasks", count: 1 });
    const r = JSON.parse((await callRaw(emu, "cn-shanghai", "DescribeTasks", { "ResourceIds.1": ImageId, MaxResults: 1 })).text).Result;
    assert.equal(r.Tasks.length, 5001);
    assert.equal(r.Tasks.at(-1).ResourceId, ImageId);
    assert.equal(r.Tasks.filter((t: any) => t.ResourceId === ImageId).length, 1);
    assert.ok(r.Tasks.slice(0, -1).every((t: any) => /^t-[a-z0-9]{20}$/.test(t.Id) && t.Status === "Succeeded"));
    emu.addFault({ kind: "oversizedPage", action: "DescribeImages", entries: 300, count: 1 });
    const imgs = JSON.parse((await callRaw(emu, "cn-shanghai", "DescribeImages", { "ImageIds.1": ImageId })).text).Result.Images;
    assert.equal(imgs.length, 301);
    assert.equal(new Set(imgs.map((i: any) => i.ImageId)).size, 301);
  });

  test("region scope: a fault for one region leaves the others alone", async () => {
    emu.addFault({ kind: "htmlBadGateway", region: "cn-shanghai" });
    assert.equal((await callRaw(emu, "cn-beijing", "DescribeImages")).status, 200);
    assert.equal((await callRaw(emu, "cn-shanghai", "DescribeImages")).status, 502);
  });

  test("hang: no answer until the client gives up; logged with status 0; the action did not run", async () => {
    emu.addFault({ kind: "hang", action: "CopyImage", count: 1 });
    const before = copiesIn("cn-shanghai");
    const started = Date.now();
    await assert.rejects(callRaw(emu, "cn-beijing", "CopyImage", copyParams(), { signal: AbortSignal.timeout(300) }), /abort|timeout/i);
    assert.ok(Date.now() - started >= 250);
    assert.equal(copiesIn("cn-shanghai"), before);
    assert.deepEqual([emu.log().at(-1)!.status, emu.log().at(-1)!.fault], [0, "hang"]);
  });

  test("hang with actionRuns: the copy started behind the silence", async () => {
    emu.addFault({ kind: "hang", actionRuns: true, count: 1 });
    const before = copiesIn("cn-shanghai");
    await assert.rejects(callRaw(emu, "cn-beijing", "CopyImage", copyParams(), { signal: AbortSignal.timeout(200) }));
    assert.equal(copiesIn("cn-shanghai"), before + 1);
  });

  test("stop() closes a connection a hang is holding, promptly", async () => {
    const e = await startEmulator();
    e.addFault({ kind: "hang" });
    const pending = callRaw(e, "cn-beijing", "DescribeImages");
    const settled = pending.then(
      () => "answered",
      () => "closed",
    );
    while (e.log().length === 0) await new Promise((r) => setTimeout(r, 10));
    const t0 = Date.now();
    await e.stop();
    assert.ok(Date.now() - t0 < 5_000, "stop() waited for the hung request");
    assert.equal(await settled, "closed");
  });

  test("the new kinds are validated, and can be added from the control endpoint", async () => {
    assert.throws(() => emu.addFault({ kind: "oversizedPage", entries: -1 }), /entries must be a number >= 0/);
    assert.throws(() => emu.addFault({ kind: "hang", actionRuns: "yes" } as never), /actionRuns must be true or false/);
    assert.throws(() => emu.addFault({ kind: "wrongTypes", values: [] } as never), /values must be an object/);
    const { json } = await control(emu, "POST", "/faults", { kind: "truncatedJson", action: "DescribeImages", count: 2 });
    assert.equal((await control(emu, "GET", "/faults")).json.find((f: any) => f.id === json.id).remaining, 2);
    const text = (await callRaw(emu, "cn-beijing", "DescribeImages")).text;
    assert.throws(() => JSON.parse(text));
  });
});
