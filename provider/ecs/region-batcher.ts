/**
 * The region batcher: concurrent calls of one account (one wire, so one session) that name image ids,
 * in one region, for one action with the same other parameters, go out as ONE request of up to 100
 * ids. DescribeImages (refresh, finishing a copy, confirming a deletion, the task watcher's checks),
 * DescribeTasks (the task watcher) and DeleteImages (per `DeleteBindedSnapshots`) all go through it,
 * and so do create's lookups of a copy by name (the "ids" are names there: `describeImagesByName`).
 *
 * How a request forms: the first id queued for a (region, action, parameters) starts a batch, held
 * open while more ids are likely to join (the engine hands the plugin one gRPC call per resource):
 * until it holds 100 ids, no id joined for `BATCH_HOLD.quietMs`, or `BATCH_HOLD.longestMs` passed,
 * whichever comes first. Then it waits for a token of the account's rate limit (ids that arrive
 * meanwhile join too), takes up to 100 waiting ids and leaves; ids left over start the next batch.
 * So a lone call waits the quiet gap, and no more, before it waits for its token as it would alone.
 *
 * Each caller gets its own part of the answer. A whole-request error reaches every caller in it (the
 * same `VolcengineError`: code, request id), except one that a single id may have caused (an unknown
 * id answered `InvalidImage.NotFound` for the whole request: emulator world
 * `describeImagesUnknownId: "notFound"`): then each id is asked again on its own, so one bad id fails
 * no other caller, and an id that alone gets "not found" reads as absent where the action says so.
 *
 * Bounds: each caller keeps its own abort signal and deadline. A request with one caller carries
 * that caller's, so the wire answers it exactly as without a batcher; a request shared by several
 * carries the latest of their deadlines and is cancelled once none of them waits for it any more; a
 * caller that stops earlier (its signal, its deadline) leaves at once, with the abort's reason or
 * `DeadlineExceeded`.
 */
import { VolcengineError } from "./volcengine-error";
import { atDeadline } from "./deadline";
import type { WireClient } from "./wire";
import type { Ticket } from "./rate-limit";
import { MAX_IDS_PER_REQUEST, type BatchedAction, type RequestBounds } from "./id-actions";

/**
 * How long a batch gathers ids (the one place for these numbers). quietMs: when no id has joined for
 * this long, the burst of calls is over; it is all a lone call waits, small next to a request's own
 * round trip and to the delete and confirm polls' steps of a second or more. longestMs: calls that
 * keep trickling in still leave at this pace, so no caller waits longer than this for gathering.
 */
export const BATCH_HOLD = { quietMs: 50, longestMs: 300 } as const;

interface Caller<T> {
  readonly queue: Queue<T>;
  /** Ids not answered yet; `queued`: those still waiting for a request. */
  readonly open: Set<string>;
  readonly queued: Set<string>;
  readonly answers: Map<string, T>;
  readonly signal?: AbortSignal;
  readonly deadline: number;
  readonly onAttemptFailed?: (error: unknown) => void;
  readonly requests: Set<Request<T>>;
  sent: boolean;
  settled: boolean;
  resolve(answers: Map<string, T>): void;
  reject(error: unknown): void;
  disarm(): void;
}

interface Request<T> {
  readonly callers: Caller<T>[];
  readonly deadline: number;
  /** Cancels a shared request once none of its callers waits; absent for a lone caller (its own signal does). */
  readonly cancel?: AbortController;
}

interface Queue<T> {
  readonly action: BatchedAction<T>;
  readonly region: string;
  /** Ids waiting for the next request, in arrival order, with who asked. */
  readonly waiting: Map<string, Caller<T>[]>;
  /** Set while a batch gathers ids and waits for its token; aborted when everyone waiting has left. */
  forming?: AbortController;
  /** Set while a batch gathers ids: a caller's ids joined it. */
  joined?: () => void;
}

const batchers = new WeakMap<WireClient, RegionBatcher>();

/** The batcher of this wire's account: every client on one wire shares it. */
export function batcherOf(wire: WireClient): RegionBatcher {
  let b = batchers.get(wire);
  if (!b) batchers.set(wire, (b = new RegionBatcher(wire)));
  return b;
}

