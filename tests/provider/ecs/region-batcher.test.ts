// The region batcher on its own: a fake wire whose tokens the test hands out, and fake actions that
// record each request. Ids are grouped per region, action and shared parameters, at most 100 a
// request; a batch gathers ids until the quiet gap, the longest hold or 100 ids, then waits for its
// token (ids that come meanwhile join it); a lone call so waits the quiet gap and no more; an error
// reaches every caller in the request; a whole-request NotFound is asked again id by id.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BATCH_HOLD, RegionBatcher } from "../../../provider/ecs/region-batcher";
import type { BatchedAction, RequestBounds } from "../../../provider/ecs/id-actions";
import { VolcengineError } from "../../../provider/ecs/volcengine-error";
import type { WireClient } from "../../../provider/ecs/wire";
import type { Ticket } from "../../../provider/ecs/rate-limit";
import { FakeClock, settle } from "../fake-clock";

/** A wire whose tokens come when the test says (`free` = every token at once). */
class FakeWire {
  readonly clock = new FakeClock();
  free = true;
  private pending: (() => void)[] = [];
  private tickets = 0;
  /** Each token comes with its own ticket, so that the test can tell which request it paid for. */
  takeToken(signal?: AbortSignal): Promise<Ticket> {
    const ticket = { at: ++this.tickets, waited: !this.free };
    if (this.free) return Promise.resolve(ticket);
    return new Promise((resolve, reject) => {
      this.pending.push(() => resolve(ticket));
      signal?.addEventListener("abort", () => reject(new Error("left")), { once: true });
    });
  }

  /** Hands out the next token. */
  give(): void {
    this.pending.shift()?.();
  }
}

interface Sent {
  region: string;
  key: string;
  ids: readonly string[];
  bounds: RequestBounds;
}

/** An action that answers `value:<id>` for every known id; `fail` decides a whole-request error. */
function action(key: string, log: Sent[], fail: (ids: readonly string[]) => unknown = () => undefined): BatchedAction<string> {
  return {
    action: "DescribeImages",
    key,
    async send(_wire, region, ids, bounds) {
      log.push({ region, key, ids, bounds });
      await Promise.resolve();
      const error = fail(ids);
      if (error) throw error;
      return new Map(ids.filter((id) => !id.startsWith("unknown")).map((id) => [id, `value:${id}`]));
    },
    oneIdMayCause: (e) => e instanceof VolcengineError && e.code === "InvalidImage.NotFound",
    meansAbsent: (e) => e instanceof VolcengineError && e.code === "InvalidImage.NotFound",
  };
}

function setUp() {
  const wire = new FakeWire();
  return { wire, batcher: new RegionBatcher(wire as unknown as WireClient), log: [] as Sent[] };
}

const notFound = (requestId: string) =>
  new VolcengineError({ code: "InvalidImage.NotFound", action: "DescribeImages", region: "cn-shanghai", httpStatus: 404, requestId });

/** Lets the batches being gathered stop gathering: no id joins for the quiet gap. */
const quietGap = (wire: FakeWire) => wire.clock.advance(BATCH_HOLD.quietMs);

test("a lone call waits the quiet gap and no more, then leaves with its token, its own signal and deadline", async () => {
  const { wire, batcher, log } = setUp();
  const signal = new AbortController().signal;
  const deadline = wire.clock.now() + 60_000;
  const answer = batcher.ask("cn-shanghai", action("A", log), ["image-1"], { signal, deadline });
  await wire.clock.advance(BATCH_HOLD.quietMs - 1);
  assert.equal(log.length, 0, "held while another call may join");
  await wire.clock.advance(1);
  assert.equal(log.length, 1, "sent once the quiet gap is over");
  assert.deepEqual(log[0]!.ids, ["image-1"]);
  assert.equal(log[0]!.bounds.signal, signal, "the wire sees the caller's own signal");
  assert.equal(log[0]!.bounds.deadline, deadline);
  assert.deepEqual(log[0]!.bounds.token, { at: 1, waited: false }, "the batch's token (and its ticket) pays for the first attempt");
  assert.deepEqual([...(await answer)], [["image-1", "value:image-1"]]);
});

