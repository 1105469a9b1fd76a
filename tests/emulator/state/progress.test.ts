// Progress profiles (world switch progressProfile / progressJitter): the shape of Process changes, the
// end of the task never does.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  elapsedWhenProcessReaches,
  pendingMs,
  PROGRESS_PROFILES,
  processAt,
  startEmulator,
  type EmulatorHandle,
  type ProgressShape,
} from "../../../emulator";
import { taskView, type TaskRec } from "../../../emulator/state/store";
import { ok, seedPrivate } from "../helpers";

const D = 1_200_000; // 20 simulated minutes
const P = pendingMs(D); // 30 s
/** Process every simulated second of the run, Pending included. */
const samples = (shape: ProgressShape) => Array.from({ length: D / 1000 }, (_, i) => processAt(shape, i * 1000, D));
const at = (shape: ProgressShape, runShare: number) => processAt(shape, P + (D - P) * runShare, D);

describe("progress profiles (pure)", () => {
  const base: TaskRec = {
    id: "t-x",
    region: "r",
    accountId: "a",
    resourceId: "i",
    sourceRegion: "s",
    sourceImageId: "j",
    createdAt: 0,
    durationMs: D,
    invisibleUntilReal: 0,
  };
  const shapes: ProgressShape[] = [
    ...PROGRESS_PROFILES.map((profile) => ({ profile })),
    ...PROGRESS_PROFILES.map((profile) => ({ profile, jitter: { amount: 0.5, seed: 7 } })),
  ];

  for (const shape of shapes) {
    test(`${shape.profile}${shape.jitter ? " with jitter" : ""}: never goes back, at most 99 while running, Succeeded 100 exactly at the duration`, () => {
      const s = samples(shape);
      for (let i = 1; i < s.length; i++) assert.ok(s[i]! >= s[i - 1]!, `Process went back at ${i} s: ${s[i - 1]} -> ${s[i]}`);
      assert.ok(s.every((x) => Number.isInteger(x) && x >= 0 && x <= 99));
      const t = { ...base, progress: shape };
      assert.equal(taskView(t, D - 1).status, "Running");
      assert.deepEqual(taskView(t, D), { status: "Succeeded", process: 100, updatedAt: D, endAt: D });
      assert.equal(taskView(t, P - 1).process, 0);
    });
  }

  test("linear is the original straight line (50% half way through the run)", () => {
    assert.equal(at({ profile: "linear" }, 0.5), 50);
    assert.equal(at({ profile: "linear" }, 0.25), 25);
    assert.equal(processAt({ profile: "linear" }, D - 1, D), 99);
  });

  test("step: 0 until the task ends", () => {
    assert.ok(samples({ profile: "step" }).every((x) => x === 0));
    assert.equal(taskView({ ...base, progress: { profile: "step" } }, D).process, 100);
  });

  test("staircase: only 0, 25, 50, 75 while running, each a quarter of the run", () => {
    assert.deepEqual([...new Set(samples({ profile: "staircase" }))], [0, 25, 50, 75]);
    assert.equal(at({ profile: "staircase" }, 0.24), 0);
    assert.equal(at({ profile: "staircase" }, 0.26), 25);
    assert.equal(at({ profile: "staircase" }, 0.8), 75);
  });

  test("stall: about 90% after a tenth of the run, then crawling", () => {
    assert.equal(at({ profile: "stall" }, 0.1), 90);
    assert.ok(at({ profile: "stall" }, 0.05) >= 40);
    assert.ok(at({ profile: "stall" }, 0.9) <= 99 && at({ profile: "stall" }, 0.9) >= 98);
    assert.equal(at({ profile: "stall" }, 0.5), 94);
  });

  test("front-loaded: ahead of linear, slowing down", () => {
    assert.ok(at({ profile: "front-loaded" }, 0.25) > 50);
    assert.ok(at({ profile: "front-loaded" }, 0.5) >= 87);
    // The second half adds less than the first quarter did.
    assert.ok(at({ profile: "front-loaded" }, 1 - 1e-9) - at({ profile: "front-loaded" }, 0.5) < at({ profile: "front-loaded" }, 0.25));
  });

  test("jitter: the same seed gives the same run, another seed another run", () => {
    const a = samples({ profile: "linear", jitter: { amount: 0.5, seed: 1 } });
    assert.deepEqual(a, samples({ profile: "linear", jitter: { amount: 0.5, seed: 1 } }));
    assert.notDeepEqual(a, samples({ profile: "linear", jitter: { amount: 0.5, seed: 2 } }));
    assert.notDeepEqual(a, samples({ profile: "linear" }));
  });

  test("elapsedWhenProcessReaches gives the exact first moment of a value", () => {
    for (const shape of shapes) {
      for (const pct of [1, 25, 40, 90]) {
        const t = elapsedWhenProcessReaches(shape, pct, D);
        if (t >= D) {
          assert.ok(processAt(shape, D - 1, D) < pct, `${shape.profile} does reach ${pct}`);
          continue;
        }
        assert.ok(processAt(shape, t, D) >= pct, `${shape.profile} at ${t}`);
        assert.ok(processAt(shape, t - 1, D) < pct, `${shape.profile} before ${t}`);
      }
    }
    assert.equal(elapsedWhenProcessReaches({ profile: "step" }, 40, D), D);
  });

  test("copyFails under a profile fails when that profile reaches the percent (step: at the end)", () => {
    const stall = { ...base, progress: { profile: "stall" as const }, failAtPercent: 40 };
    const when = elapsedWhenProcessReaches({ profile: "stall" }, 40, D);
    assert.ok(when < P + 0.1 * (D - P));
    assert.equal(taskView(stall, when - 1).status, "Running");
    assert.deepEqual(taskView(stall, when), { status: "Failed", process: 40, updatedAt: when, endAt: when });
    const step = { ...base, progress: { profile: "step" as const }, failAtPercent: 40 };
    assert.equal(taskView(step, D - 1).status, "Running");
    assert.equal(taskView(step, D).status, "Failed");
  });
});

