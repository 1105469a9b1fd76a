// A wait that the gateway ends says so: the TaskWatcher keeps the last poll failure (every attempt
// the wire makes, its retries included) and since when polls fail, and a wait ends at its deadline
// even while a poll is stuck. On a fake clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ImageRecord, TaskRecord } from "../../../provider/ecs/client";
import type { CallBounds } from "../../../provider/ecs/wire";
import { badAnswer } from "../../../provider/ecs/result-checks";
import { TaskWatcher, type TaskSource } from "../../../provider/waiting/task-watcher";
import { describeWait, type WaitOutcome } from "../../../provider/waiting/wait-outcome";
import type { WaitPolicy } from "../../../provider/waiting/wait-policy";
import { FakeClock, settle } from "../fake-clock";

const POLICY: WaitPolicy = {
  firstDelayMs: 1_000,
  minDelayMs: 500,
  maxDelayMs: 10_000,
  backoff: 1.5,
  invisibleGraceMs: 5 * 60_000,
  imageCheckEveryMs: 5 * 60_000,
};
const html502 = () =>
  badAnswer({ action: "DescribeTasks", region: "cn-shanghai", httpStatus: 502 }, "HTTP 502 with an HTML page, not a Volcengine answer");

/** A region behind a gateway: `mode` says how each DescribeTasks request goes. */
class GatewayRegion implements TaskSource {
  mode: "502" | "hang" | "ok" = "502";
  calls = 0;
  constructor(private readonly clock: FakeClock) {}
  async describeTasksForImages(ids: readonly string[], bounds?: CallBounds): Promise<TaskRecord[]> {
    this.calls++;
    if (this.mode === "hang") return new Promise<TaskRecord[]>(() => undefined); // no answer, ever
    if (this.mode === "ok") return ids.map((id) => ({ Id: "t-1", ResourceId: id, Type: "CopyImage", Status: "Running", Process: 40 }));
    // As the wire does: a few attempts 5 s apart, each failure told, then the last one thrown.
    for (let attempt = 1; attempt <= 3; attempt++) {
      bounds?.onAttemptFailed?.(html502());
      if (attempt < 3) await this.clock.sleep(5_000);
    }
    throw html502();
  }
  async describeImages(): Promise<ImageRecord[]> {
    return [];
  }
}

async function waitFor(clock: FakeClock, p: Promise<WaitOutcome>, ms: number): Promise<WaitOutcome> {
  let outcome: WaitOutcome | undefined;
  void p.then((o) => (outcome = o));
  await clock.advance(ms);
  await settle();
  assert.ok(outcome, "the wait ended");
  return outcome;
}

test("HTTP 502 all along: the wait ends at its deadline and says DescribeTasks has failed, for how long, with what", async () => {
  const clock = new FakeClock(0);
  const region = new GatewayRegion(clock);
  const watcher = new TaskWatcher("cn-shanghai", region, POLICY, clock);
  const o = await waitFor(clock, watcher.wait("image-a", { deadline: 60_000 }), 61_000);
  assert.equal(o.kind, "timedOut");
  assert.equal(o.waitedMs, 60_000, "on time, even with a poll under way");
  assert.ok(o.kind === "timedOut" && o.pollTrouble);
  assert.equal(o.pollTrouble.action, "DescribeTasks");
  assert.equal(o.pollTrouble.forMs, 59_000, "failing since the first poll, 1 s in");
  const sentence = describeWait(o);
  assert.match(
    sentence,
    /^Timed out after 1m00s waiting for the copy into image-a in cn-shanghai: DescribeTasks has failed for the last 59s: HTTP 502 with an HTML page, not a Volcengine answer \(no request id\)\. The copy goes on in Volcengine\.$/,
  );
  assert.doesNotMatch(sentence, /not seen yet|0% done/);
  assert.equal(clock.pendingTimers(), 0, "no timer left behind");
});

test("no answer at all: the wait still ends at its deadline and says DescribeTasks has not answered", async () => {
  const clock = new FakeClock(0);
  const region = new GatewayRegion(clock);
  region.mode = "hang";
  const watcher = new TaskWatcher("cn-shanghai", region, POLICY, clock);
  const o = await waitFor(clock, watcher.wait("image-a", { deadline: 30_000 }), 31_000);
  assert.equal(o.kind, "timedOut");
  assert.equal(o.waitedMs, 30_000);
  assert.match(describeWait(o), /DescribeTasks has not answered for the last 29s \(no answer at all from the endpoint\)/);
  assert.equal(region.calls, 1);
});

test("polls that recover: the trouble is forgotten, and a slow copy times out plainly with its progress", async () => {
  const clock = new FakeClock(0);
  const region = new GatewayRegion(clock);
  const watcher = new TaskWatcher("cn-shanghai", region, POLICY, clock);
  const p = watcher.wait("image-a", { deadline: 120_000 });
  await clock.advance(30_000);
  region.mode = "ok";
  const o = await waitFor(clock, p, 91_000);
  assert.equal(o.kind, "timedOut");
  assert.ok(o.kind === "timedOut" && o.pollTrouble === undefined);
  assert.match(describeWait(o), /Timed out after 2m00s waiting for the copy into image-a in cn-shanghai \(task t-1, 40% done\); the copy goes on/);
});

test("each wait its own deadline: one poll serves both, bounded by the later deadline", async () => {
  const clock = new FakeClock(0);
  const seen: (number | undefined)[] = [];
  const region = new GatewayRegion(clock);
  region.mode = "hang";
  const spy: TaskSource = {
    describeTasksForImages: (ids, bounds) => {
      seen.push(bounds?.deadline);
      return region.describeTasksForImages(ids, bounds);
    },
    describeImages: () => region.describeImages(),
  };
  const watcher = new TaskWatcher("cn-shanghai", spy, POLICY, clock);
  const early = watcher.wait("image-a", { deadline: 20_000 });
  const late = watcher.wait("image-b", { deadline: 50_000 });
  const a = await waitFor(clock, early, 21_000);
  assert.equal(a.waitedMs, 20_000);
  const b = await waitFor(clock, late, 30_000);
  assert.equal(b.waitedMs, 50_000);
  assert.deepEqual(seen, [50_000]);
});

test("a deadline beyond what a timer can hold (customTimeouts of 30 days) does not end the wait at once", async () => {
  const clock = new FakeClock(0);
  const region = new GatewayRegion(clock);
  region.mode = "ok";
  const watcher = new TaskWatcher("cn-shanghai", region, POLICY, clock);
  let outcome: WaitOutcome | undefined;
  void watcher.wait("image-a", { deadline: 30 * 24 * 3_600_000 }).then((o) => (outcome = o));
  await clock.advance(60_000);
  assert.equal(outcome, undefined, "still waiting after a minute");
  assert.ok(
    clock.requested.every((ms) => ms <= 2 ** 31 - 1),
    "no timer longer than 2^31-1 ms",
  );
});
