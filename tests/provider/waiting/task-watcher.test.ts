// Unit tests of provider/waiting/task-watcher.ts on a fake clock: the shared TaskWatcher against a fake
// TaskSource that simulates linear copies (the schedule alone: poll-schedule.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import type { ImageRecord, TaskRecord } from "../../../provider/ecs/client";
import { VolcengineError } from "../../../provider/ecs/volcengine-error";
import { DEFAULT_WAIT_POLICY, TERRAFORM_CADENCE_GAPS_MS, cadenceLookAt, type WaitPolicy } from "../../../provider/waiting/wait-policy";
import { TaskWatcher, type TaskSource } from "../../../provider/waiting/task-watcher";
import type { Progress } from "../../../provider/waiting/copy-status";
import { describeWait, type WaitOutcome } from "../../../provider/waiting/wait-outcome";
import { FakeClock, settle } from "../fake-clock";

const MIN = 60_000;
const POLICY: WaitPolicy = {
  firstDelayMs: 1_000,
  minDelayMs: 500,
  maxDelayMs: 60_000,
  backoff: 1.5,
  invisibleGraceMs: 5 * MIN,
  imageCheckEveryMs: 5 * MIN,
};

// ------------------------------------------------------------------ a fake region

interface Copy {
  imageId: string;
  taskId: string;
  start: number;
  durationMs: number;
  /** Visible in DescribeTasks from this time on (eventual consistency). Default: start. */
  visibleAt?: number;
  /** Never in DescribeTasks. */
  hidden?: boolean;
  /** The task fails at this progress. */
  failAt?: number;
  /** DescribeImages status when the task is not shown; undefined = the image does not exist. */
  imageStatus?: string;
}

class FakeRegion implements TaskSource {
  readonly copies = new Map<string, Copy>();
  readonly taskCalls: string[][] = [];
  readonly imageCalls: string[][] = [];
  /** Errors to throw from the next DescribeTasks calls. */
  failNext: Error[] = [];

  constructor(private readonly clock: FakeClock) {}

  add(c: Copy): Copy {
    this.copies.set(c.imageId, c);
    return c;
  }

  private progress(c: Copy): number {
    return Math.min(100, Math.floor((100 * (this.clock.now() - c.start)) / c.durationMs));
  }

  async describeTasksForImages(imageIds: readonly string[]): Promise<TaskRecord[]> {
    this.taskCalls.push([...imageIds]);
    const e = this.failNext.shift();
    if (e) throw e;
    const out: TaskRecord[] = [];
    for (const id of imageIds) {
      const c = this.copies.get(id);
      if (!c || c.hidden || this.clock.now() < (c.visibleAt ?? c.start)) continue;
      let p = this.progress(c);
      let status = p >= 100 ? "Succeeded" : p === 0 && this.clock.now() === c.start ? "Pending" : "Running";
      if (c.failAt !== undefined && p >= c.failAt) {
        p = c.failAt;
        status = "Failed";
      }
      out.push({ Id: c.taskId, ResourceId: id, Type: "CopyImage", Status: status, Process: p, CreatedAt: "2024-01-01T00:00:00Z" });
    }
    return out;
  }

  async describeImages(imageIds: readonly string[]): Promise<ImageRecord[]> {
    this.imageCalls.push([...imageIds]);
    const out: ImageRecord[] = [];
    for (const id of imageIds) {
      const c = this.copies.get(id);
      if (c?.imageStatus) out.push({ ImageId: id, Status: c.imageStatus });
    }
    return out;
  }
}

type Succeeded = Extract<WaitOutcome, { kind: "succeeded" }>;
/** Any other outcome, with its sentence as `message`. */
type Ended = Exclude<WaitOutcome, Succeeded> & { message: string };
type Outcome = { ok: true; value: Succeeded } | { ok: false; error: Ended };
function track(p: Promise<WaitOutcome>): { outcome?: Outcome } {
  const box: { outcome?: Outcome } = {};
  p.then((o) => (box.outcome = o.kind === "succeeded" ? { ok: true, value: o } : { ok: false, error: { ...o, message: describeWait(o) } }));
  return box;
}

/** Reads the outcome without letting TypeScript narrow it across awaits. */
function outcomeOf(box: { outcome?: Outcome }): Outcome | undefined {
  return box.outcome;
}

