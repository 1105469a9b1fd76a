// Fuzzing CopiedImageLifecycle.check with thousands of random and hostile inputs (seeded, so every
// run is the same): it never throws, every failure names a known property and says what is wrong,
// and valid inputs pass and get a valid auto-generated image name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CopiedImageLifecycle } from "../../../provider/operations/lifecycle";
import { OWNER_TAG_KEY } from "../../../provider/operations/naming";
import { UNKNOWN, checkImageName, type Failure } from "../../../provider/operations/validate";
import { seededRandom } from "../../../kit/seeded-random";

const INPUTS = ["sourceImageId", "sourceRegion", "destinationRegion", "imageName", "description", "copyImageTags", "projectName", "tags"];

function lifecycle(region: string | undefined = "cn-beijing") {
  return new CopiedImageLifecycle({
    settings: () => ({ endpoint: { protocol: "https:", host: "x" }, preflight: false, region }),
    log: () => undefined,
  });
}

/** Seeded numbers with the helpers fuzzing wants. */
function prng(seed: number) {
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick, chance: (p: number) => next() < p };
}
type R = ReturnType<typeof prng>;

const NASTY_STRINGS = [
  "",
  " ",
  UNKNOWN,
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "\u0000",
  "\ud800",
  "\udfff",
  "a\ud800b",
  "😀",
  "镜像",
  "image-",
  "image-abcd1234",
  "cn-beijing",
  "cn-shanghai",
  "volc:x",
  "SYS:y",
  OWNER_TAG_KEY,
  "null",
  "undefined",
  "true",
  "NaN",
  "${jndi:ldap://x}",
  "<script>",
  "../../etc/passwd",
  "\u202e",
  "\ufeff",
  "e\u0301",
  "%00",
  "1h30m",
  "-1s",
];
const CHARS = [
  "a",
  "Z",
  "0",
  "9",
  "_",
  "-",
  ".",
  " ",
  "=",
  ",",
  "，",
  "。",
  ":",
  "/",
  "+",
  "@",
  "镜",
  "𠀀",
  "😀",
  "\u0000",
  "\n",
  "\t",
  "\u007f",
  "\u0085",
  "\ud800",
  "\udc00",
  "é",
  "\u0301",
  "\u200b",
  "\u2028",
  "İ",
  "ß",
  "٣",
  "\\",
  '"',
  "'",
  "{",
  "%",
];

function randomString(r: R, max = 40): string {
  if (r.chance(0.25)) return r.pick(NASTY_STRINGS);
  const n = r.int(max);
  let s = "";
  for (let i = 0; i < n; i++) s += r.pick(CHARS);
  return s;
}

function hostileValue(r: R, depth = 0): unknown {
  switch (r.int(depth > 2 ? 8 : 12)) {
    case 0:
      return undefined;
    case 1:
      return null;
    case 2:
      return r.pick([0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, -0]);
    case 3:
      return r.chance(0.5);
    case 4:
    case 5:
      return randomString(r);
    case 6:
      return UNKNOWN;
    case 7:
      return randomString(r, 200);
    case 8:
      return Array.from({ length: r.int(4) }, () => hostileValue(r, depth + 1));
    case 9:
      return JSON.parse(`{"__proto__": ${JSON.stringify(hostileValue(r, depth + 1) ?? null)}, "constructor": {"prototype": {"polluted": true}}}`);
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(5); i > 0; i--)
        Object.defineProperty(o, randomString(r, 10), { value: hostileValue(r, depth + 1), enumerable: true, configurable: true, writable: true });
      return o;
    }
  }
}