describe("progress profiles through the API (simulated clock moved by hand)", () => {
  let emu: EmulatorHandle;
  before(async () => {
    // A clock 1000 times slower than real time: only advanceClock moves it noticeably.
    emu = await startEmulator({ clockSpeed: 0.001, copyDurationMs: D, world: { progressProfile: "step" } });
  });
  after(() => emu.stop());

  const copy = async (name: string): Promise<string> =>
    (await ok(emu, "cn-beijing", "CopyImage", { ImageId: seedPrivate(emu), DestinationRegion: "cn-shanghai", ImageName: name })).ImageId;
  const task = async (id: string) => (await ok(emu, "cn-shanghai", "DescribeTasks", { "ResourceIds.1": id })).Tasks[0];

  test("the world set at start applies; a task keeps the profile it was created with", async () => {
    const stepped = await copy("stepped");
    emu.setWorld({ progressProfile: "linear" });
    const linear = await copy("linear");
    emu.advanceClock(P + (D - P) / 2);
    assert.deepEqual([(await task(stepped)).Status, (await task(stepped)).Process], ["Running", 0]);
    assert.deepEqual([(await task(linear)).Status, (await task(linear)).Process], ["Running", 50]);
    emu.advanceClock((D - P) / 2);
    for (const id of [stepped, linear]) assert.deepEqual([(await task(id)).Status, (await task(id)).Process], ["Succeeded", 100]);
    const images = emu.images("cn-shanghai");
    assert.ok([stepped, linear].every((id) => images.find((i) => i.ImageId === id)?.Status === "available"));
  });

  test("the exact end is the same in every profile (EndsAtMs = creation + duration)", async () => {
    emu.setWorld({ progressProfile: "staircase", progressJitter: 0.3, progressSeed: 5 });
    const id = await copy("stairs");
    const t = emu.tasks("cn-shanghai").find((x) => x.ResourceId === id)!;
    const created = t.EndsAtMs - D;
    emu.advanceClock(P + (D - P) * 0.6);
    const mid = await task(id);
    assert.equal(mid.Status, "Running");
    assert.ok([25, 50, 75].includes(mid.Process), `staircase value ${mid.Process}`);
    emu.advanceClock(created + D - emu.now().getTime() - 50); // 50 simulated ms before the end (real time adds < 1 ms)
    assert.equal((await task(id)).Status, "Running");
    emu.advanceClock(100);
    assert.deepEqual([(await task(id)).Status, (await task(id)).Process], ["Succeeded", 100]);
  });
});