/** The number of polls terraform-provider-volcengine makes for a task of `d` ms (1, 2, 4, 8, then every 10 s; reference §10). */
function terraformPolls(d: number): number {
  let n = 1;
  while (cadenceLookAt(TERRAFORM_CADENCE_GAPS_MS, n) < d) n++;
  return n;
}

async function singleCopy(durationMs: number, policy: WaitPolicy) {
  const clock = new FakeClock();
  const region = new FakeRegion(clock);
  const watcher = new TaskWatcher("cn-shanghai", region, policy, clock);
  const copy = region.add({ imageId: "image-copy0001", taskId: "t-1", start: clock.now(), durationMs, imageStatus: "creating" });
  const progress: Progress[] = [];
  const box = track(watcher.wait(copy.imageId, { deadline: clock.now() + 10 * 60 * MIN, onProgress: (p) => progress.push(p) }));
  await clock.runUntilIdle();
  assert.ok(box.outcome?.ok, `copy of ${durationMs} ms did not succeed: ${box.outcome && !box.outcome.ok ? box.outcome.error.message : "pending"}`);
  const finish = copy.start + durationMs;
  return { late: box.outcome.value.seenAt - finish, polls: region.taskCalls.length, result: box.outcome.value, progress, watcher };
}

// ------------------------------------------------------------------ (a) one copy

for (const minutes of [1, 10, 60]) {
  test(`TaskWatcher: a ${minutes} min copy is seen Succeeded within the ceiling, never with more polls than Terraform's cadence`, async () => {
    for (const policy of [POLICY, DEFAULT_WAIT_POLICY]) {
      const r = await singleCopy(minutes * MIN, policy);
      assert.ok(r.late >= 0, "not before it finished");
      assert.ok(r.late <= policy.maxDelayMs, `seen ${r.late} ms after the finish (max delay ${policy.maxDelayMs})`);
      const tf = terraformPolls(minutes * MIN);
      // The default policy's budget is the Terraform cadence itself (it also bounds every gap to 10 s,
      // so it cannot poll much less); the 60 s ceiling of POLICY, with no budget, half as often.
      if (policy === DEFAULT_WAIT_POLICY) assert.ok(r.polls <= tf, `${r.polls} polls vs Terraform's ${tf}`);
      else assert.ok(r.polls * 2 <= tf || r.polls <= 12, `${r.polls} polls vs Terraform's ${tf}`);
      assert.equal(r.result.taskId, "t-1");
      assert.equal(r.progress.at(-1)?.status, "Succeeded");
      assert.equal(r.progress.at(-1)?.process, 100);
      for (let i = 1; i < r.progress.length; i++) assert.ok(r.progress[i].process >= r.progress[i - 1].process, "progress never goes backwards");
      if (policy === DEFAULT_WAIT_POLICY)
        assert.ok(
          r.progress.some((p) => p.status === "Running" && p.remainingMs !== undefined),
          "the reports carry the time left",
        );
      assert.deepEqual(r.watcher.pending(), []);
    }
  });
}