/** A JSON-like hostile property bag, as the engine could send it (no functions, no cycles). */
function hostileNews(r: R): Record<string, unknown> {
  const news: Record<string, unknown> = {};
  for (const k of INPUTS) if (r.chance(0.7)) news[k] = r.chance(0.5) ? plausible(r, k) : hostileValue(r);
  if (r.chance(0.3)) news.tags = hostileTags(r);
  if (r.chance(0.4)) news.__meta = r.chance(0.7) ? hostileMeta(r) : hostileValue(r);
  if (r.chance(0.1)) Object.defineProperty(news, "__proto__", { value: { imageName: "1bad" }, enumerable: true });
  if (r.chance(0.05)) news.extraneous = hostileValue(r);
  return news;
}

function hostileTags(r: R): unknown {
  const o: Record<string, unknown> = {};
  const n = r.chance(0.1) ? 45 + r.int(10) : r.int(6);
  for (let i = 0; i < n; i++) {
    const key = r.chance(0.5) ? randomString(r, 20) : r.chance(0.5) ? `k${i}` : "x".repeat(120 + r.int(20));
    Object.defineProperty(o, key, {
      value: r.chance(0.7) ? randomString(r, 30) : hostileValue(r, 2),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  }
  return o;
}

function hostileMeta(r: R): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  if (r.chance(0.5)) meta.resourceName = r.chance(0.7) ? randomString(r) : hostileValue(r);
  if (r.chance(0.5)) meta.identity = r.chance(0.7) ? randomString(r) : hostileValue(r);
  if (r.chance(0.5)) {
    const t: Record<string, unknown> = {};
    for (const k of ["create", "update", "delete"])
      if (r.chance(0.5)) t[k] = r.chance(0.5) ? r.pick(["90m", "1h30m", "45s", "500ms", "", "x", "-5m", "1d"]) : stringish(r);
    meta.timeouts = r.chance(0.9) ? t : hostileValue(r);
  }
  if (r.chance(0.2)) meta.autoNamed = hostileValue(r);
  return meta;
}

/** JSON-like values whose String() is defined (see the todo test below for the ones that are not). */
function stringish(r: R): unknown {
  const v = hostileValue(r, 3);
  return typeof v === "object" && v !== null ? randomString(r) : v;
}

const IMAGE_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";
const REGIONS = ["cn-beijing", "cn-shanghai", "cn-guangzhou", "ap-southeast-1", "cn-beijing-autodriving"];
const NAME_FIRST = ["a", "Z", "镜", "像", "𠀀"];
const NAME_REST = [...NAME_FIRST, "0", "9", "_", "-", "."];
const DESC_REST = [...NAME_REST, "=", ",", "，", "。", " "];
const TAG_CHARS = ["a", "Z", "0", " ", "_", ".", ":", "/", "=", "+", "-", "@", "镜", "é", "ß", "٣"];

function word(r: R, first: readonly string[], rest: readonly string[], min: number, max: number): string {
  const n = min + r.int(max - min + 1);
  let s = n > 0 ? r.pick(first) : "";
  for (let i = 1; i < n; i++) s += r.pick(rest);
  return s;
}

function plausible(r: R, k: string): unknown {
  switch (k) {
    case "sourceImageId":
      return `image-${word(r, [...IMAGE_ID_CHARS], [...IMAGE_ID_CHARS], 4, 64)}`;
    case "sourceRegion":
    case "destinationRegion":
      return r.pick(REGIONS);
    case "imageName":
      return word(r, NAME_FIRST, NAME_REST, 1, 128);
    case "description":
      return r.chance(0.1) ? "" : word(r, NAME_FIRST, DESC_REST, 1, 255);
    case "copyImageTags":
      return r.chance(0.5);
    case "projectName":
      return word(r, ["a", "Z", "0", "_", "-", "."], ["a", "Z", "0", "_", "-", "."], 1, 64);
    default:
      return {};
  }
}

function validNews(r: R): Record<string, unknown> {
  const src = r.pick(REGIONS);
  const news: Record<string, unknown> = {
    sourceImageId: plausible(r, "sourceImageId"),
    destinationRegion: r.pick(REGIONS.filter((x) => x !== src)),
  };
  if (r.chance(0.7)) news.sourceRegion = src;
  else if (src !== "cn-beijing") news.sourceRegion = src; // the configured region is cn-beijing
  if (r.chance(0.4)) news.imageName = plausible(r, "imageName");
  if (r.chance(0.5)) news.description = plausible(r, "description");
  if (r.chance(0.5)) news.copyImageTags = r.chance(0.5);
  if (r.chance(0.5)) news.projectName = plausible(r, "projectName");
  if (r.chance(0.5)) {
    const tags: Record<string, string> = {};
    for (let i = r.int(49); i > 0; i--) tags[word(r, TAG_CHARS, TAG_CHARS, 1, 128)] = word(r, TAG_CHARS, TAG_CHARS, 0, 256);
    for (const k of Object.keys(tags)) if (/^(volc|sys):/i.test(k)) delete tags[k];
    news.tags = tags;
  }
  // Arbitrary resource names: the generated image name must be valid whatever the name.
  news.__meta = {
    resourceName: r.chance(0.3) ? randomString(r, 300) : word(r, NAME_FIRST, NAME_REST, 1, 60),
    identity: `proj/stack/${randomString(r)}`,
  };
  if (news.sourceRegion === news.destinationRegion) delete news.sourceRegion;
  return news;
}

function assertFailureShape(f: Failure, news: unknown): void {
  const ctx = () => `failure ${JSON.stringify(f).slice(0, 300)} for ${safeJson(news)}`;
  assert.equal(typeof f.property, "string", ctx());
  assert.ok(f.property.length > 0, ctx());
  const known =
    INPUTS.includes(f.property) ||
    f.property === "__meta" ||
    f.property.startsWith("tags.") ||
    /^customTimeouts\.(create|update|delete)$/.test(f.property);
  assert.ok(known, `unknown property: ${ctx()}`);
  assert.equal(typeof f.reason, "string", ctx());
  assert.ok(f.reason.length > 0, ctx());
  const names = f.property.startsWith("tags.") ? /\btag\b/ : new RegExp(`\\b${f.property.replace(/\./g, "\\.")}\\b`);
  assert.match(f.reason, names, ctx());
  // Reasons travel to the engine as protobuf strings: no lone surrogates (customTimeouts quotes the raw value; reported).
  if (!f.property.startsWith("customTimeouts.")) assert.ok(!/\p{Surrogate}/u.test(f.reason), `ill-formed reason: ${ctx()}`);
}

function safeJson(v: unknown): string {
  try {
    return (JSON.stringify(v) ?? String(v)).slice(0, 400);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

test("check never throws on thousands of hostile inputs, and every failure names a known property", () => {
  const r = prng(0xc0ffee);
  const lc = lifecycle();
  const lcNoRegion = lifecycle(undefined);
  let failures = 0;
  for (let i = 0; i < 4000; i++) {
    const news = hostileNews(r);
    const olds = r.chance(0.3) ? hostileNews(r) : {};
    for (const l of r.chance(0.8) ? [lc] : [lcNoRegion]) {
      let result: ReturnType<CopiedImageLifecycle["check"]>;
      try {
        result = l.check(olds, news);
      } catch (e) {
        assert.fail(`check threw ${(e as Error)?.stack ?? e} for ${safeJson(news)}`);
      }
      assert.ok(Array.isArray(result.failures));
      assert.equal(typeof result.inputs, "object");
      for (const f of result.failures) assertFailureShape(f, news);
      failures += result.failures.length;
      for (const [k, v] of Object.entries(result.inputs))
        assert.notEqual(v, undefined, `inputs.${k} is undefined (the plugin rejects undefined values)`);
    }
  }
  assert.ok(failures > 4000, `the hostile inputs should fail often (${failures})`);
  assert.equal(({} as Record<string, unknown>).polluted, undefined, "no prototype pollution");
});

test("check survives huge strings (up to 1 MB) in every input", () => {
  const lc = lifecycle();
  const big = ["a".repeat(1 << 20), "镜".repeat(1 << 19), "😀".repeat(1 << 18), "\ud800".repeat(1 << 19), "a" + " ".repeat((1 << 20) - 1)];
  const started = Date.now();
  for (const s of big) {
    for (const k of INPUTS) {
      const news: Record<string, unknown> = { sourceImageId: "image-abcd1234", destinationRegion: "cn-shanghai", [k]: s };
      const { failures } = lc.check({}, news);
      assert.ok(failures.length >= 1, `${k} of ${s.length} units accepted`);
      for (const f of failures) {
        assertFailureShape(f, { [k]: `${s.slice(0, 10)}...` });
        if (!f.property.startsWith("tags.")) assert.ok(f.reason.length < 2_000, `reason of ${f.reason.length} characters for ${k}`);
      }
    }
    const tagged = lc.check({}, { sourceImageId: "image-abcd1234", destinationRegion: "cn-shanghai", tags: { [s]: s } });
    assert.ok(tagged.failures.some((f) => f.property.startsWith("tags.")));
  }
  assert.ok(Date.now() - started < 10_000, "linear time");
});

test("check accepts valid random inputs and auto-generates valid image names", () => {
  const r = prng(20240601);
  const lc = lifecycle();
  let autoNamed = 0;
  for (let i = 0; i < 2000; i++) {
    const news = validNews(r);
    const { inputs, failures } = lc.check({}, news);
    assert.deepEqual(failures, [], `valid input rejected: ${safeJson(news)}`);
    assert.equal(typeof inputs.imageName, "string");
    assert.equal(checkImageName(inputs.imageName), undefined, `generated ${JSON.stringify(inputs.imageName)}`);
    assert.equal(inputs.sourceRegion, news.sourceRegion ?? "cn-beijing");
    assert.equal(inputs.copyImageTags, news.copyImageTags ?? false);
    const meta = inputs.__meta as { autoNamed?: boolean };
    if (news.imageName === undefined) {
      autoNamed++;
      assert.equal(meta.autoNamed, true);
      // Same inputs, same name: a crashed create is adopted, not copied twice.
      assert.equal(lc.check({}, news).inputs.imageName, inputs.imageName);
    } else {
      assert.equal(inputs.imageName, news.imageName);
      assert.equal(meta.autoNamed, false);
    }
  }
  assert.ok(autoNamed > 500);
});

test("check with unknown values (preview) does not fail and does not invent a name from unknowns", () => {
  const lc = lifecycle();
  const all = Object.fromEntries(INPUTS.map((k) => [k, UNKNOWN]));
  const { inputs, failures } = lc.check({}, { ...all, __meta: UNKNOWN });
  assert.deepEqual(failures, []);
  assert.equal(inputs.imageName, UNKNOWN);
  const partly = lc.check({}, { sourceImageId: UNKNOWN, destinationRegion: "cn-shanghai", __meta: { resourceName: "web" } });
  assert.deepEqual(partly.failures, []);
  assert.equal(partly.inputs.imageName, undefined, "no name while a replacement-triggering input is unknown");
});

test("check does not throw for timeouts whose String() throws, and keeps a tag named __proto__", () => {
  const lc = lifecycle();
  for (const t of [{ toString: 1 }, { toString: "x", valueOf: "y" }, [{ toString: 1 }]]) {
    assert.doesNotThrow(() =>
      lc.check({}, { sourceImageId: "image-abcd1234", destinationRegion: "cn-shanghai", __meta: { timeouts: { create: t } } }),
    );
  }
  // A tag key "__proto__" passes check, so adding it must be a change.
  const proto = JSON.parse('{"__proto__": "x"}') as Record<string, unknown>;
  assert.deepEqual(lc.check({}, { sourceImageId: "image-abcd1234", destinationRegion: "cn-shanghai", tags: proto }).failures, []);
  assert.equal(lc.diff("image-abcd1234", { tags: {} }, { tags: proto }).changes, true);
});