test("a batch gathers while ids keep joining, up to the longest hold; 100 ids leave at once", async () => {
  const { wire, batcher, log } = setUp();
  const a = action("A", log);
  const step = BATCH_HOLD.quietMs - 1; // each id joins just before the quiet gap would end
  const asks: Promise<Map<string, string>>[] = [];
  for (let at = 0; at < BATCH_HOLD.longestMs + 2 * step; at += step) {
    asks.push(batcher.ask("cn-shanghai", a, [`image-${asks.length}`]));
    await wire.clock.advance(step);
  }
  const beforeLongest = Math.ceil(BATCH_HOLD.longestMs / step);
  assert.ok(beforeLongest >= 3, "the test adds several ids before the longest hold");
  assert.deepEqual(
    log.map((s) => s.ids.length),
    [beforeLongest],
    "the ids that joined before the longest hold left together at it, not one by one",
  );
  await quietGap(wire);
  assert.deepEqual(
    log.map((s) => s.ids.length),
    [beforeLongest, asks.length - beforeLongest],
    "the later ids formed the next batch, which left after the quiet gap",
  );
  assert.equal((await Promise.all(asks)).length, asks.length);

  const full = batcher.ask(
    "cn-shanghai",
    a,
    Array.from({ length: 100 }, (_, i) => `full-${i}`),
  );
  await settle();
  assert.equal(log[log.length - 1]!.ids.length, 100, "100 ids leave without waiting for the quiet gap");
  assert.equal((await full).size, 100);
});

test("ids that arrive while a batch waits for its token join it; each caller gets its own part", async () => {
  const { wire, batcher, log } = setUp();
  wire.free = false;
  const a = action("A", log);
  const first = batcher.ask("cn-shanghai", a, ["image-1"]);
  const second = batcher.ask("cn-shanghai", a, ["image-2", "image-1"]);
  const third = batcher.ask("cn-shanghai", a, ["unknown-3"]);
  await quietGap(wire);
  assert.equal(log.length, 0, "nothing leaves before its token");
  wire.give();
  await settle();
  assert.equal(log.length, 1);
  assert.deepEqual(log[0]!.ids, ["image-1", "image-2", "unknown-3"]);
  assert.deepEqual([...(await first)], [["image-1", "value:image-1"]]);
  assert.deepEqual(
    new Map(await second),
    new Map([
      ["image-1", "value:image-1"],
      ["image-2", "value:image-2"],
    ]),
  );
  assert.equal((await third).size, 0, "an id the answer does not mention is absent");
  assert.equal(batcher.requests, 1);
});

test("calls share a request only within one region, action and set of shared parameters", async () => {
  const { wire, batcher, log } = setUp();
  wire.free = false;
  const a = action("A", log);
  const keep = action("DeleteImages|DeleteBindedSnapshots=false", log);
  const drop = action("DeleteImages|DeleteBindedSnapshots=true", log);
  const asks = [
    batcher.ask("cn-shanghai", a, ["image-1"]),
    batcher.ask("cn-shanghai", a, ["image-2"]),
    batcher.ask("cn-guangzhou", a, ["image-3"]),
    batcher.ask("cn-shanghai", keep, ["image-4"]),
    batcher.ask("cn-shanghai", drop, ["image-5"]),
    batcher.ask("cn-shanghai", drop, ["image-6"]),
  ];
  await quietGap(wire);
  for (let i = 0; i < 4; i++) wire.give();
  await Promise.all(asks);
  const groups = log.map((s) => `${s.region} ${s.key}: ${s.ids.join(",")}`).sort();
  assert.deepEqual(groups, [
    "cn-guangzhou A: image-3",
    "cn-shanghai A: image-1,image-2",
    "cn-shanghai DeleteImages|DeleteBindedSnapshots=false: image-4",
    "cn-shanghai DeleteImages|DeleteBindedSnapshots=true: image-5,image-6",
  ]);
});

test("at most 100 ids a request: the ids left over form the next batch", async () => {
  const { wire, batcher, log } = setUp();
  wire.free = false;
  const a = action("A", log);
  const ids = Array.from({ length: 250 }, (_, i) => `image-${i}`);
  const many = batcher.ask("cn-shanghai", a, ids.slice(0, 120));
  const lone = ids.slice(120).map((id) => batcher.ask("cn-shanghai", a, [id]));
  for (let i = 0; i < 3; i++) {
    await settle();
    wire.give();
    await quietGap(wire); // the full batches do not wait for it: only the last 50 ids do
  }
  assert.deepEqual(
    log.map((s) => s.ids.length),
    [100, 100, 50],
  );
  assert.equal((await many).size, 120, "a caller's ids spread over two requests, answered whole");
  for (const [i, p] of lone.entries()) assert.deepEqual([...(await p)], [[ids[120 + i], `value:${ids[120 + i]}`]]);
});