export class RegionBatcher {
  private readonly queues = new Map<string, Queue<unknown>>();
  /** Requests sent (for tests). */
  requests = 0;

  constructor(private readonly wire: WireClient) {}

  /** What `action` says of each of `ids` in `region` (an absent id: not there, or no error), sharing requests with concurrent callers. */
  ask<T>(region: string, action: BatchedAction<T>, ids: readonly string[], bounds: Omit<RequestBounds, "token"> = {}): Promise<Map<string, T>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return Promise.resolve(new Map());
    if (bounds.signal?.aborted) return Promise.reject(abortReason(bounds.signal));
    return new Promise((resolve, reject) => {
      const queue = this.queueFor(region, action);
      const caller: Caller<T> = {
        queue,
        open: new Set(unique),
        queued: new Set(unique),
        answers: new Map(),
        signal: bounds.signal,
        deadline: bounds.deadline ?? Infinity,
        onAttemptFailed: bounds.onAttemptFailed,
        requests: new Set(),
        sent: false,
        settled: false,
        resolve,
        reject,
        disarm: () => undefined,
      };
      for (const id of unique) {
        const askers = queue.waiting.get(id);
        if (askers) askers.push(caller);
        else queue.waiting.set(id, [caller]);
      }
      this.arm(caller);
      if (!queue.forming) void this.form(queue);
      else queue.joined?.();
    });
  }

  private queueFor<T>(region: string, action: BatchedAction<T>): Queue<T> {
    const key = `${region}\u0000${action.key}`;
    let q = this.queues.get(key) as Queue<T> | undefined;
    if (!q) this.queues.set(key, (q = { action, region, waiting: new Map() } as Queue<T>) as Queue<unknown>);
    return q;
  }

  /** A caller leaves on its own abort or deadline, unless the requests it waits for already carry them (the wire answers). */
  private arm<T>(c: Caller<T>): void {
    const governed = (byDeadline: boolean) =>
      c.queued.size === 0 && [...c.requests].every((r) => !r.cancel || (byDeadline && r.deadline <= c.deadline));
    const onAbort = () => {
      if (!governed(false)) this.fail(c, abortReason(c.signal!));
    };
    c.signal?.addEventListener("abort", onAbort, { once: true });
    const cancelTimer = atDeadline(this.wire.clock, c.deadline, () => {
      if (!governed(true)) this.fail(c, this.deadlineError(c));
    });
    c.disarm = () => {
      c.signal?.removeEventListener("abort", onAbort);
      cancelTimer();
    };
  }

  /** A batch: gathers ids, waits for a token, then takes up to 100 waiting ids and sends them; the rest form the next batch. */
  private async form<T>(queue: Queue<T>): Promise<void> {
    const forming = new AbortController();
    queue.forming = forming;
    const taken = await this.gather(queue, forming.signal)
      .then(() => this.wire.takeToken(forming.signal))
      .then(
        (ticket) => ({ ticket }),
        () => undefined,
      ); // undefined: everyone waiting left
    queue.forming = undefined;
    const parts = taken ? this.take(queue) : new Map<string, Caller<T>[]>();
    if (queue.waiting.size > 0) void this.form(queue);
    if (taken && parts.size > 0) await this.send(queue, parts, taken.ticket);
  }

  /** Resolves when the batch holds 100 ids, no id joined for the quiet gap, or at the longest hold; rejects when everyone left. */
  private gather<T>(queue: Queue<T>, signal: AbortSignal): Promise<void> {
    const { clock } = this.wire;
    return new Promise((resolve, reject) => {
      let cancelQuiet = () => undefined as void;
      const stop = (left?: boolean) => {
        cancelQuiet();
        cancelLongest();
        queue.joined = undefined;
        signal.removeEventListener("abort", onLeft);
        if (left) reject(new Error("everyone waiting left"));
        else resolve();
      };
      const onLeft = () => stop(true);
      const cancelLongest = clock.setTimer(stop, BATCH_HOLD.longestMs);
      signal.addEventListener("abort", onLeft, { once: true });
      queue.joined = () => {
        cancelQuiet();
        if (queue.waiting.size >= MAX_IDS_PER_REQUEST) stop();
        else cancelQuiet = clock.setTimer(stop, BATCH_HOLD.quietMs);
      };
      queue.joined();
    });
  }

  private take<T>(queue: Queue<T>): Map<string, Caller<T>[]> {
    const parts = new Map<string, Caller<T>[]>();
    for (const [id, askers] of queue.waiting) {
      if (parts.size >= MAX_IDS_PER_REQUEST) break;
      parts.set(id, askers);
      for (const c of askers) c.queued.delete(id);
    }
    for (const id of parts.keys()) queue.waiting.delete(id);
    return parts;
  }

  private async send<T>(queue: Queue<T>, parts: Map<string, Caller<T>[]>, token?: Ticket): Promise<void> {
    const ids = [...parts.keys()];
    const callers = [...new Set([...parts.values()].flat())].filter((c) => !c.settled);
    if (callers.length === 0) return;
    const request = shared(callers);
    for (const c of callers) {
      c.sent = true;
      c.requests.add(request);
    }
    let answers: Map<string, T> | undefined;
    let failure: { error: unknown } | undefined;
    try {
      this.requests++;
      answers = await queue.action.send(this.wire, queue.region, ids, { ...boundsOf(request), token });
    } catch (error) {
      failure = { error };
    }
    for (const c of callers) c.requests.delete(request);
    if (failure) {
      const e = failure.error;
      if (ids.length > 1 && queue.action.oneIdMayCause(e)) {
        await Promise.all(ids.map((id) => this.send(queue, new Map([[id, parts.get(id)!]]))));
        return;
      }
      if (ids.length > 1 || !queue.action.meansAbsent(e)) {
        for (const c of callers) this.fail(c, e);
        return;
      }
    }
    for (const [id, askers] of parts) for (const c of askers) this.answer(c, id, answers?.get(id));
  }

  private answer<T>(c: Caller<T>, id: string, value: T | undefined): void {
    if (c.settled) return;
    if (value !== undefined) c.answers.set(id, value);
    c.open.delete(id);
    if (c.open.size === 0) {
      c.settled = true;
      c.disarm();
      c.resolve(c.answers);
    }
  }

  /** Ends a caller with an error: its ids leave the queue, and a shared request none waits for any more is cancelled. */
  private fail<T>(c: Caller<T>, error: unknown): void {
    if (c.settled) return;
    c.settled = true;
    c.disarm();
    const { waiting } = c.queue;
    for (const id of c.queued) {
      const left = (waiting.get(id) ?? []).filter((x) => x !== c);
      if (left.length > 0) waiting.set(id, left);
      else waiting.delete(id);
    }
    c.queued.clear();
    if (waiting.size === 0) c.queue.forming?.abort();
    for (const r of c.requests) if (r.callers.every((x) => x.settled)) r.cancel?.abort(error);
    c.reject(error);
  }

  private deadlineError<T>(c: Caller<T>): VolcengineError {
    return new VolcengineError({
      code: "DeadlineExceeded",
      action: c.queue.action.action,
      region: c.queue.region,
      ambiguous: c.sent,
      detail: c.sent
        ? "no answer before the operation's deadline (the request it shares with other calls goes on)"
        : "not sent: the operation's deadline had passed",
    });
  }
}

/** The request for these callers: a lone caller's own bounds, or the latest deadline and a cancel of its own. */
function shared<T>(callers: Caller<T>[]): Request<T> {
  if (callers.length === 1) return { callers, deadline: callers[0]!.deadline };
  return { callers, deadline: Math.max(...callers.map((c) => c.deadline)), cancel: new AbortController() };
}

function boundsOf<T>(r: Request<T>): RequestBounds {
  const deadline = Number.isFinite(r.deadline) ? r.deadline : undefined;
  if (!r.cancel) {
    const c = r.callers[0]!;
    return { signal: c.signal, deadline, onAttemptFailed: c.onAttemptFailed };
  }
  const onAttemptFailed = (error: unknown) => {
    for (const c of r.callers) {
      try {
        if (!c.settled) c.onAttemptFailed?.(error);
      } catch {
        // An observer must not change the request's outcome.
      }
    }
  };
  return { signal: r.cancel.signal, deadline, onAttemptFailed };
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? "aborted"));
}