test("TaskWatcher: copies of any length between 1 and 60 min are seen within 10 s of their finish, at the median as soon as Terraform's cadence", async () => {
  const lates: number[] = [];
  const terraform: number[] = [];
  for (const minutes of [1, 5, 10, 30, 60]) {
    for (let i = 0; i < 8; i++) {
      const d = minutes * MIN * (0.9 + 0.2 * (i / 8)) + i * 1_234;
      const r = await singleCopy(d, DEFAULT_WAIT_POLICY);
      lates.push(r.late);
      terraform.push(cadenceLookAt(TERRAFORM_CADENCE_GAPS_MS, terraformPolls(d)) - d);
      assert.ok(r.polls <= terraformPolls(d), `${r.polls} polls for a ${d} ms copy, Terraform ${terraformPolls(d)}`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  assert.ok(Math.max(...lates) <= 10_000, `worst: seen ${Math.max(...lates)} ms after the finish`);
  assert.ok(median(lates) <= median(terraform) + 1_000, `median ${median(lates)} ms, Terraform's ${median(terraform)} ms`);
});

// ------------------------------------------------------------------ (b) many waiters share polls

test("TaskWatcher: 50 concurrent waiters in one region share each DescribeTasks call", async () => {
  const clock = new FakeClock();
  const region = new FakeRegion(clock);
  const watcher = new TaskWatcher("cn-shanghai", region, POLICY, clock);
  const boxes = [];
  for (let i = 0; i < 50; i++) {
    const c = region.add({
      imageId: `image-many${String(i).padStart(4, "0")}`,
      taskId: `t-${i}`,
      start: clock.now(),
      durationMs: 10 * MIN,
      imageStatus: "creating",
    });
    boxes.push(track(watcher.wait(c.imageId, { deadline: clock.now() + 2 * 60 * MIN })));
  }
  await clock.runUntilIdle();
  for (const b of boxes) assert.ok(b.outcome?.ok, "every copy succeeded");
  const one = await singleCopy(10 * MIN, POLICY);
  assert.ok(Math.abs(region.taskCalls.length - one.polls) <= 2, `${region.taskCalls.length} calls for 50 waiters vs ${one.polls} for one`);
  for (const ids of region.taskCalls) assert.equal(ids.length, 50, "each call carries every pending id");
  assert.deepEqual(watcher.pending(), []);
  assert.equal(clock.pendingTimers(), 0, "no timer left behind");
});

test("TaskWatcher: 50 waiters finishing one after another share polls until each one's end", async () => {
  const clock = new FakeClock();
  const region = new FakeRegion(clock);
  const watcher = new TaskWatcher("cn-shanghai", region, DEFAULT_WAIT_POLICY, clock);
  const boxes = [];
  const start = clock.now();
  for (let i = 0; i < 50; i++) {
    const c = region.add({
      imageId: `image-step${String(i).padStart(4, "0")}`,
      taskId: `t-${i}`,
      start,
      durationMs: 10 * MIN + i * 5_000,
      imageStatus: "creating",
    });
    boxes.push(track(watcher.wait(c.imageId, { deadline: start + 2 * 60 * MIN })));
  }
  await clock.advance(10 * MIN - 1);
  assert.ok(region.taskCalls.length > 3);
  for (const ids of region.taskCalls) assert.equal(ids.length, 50, "before the first finish every call carries all 50 ids");
  await clock.runUntilIdle();
  for (const [i, b] of boxes.entries()) {
    assert.ok(b.outcome?.ok, "every copy succeeded");
    assert.ok(b.outcome.value.seenAt - (start + 10 * MIN + i * 5_000) <= DEFAULT_WAIT_POLICY.maxDelayMs, `copy ${i} seen late`);
  }
  const one = await singleCopy(10 * MIN, DEFAULT_WAIT_POLICY);
  // Staggered finishes each need a few looks of their own; 50 independent pollers would need 50 times one's.
  assert.ok(region.taskCalls.length <= (50 * one.polls) / 4, `${region.taskCalls.length} calls for 50 waiters vs ${one.polls} for one`);
  // Each call asks for exactly the images still pending at that moment.
  const sizes = region.taskCalls.map((ids) => ids.length);
  for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i] <= sizes[i - 1], "the set of pending ids only shrinks");
  assert.equal(new Set(region.taskCalls.flat()).size, 50);
  assert.deepEqual(watcher.pending(), []);
});

test("TaskWatcher: waiters joining while others wait are folded into the same polls", async () => {
  const clock = new FakeClock();
  const region = new FakeRegion(clock);
  const watcher = new TaskWatcher("cn-shanghai", region, POLICY, clock);
  const boxes = [];
  for (let i = 0; i < 10; i++) {
    const c = region.add({
      imageId: `image-late${String(i).padStart(4, "0")}`,
      taskId: `t-${i}`,
      start: clock.now(),
      durationMs: 5 * MIN,
      imageStatus: "creating",
    });
    boxes.push(track(watcher.wait(c.imageId, { deadline: clock.now() + 60 * MIN })));
    await clock.advance(7_000);
  }
  await clock.runUntilIdle();
  for (const b of boxes) assert.ok(b.outcome?.ok);
  const one = await singleCopy(5 * MIN, POLICY);
  assert.ok(region.taskCalls.length <= 0.7 * 10 * one.polls, `${region.taskCalls.length} calls vs ${one.polls} for one`);
  assert.ok(
    region.taskCalls.some((ids) => ids.length === 10),
    "at some point one call carried all ten",
  );
});

test("TaskWatcher: copies joining at odd moments share calls, and none is read by more calls than its own Terraform cadence", async () => {
  const clock = new FakeClock();
  const region = new FakeRegion(clock);
  const watcher = new TaskWatcher("cn-shanghai", region, DEFAULT_WAIT_POLICY, clock);
  const copies: { c: Copy; box: { outcome?: Outcome } }[] = [];
  for (let i = 0; i < 30; i++) {
    const c = region.add({
      imageId: `image-odd0${String(i).padStart(4, "0")}`,
      taskId: `t-${i}`,
      start: clock.now(),
      durationMs: 2 * MIN + ((i * 7_919) % (10 * MIN)),
      imageStatus: "creating",
    });
    copies.push({ c, box: track(watcher.wait(c.imageId, { deadline: clock.now() + 60 * MIN })) });
    await clock.advance(1_000 + ((i * 3_571) % 9_000));
  }
  await clock.runUntilIdle();
  for (const { c, box } of copies) {
    assert.ok(box.outcome?.ok, `${c.imageId} succeeded`);
    assert.ok(box.outcome.value.seenAt - (c.start + c.durationMs) <= 10_000, `${c.imageId} seen late`);
    const reads = region.taskCalls.filter((ids) => ids.includes(c.imageId)).length;
    assert.ok(reads <= terraformPolls(c.durationMs), `${c.imageId}: read by ${reads} calls, Terraform's cadence ${terraformPolls(c.durationMs)}`);
  }
  const alone = copies.reduce((n, { c }) => n + terraformPolls(c.durationMs), 0);
  assert.ok(region.taskCalls.length * 5 <= alone, `${region.taskCalls.length} calls for 30 copies; ${alone} one poller each`);
});

// ------------------------------------------------------------------ (c) failure

test("TaskWatcher: a Failed task ends with the outcome failed carrying the task id and last progress", async () => {
  const clock = new FakeClock();
  const region = new FakeRegion(clock);
  const watcher = new TaskWatcher("cn-shanghai", region, POLICY, clock);
  region.add({ imageId: "image-fail0001", taskId: "t-fail", start: clock.now(), durationMs: 10 * MIN, failAt: 42, imageStatus: "creating" });
  const box = track(watcher.wait("image-fail0001", { deadline: clock.now() + 60 * MIN }));
  await clock.runUntilIdle();
  assert.ok(box.outcome && !box.outcome.ok);
  const e = box.outcome.error;
  assert.equal(e.kind, "failed", e.message);
  assert.equal(e.taskId, "t-fail");
  assert.equal(e.lastProcess, 42);
  assert.equal(e.imageId, "image-fail0001");
  assert.equal(e.region, "cn-shanghai");
  assert.match(e.message, /image-fail0001.*cn-shanghai.*t-fail.*42%/);
});

// ------------------------------------------------------------------ (d) deadline and abort

test("TaskWatcher: past the deadline the wait ends with the outcome timedOut, at the deadline", async () => {
  const clock = new FakeClock();
  const region = new FakeRegion(clock);
  const watcher = new TaskWatcher("cn-shanghai", region, POLICY, clock);
  const start = clock.now();
  region.add({ imageId: "image-slow0001", taskId: "t-slow", start, durationMs: 60 * MIN, imageStatus: "creating" });
  const box = track(watcher.wait("image-slow0001", { deadline: start + 10 * MIN }));
  await clock.advance(10 * MIN - 1);
  assert.equal(outcomeOf(box), undefined);
  await clock.advance(1);
  assert.ok(box.outcome && !box.outcome.ok, "ended at the deadline, not at the next poll");
  const e = box.outcome.error;
  assert.equal(e.kind, "timedOut", e.message);
  assert.equal(e.taskId, "t-slow");
  assert.ok(e.lastProcess >= 15 && e.lastProcess <= 17, `last progress ${e.lastProcess}`);
  assert.equal(e.waitedMs, 10 * MIN);
  assert.match(e.message, /Timed out after 10m00s .*image-slow0001.*t-slow.*the copy goes on/);
  assert.deepEqual(watcher.pending(), []);
  assert.equal(clock.pendingTimers(), 0);
});

test("TaskWatcher: an abort signal ends the wait with the outcome interrupted; other waiters go on", async () => {
  const clock = new FakeClock();
  const region = new FakeRegion(clock);
  const watcher = new TaskWatcher("cn-shanghai", region, POLICY, clock);
  region.add({ imageId: "image-stop0001", taskId: "t-a", start: clock.now(), durationMs: 10 * MIN, imageStatus: "creating" });
  region.add({ imageId: "image-goon0001", taskId: "t-b", start: clock.now(), durationMs: 2 * MIN, imageStatus: "creating" });
  const ac = new AbortController();
  const stopped = track(watcher.wait("image-stop0001", { deadline: clock.now() + 60 * MIN, signal: ac.signal }));
  const other = track(watcher.wait("image-goon0001", { deadline: clock.now() + 60 * MIN }));
  await clock.advance(MIN);
  ac.abort(new Error("SIGINT"));
  await settle();
  assert.ok(stopped.outcome && !stopped.outcome.ok);
  const e = stopped.outcome.error;
  assert.equal(e.kind, "interrupted", e.message);
  assert.equal(e.waitedMs, MIN);
  assert.match(e.message, /^Interrupted after 1m00s/);
  assert.deepEqual(watcher.pending(), ["image-goon0001"]);
  await clock.runUntilIdle();
  assert.ok(other.outcome?.ok);

  // Already aborted: ended at once, nothing polled.
  const calls = region.taskCalls.length;
  const pre = AbortSignal.abort();
  assert.equal((await watcher.wait("image-stop0001", { deadline: clock.now() + MIN, signal: pre })).kind, "interrupted");
  await clock.runUntilIdle();
  assert.equal(region.taskCalls.length, calls);
});

test("TaskWatcher: a finished wait leaves no listener on the shared abort signal", async () => {
  // The life cycle passes one process-wide shutdown signal to every wait.
  const clock = new FakeClock();
  const region = new FakeRegion(clock);
  const watcher = new TaskWatcher("cn-shanghai", region, POLICY, clock);
  const ac = new AbortController();
  for (let i = 0; i < 20; i++) {
    const c = region.add({
      imageId: `image-sig${String(i).padStart(5, "0")}`,
      taskId: `t-${i}`,
      start: clock.now(),
      durationMs: MIN,
      imageStatus: "creating",
    });
    const box = track(watcher.wait(c.imageId, { deadline: clock.now() + 10 * MIN, signal: ac.signal }));
    await clock.runUntilIdle();
    assert.ok(box.outcome?.ok);
  }
  assert.equal(getEventListeners(ac.signal, "abort").length, 0, "listeners pile up on the shutdown signal");
});

// ------------------------------------------------------------------ (e) visibility

test("TaskWatcher: a task invisible at first and visible later still succeeds", async () => {
  const clock = new FakeClock();
  const region = new FakeRegion(clock);
  const watcher = new TaskWatcher("cn-shanghai", region, POLICY, clock);
  const start = clock.now();
  region.add({ imageId: "image-late0001", taskId: "t-late", start, durationMs: 10 * MIN, visibleAt: start + 2 * MIN, imageStatus: "creating" });
  const box = track(watcher.wait("image-late0001", { deadline: start + 60 * MIN }));
  await clock.runUntilIdle();
  assert.ok(box.outcome?.ok, box.outcome && !box.outcome.ok ? box.outcome.error.message : "pending");
  assert.equal(box.outcome.value.taskId, "t-late");
  assert.ok(box.outcome.value.seenAt - (start + 10 * MIN) <= POLICY.maxDelayMs);
});

test("TaskWatcher: a task never visible and an image that is gone: the outcome vanished after the grace period", async () => {
  const clock = new FakeClock();
  const region = new FakeRegion(clock);
  const watcher = new TaskWatcher("cn-shanghai", region, POLICY, clock);
  const start = clock.now();
  region.add({ imageId: "image-gone0001", taskId: "t-x", start, durationMs: 10 * MIN, hidden: true, imageStatus: undefined });
  const box = track(watcher.wait("image-gone0001", { deadline: start + 60 * MIN }));
  await clock.advance(POLICY.invisibleGraceMs - 1);
  assert.equal(outcomeOf(box), undefined, "not before the grace period");
  await clock.runUntilIdle();
  assert.ok(box.outcome && !box.outcome.ok);
  assert.equal(box.outcome.error.kind, "vanished", box.outcome.error.message);
  assert.match(box.outcome.error.message, /image-gone0001 in cn-shanghai no longer exists/);
  assert.ok(clock.now() - start <= POLICY.invisibleGraceMs + POLICY.maxDelayMs);
  assert.ok(region.imageCalls.length >= 1);
});

test("TaskWatcher: a task never visible but an available image: success", async () => {
  const clock = new FakeClock();
  const region = new FakeRegion(clock);
  const watcher = new TaskWatcher("cn-shanghai", region, POLICY, clock);
  const start = clock.now();
  region.add({ imageId: "image-done0001", taskId: "t-x", start, durationMs: MIN, hidden: true, imageStatus: "available" });
  const box = track(watcher.wait("image-done0001", { deadline: start + 60 * MIN }));
  await clock.runUntilIdle();
  assert.ok(box.outcome?.ok, box.outcome && !box.outcome.ok ? box.outcome.error.message : "pending");
  assert.equal(box.outcome.value.taskId, undefined);
  assert.ok(clock.now() - start <= POLICY.invisibleGraceMs + POLICY.maxDelayMs);
});

test("TaskWatcher: a task never visible and an image in error: the outcome failed", async () => {
  const clock = new FakeClock();
  const region = new FakeRegion(clock);
  const watcher = new TaskWatcher("cn-shanghai", region, POLICY, clock);
  region.add({ imageId: "image-err00001", taskId: "t-x", start: clock.now(), durationMs: MIN, hidden: true, imageStatus: "error" });
  const box = track(watcher.wait("image-err00001", { deadline: clock.now() + 60 * MIN }));
  await clock.runUntilIdle();
  assert.ok(
    box.outcome && !box.outcome.ok && box.outcome.error.kind === "failed",
    String(box.outcome && !box.outcome.ok && box.outcome.error.message),
  );
});

// ------------------------------------------------------------------ (f) errors from the source

test("TaskWatcher: a transient DescribeTasks error is survived", async () => {
  const clock = new FakeClock();
  const region = new FakeRegion(clock);
  const logs: string[] = [];
  const watcher = new TaskWatcher("cn-shanghai", region, POLICY, clock, (m) => logs.push(m));
  const start = clock.now();
  region.add({ imageId: "image-flak0001", taskId: "t-f", start, durationMs: 5 * MIN, imageStatus: "creating" });
  region.add({ imageId: "image-flak0002", taskId: "t-g", start, durationMs: 5 * MIN, imageStatus: "creating" });
  region.failNext = [1, 2, 3].map(
    () => new VolcengineError({ code: "InternalError", httpStatus: 500, action: "DescribeTasks", region: "cn-shanghai" }),
  );
  const a = track(watcher.wait("image-flak0001", { deadline: start + 60 * MIN }));
  const b = track(watcher.wait("image-flak0002", { deadline: start + 60 * MIN }));
  await clock.runUntilIdle();
  assert.ok(a.outcome?.ok && b.outcome?.ok);
  assert.equal(region.failNext.length, 0, "the errors were met");
  assert.equal(logs.filter((l) => /InternalError/.test(l)).length, 3, "each error is logged");
});

test("TaskWatcher: a final DescribeTasks error ends every waiter with that error", async () => {
  const clock = new FakeClock();
  const region = new FakeRegion(clock);
  const watcher = new TaskWatcher("cn-shanghai", region, POLICY, clock);
  const denied = new VolcengineError({ code: "AccessDenied", httpStatus: 403, action: "DescribeTasks", region: "cn-shanghai" });
  const boxes = [];
  for (let i = 0; i < 5; i++) {
    const c = region.add({ imageId: `image-deny000${i}`, taskId: `t-${i}`, start: clock.now(), durationMs: 10 * MIN, imageStatus: "creating" });
    boxes.push(track(watcher.wait(c.imageId, { deadline: clock.now() + 60 * MIN })));
  }
  await clock.advance(3 * MIN);
  region.failNext = [denied];
  await clock.runUntilIdle();
  for (const box of boxes) {
    assert.ok(box.outcome && !box.outcome.ok && box.outcome.error.kind === "pollError");
    assert.equal(box.outcome.error.error, denied);
  }
  assert.deepEqual(watcher.pending(), []);
  assert.equal(clock.pendingTimers(), 0);
});