test("an error of a shared request reaches every caller in it, with its code and request id", async () => {
  const { wire, batcher, log } = setUp();
  wire.free = false;
  const denied = new VolcengineError({ code: "AccessDenied", action: "DescribeImages", region: "cn-shanghai", httpStatus: 403, requestId: "req-7" });
  const a = action("A", log, () => denied);
  const asks = [batcher.ask("cn-shanghai", a, ["image-1"]), batcher.ask("cn-shanghai", a, ["image-2"])];
  await quietGap(wire);
  wire.give();
  for (const p of asks) await assert.rejects(p, (e: unknown) => e instanceof VolcengineError && e.code === "AccessDenied" && e.requestId === "req-7");
  assert.equal(log.length, 1, "not asked again: AccessDenied is not one id's doing");
});

test("a whole-request NotFound is asked again id by id: one unknown id fails no other caller", async () => {
  const { wire, batcher, log } = setUp();
  wire.free = false;
  let n = 0;
  const a = action("A", log, (ids) => (ids.some((id) => id.startsWith("unknown")) ? notFound(`req-${++n}`) : undefined));
  const known = batcher.ask("cn-shanghai", a, ["image-1"]);
  const unknown = batcher.ask("cn-shanghai", a, ["unknown-2"]);
  const both = batcher.ask("cn-shanghai", a, ["image-3", "unknown-4"]);
  await quietGap(wire);
  wire.give();
  assert.deepEqual([...(await known)], [["image-1", "value:image-1"]]);
  assert.equal((await unknown).size, 0, "alone, NotFound means not there");
  assert.deepEqual([...(await both)], [["image-3", "value:image-3"]]);
  assert.deepEqual(
    log.map((s) => s.ids.join(",")),
    ["image-1,unknown-2,image-3,unknown-4", "image-1", "unknown-2", "image-3", "unknown-4"],
  );
  assert.deepEqual(
    log.slice(1).map((s) => s.bounds.token),
    [undefined, undefined, undefined, undefined],
    "the ids asked again take tokens of their own",
  );
});

test("a caller that stops leaves at once; the shared request goes on for the others, and stops when none is left", async () => {
  const { wire, batcher, log } = setUp();
  wire.free = false;
  let release: () => void = () => undefined;
  const slow: BatchedAction<string> = {
    ...action("A", log),
    async send(_w, region, ids, bounds) {
      log.push({ region, key: "A", ids, bounds });
      await new Promise<void>((r) => (release = r));
      return new Map(ids.map((id) => [id, `value:${id}`]));
    },
  };
  const stopper = new AbortController();
  const t0 = wire.clock.now();
  const stopped = batcher.ask("cn-shanghai", slow, ["image-1"], { signal: stopper.signal, deadline: wire.clock.now() + 3_000 });
  const early = batcher.ask("cn-shanghai", slow, ["image-2"], { deadline: wire.clock.now() + 1_000 });
  const stays = batcher.ask("cn-shanghai", slow, ["image-3"], { deadline: wire.clock.now() + 5_000 });
  await quietGap(wire);
  wire.give();
  await settle();
  assert.equal(log.length, 1);
  const shared = log[0]!.bounds;
  assert.notEqual(shared.signal, stopper.signal, "a shared request has a signal of its own");
  assert.equal(shared.deadline, t0 + 5_000, "bounded by the latest deadline");
  stopper.abort(new Error("received SIGINT"));
  await assert.rejects(stopped, /received SIGINT/);
  const earlyLeft = assert.rejects(early, (e: unknown) => e instanceof VolcengineError && e.code === "DeadlineExceeded" && e.ambiguous === true);
  await wire.clock.advance(1_000);
  await earlyLeft;
  assert.equal(shared.signal!.aborted, false, "one caller still waits for it");
  release();
  assert.deepEqual([...(await stays)], [["image-3", "value:image-3"]]);

  // Everyone leaves: the request is cancelled, and a batch still gathering gives up, its timers with it.
  const a = new AbortController();
  const b = new AbortController();
  const one = batcher.ask("cn-shanghai", slow, ["image-4"], { signal: a.signal });
  const two = batcher.ask("cn-shanghai", slow, ["image-5"], { signal: b.signal });
  await quietGap(wire);
  wire.give();
  await settle();
  const queuedBehind = batcher.ask("cn-shanghai", slow, ["image-6"], { signal: a.signal });
  a.abort(new Error("stop"));
  b.abort(new Error("stop"));
  await assert.rejects(one, /stop/);
  await assert.rejects(two, /stop/);
  await assert.rejects(queuedBehind, /stop/);
  assert.equal(log[1]!.bounds.signal!.aborted, true, "nobody waits for it any more");
  assert.equal(wire.clock.pendingTimers(), 0, "the gathering batch's timers are gone");
  await quietGap(wire);
  wire.give();
  await settle();
  assert.equal(log.length, 2, "nothing sent for callers that left");
});
