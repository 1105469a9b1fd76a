// Unit tests of provider/operations/validate.ts: every documented rule at its edges (CopyImage ImageName and
// Description, TagResources tag rules, reference §1 and §6), and the conservative undocumented ones.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  LIMITS,
  RULES,
  UNKNOWN,
  charLength,
  checkBoolean,
  checkDescription,
  checkImageId,
  checkImageName,
  checkProjectName,
  checkRegion,
  checkTags,
  imageNamePrefix,
  type Failure,
} from "../../../provider/operations/validate";

/** Asserts a failure for `property`, whose reason names the property. */
function rejects(f: Failure | undefined, property: string, why?: RegExp): void {
  assert.ok(f, `expected a failure for ${property}`);
  assert.equal(f.property, property);
  assert.ok(f.reason.includes(property), `reason should name ${property}: ${f.reason}`);
  if (why) assert.match(f.reason, why);
  assert.ok(isWellFormed(f.reason), `reason is not well-formed UTF-16: ${JSON.stringify(f.reason)}`);
}

function isWellFormed(s: string): boolean {
  return !/\p{Surrogate}/u.test(s);
}

const HAN = "镜"; // a common Chinese character
const EMOJI = "😀"; // one code point, two UTF-16 units

test("charLength counts code points, not UTF-16 units", () => {
  assert.equal(charLength(""), 0);
  assert.equal(charLength("abc"), 3);
  assert.equal(charLength("镜像"), 2);
  assert.equal(charLength(EMOJI), 1);
  assert.equal(EMOJI.length, 2);
  assert.equal(charLength("𠀀"), 1); // CJK Extension B, outside the BMP
  assert.equal(charLength(EMOJI.repeat(5) + "a"), 6);
});

test("imageName: length 1 and 128 accepted, 0 and 129 rejected", () => {
  assert.equal(checkImageName("a"), undefined);
  assert.equal(checkImageName("a".repeat(128)), undefined);
  assert.equal(checkImageName(HAN.repeat(128)), undefined, "128 Chinese characters are 128 characters");
  rejects(checkImageName(""), "imageName", /1 to 128/);
  rejects(checkImageName("a".repeat(129)), "imageName", /129/);
  rejects(checkImageName(HAN.repeat(129)), "imageName", /129/);
});

test("imageName: must start with a letter or a Chinese character", () => {
  assert.equal(checkImageName("A1"), undefined);
  assert.equal(checkImageName("z"), undefined);
  assert.equal(checkImageName("镜像-copy"), undefined);
  assert.equal(checkImageName("𠀀x"), undefined, "a Han character outside the BMP");
  for (const bad of ["1abc", "_abc", "-abc", ".abc", " abc", "9"]) rejects(checkImageName(bad), "imageName", /start with a letter/);
});

test("imageName: letters, digits, Chinese, '.', '_' and '-' allowed; anything else rejected", () => {
  assert.equal(checkImageName("a.b_c-d9镜"), undefined);
  assert.equal(checkImageName("ubuntu-22.04_copy"), undefined);
  for (const bad of ["a b", "a/b", "a:b", "a,b", "a=b", "a\tb", "a\nb", "a\u0000b", `a${EMOJI}`, "aé", "a，b", "a\ud800b"]) {
    rejects(checkImageName(bad), "imageName");
  }
  rejects(checkImageName(42), "imageName", /string/);
  rejects(checkImageName(null), "imageName", /string/);
  assert.equal(checkImageName(UNKNOWN), undefined, "unknown during preview");
  rejects(checkImageName("1x", "custom.prop"), "custom.prop");
});

test("imageName failure reasons stay well-formed text when the name holds astral characters", () => {
  // show() shortens long values; it must not cut a surrogate pair in two (the reason goes to the engine over gRPC).
  for (let pad = 0; pad < 4; pad++) {
    const f = checkImageName("1" + "x".repeat(pad) + EMOJI.repeat(40));
    rejects(f, "imageName");
  }
});

test("description: 0 and 255 characters accepted, 256 rejected; undefined is fine", () => {
  assert.equal(checkDescription(undefined), undefined);
  assert.equal(checkDescription(""), undefined);
  assert.equal(checkDescription("a".repeat(255)), undefined);
  assert.equal(checkDescription(HAN.repeat(255)), undefined);
  rejects(checkDescription("a".repeat(256)), "description", /255/);
  rejects(checkDescription(HAN.repeat(256)), "description", /256/);
});

test("description: full-width '，' '。', spaces and _ - = , . allowed; must start with a letter or Chinese", () => {
  assert.equal(checkDescription("Copy of 镜像，for prod。 v=1, a_b-c."), undefined);
  assert.equal(checkDescription("镜像 描述"), undefined);
  assert.equal(checkDescription("a "), undefined, "trailing space");
  for (const bad of [" a", "1a", "_a", "，a", "。a", "=a"]) rejects(checkDescription(bad), "description", /start with a letter/);
  for (const bad of ["a!", "a\nb", "a\tb", "a/b", "a:b", `a${EMOJI}`, "a\ud800"]) rejects(checkDescription(bad), "description");
  rejects(checkDescription(7), "description", /string/);
  rejects(checkDescription(null), "description", /string/);
  assert.equal(checkDescription(UNKNOWN), undefined);
});

test("sourceImageId: image- followed by lowercase alphanumerics; required", () => {
  assert.equal(checkImageId("image-4431h3l7hl31a0abcd"), undefined);
  assert.equal(checkImageId("image-abcd"), undefined);
  assert.equal(checkImageId("image-" + "a".repeat(64)), undefined);
  assert.equal(checkImageId(UNKNOWN), undefined);
  for (const missing of [undefined, null, ""]) rejects(checkImageId(missing), "sourceImageId", /required/);
  for (const bad of [
    "image-",
    "image-abc",
    "image-ABCD1234",
    "img-abcd1234",
    "image_abcd1234",
    " image-abcd1234",
    "image-abcd1234 ",
    "image-" + "a".repeat(65),
    "image-abcd-1234",
  ]) {
    rejects(checkImageId(bad), "sourceImageId", /image id/);
  }
  rejects(checkImageId(123), "sourceImageId", /string/);
  rejects(checkImageId(["image-abcd1234"]), "sourceImageId", /array/);
});

test("regions: lowercase words joined by '-'; required or optional", () => {
  for (const ok of ["cn-beijing", "cn-shanghai", "ap-southeast-1", "cn-beijing-autodriving", "cn-changsha-sdv"]) {
    assert.equal(checkRegion(ok, "destinationRegion", true), undefined, ok);
  }
  assert.equal(checkRegion(UNKNOWN, "destinationRegion", true), undefined);
  rejects(checkRegion(undefined, "destinationRegion", true), "destinationRegion", /required/);
  rejects(checkRegion("", "sourceRegion", true), "sourceRegion", /required/);
  assert.equal(checkRegion(undefined, "sourceRegion", false), undefined);
  for (const bad of ["cnbeijing", "CN-BEIJING", "cn_beijing", "cn-", "-cn-beijing", "cn-beijing ", "c-beijing", "cn-a-b-c-d-e", "cn-北京"]) {
    rejects(checkRegion(bad, "destinationRegion", true), "destinationRegion", /region id/);
  }
  rejects(checkRegion(5, "sourceRegion", false), "sourceRegion", /string/);
});

test("projectName: optional, 1-64 of letters, digits, _ - .", () => {
  assert.equal(checkProjectName(undefined), undefined);
  assert.equal(checkProjectName("default"), undefined);
  assert.equal(checkProjectName("a".repeat(64)), undefined);
  assert.equal(checkProjectName("Team_A-1.x"), undefined);
  assert.equal(checkProjectName(UNKNOWN), undefined);
  for (const bad of ["", "a".repeat(65), "a b", "项目", "a/b"]) rejects(checkProjectName(bad), "projectName", /64/);
  rejects(checkProjectName(null), "projectName", /string/);
});

test("booleans", () => {
  assert.equal(checkBoolean(true, "copyImageTags"), undefined);
  assert.equal(checkBoolean(false, "copyImageTags"), undefined);
  assert.equal(checkBoolean(undefined, "copyImageTags"), undefined);
  for (const bad of ["true", 1, 0, null, {}]) rejects(checkBoolean(bad, "copyImageTags"), "copyImageTags", /true or false/);
});

test("tags: accepted shapes and values", () => {
  assert.deepEqual(checkTags(undefined), []);
  assert.deepEqual(checkTags(UNKNOWN), []);
  assert.deepEqual(checkTags({}), []);
  assert.deepEqual(checkTags({ env: "prod", "team name": "a b", "k_.:/=+-@": "v_.:/=+-@", 标签: "值", x: "" }), []);
  assert.deepEqual(checkTags({ ["k".repeat(LIMITS.tagKeyMax)]: "v".repeat(LIMITS.tagValueMax) }), []);
  assert.deepEqual(checkTags({ ["镜".repeat(128)]: "值".repeat(256) }), [], "limits count characters, not bytes");
  assert.deepEqual(checkTags({ a: UNKNOWN }), [], "an unknown value is checked later");
});

test("tags: not a map", () => {
  for (const bad of [[], "a=b", 5, null, true]) {
    const fs = checkTags(bad);
    assert.equal(fs.length, 1);
    assert.equal(fs[0].property, "tags");
    assert.match(fs[0].reason, /^tags must be a map/);
  }
});

test("tags: reserved prefixes volc: and sys: in any letter case", () => {
  for (const key of ["volc:x", "VOLC:x", "Volc:x", "sys:x", "SYS:x", "sYs:", "volc:"]) {
    const fs = checkTags({ [key]: "v" });
    assert.equal(fs.length, 1, key);
    assert.equal(fs[0].property, `tags.${key}`);
    assert.match(fs[0].reason, /volc:.*sys:/);
  }
  assert.deepEqual(checkTags({ "volcx:a": "v", "system:a": "v", "my-volc:a": "v" }), [], "only the prefix is reserved");
});

test("tags: key length 1-128, value length up to 256", () => {
  const long = "k".repeat(129);
  let fs = checkTags({ [long]: "v" });
  assert.equal(fs.length, 1);
  assert.equal(fs[0].property, `tags.${long}`);
  assert.match(fs[0].reason, /tag key .*128.*129/);
  fs = checkTags({ "": "v" });
  assert.equal(fs.length, 1);
  assert.equal(fs[0].property, "tags.");
  assert.match(fs[0].reason, /tag key .*got 0/);
  fs = checkTags({ k: "v".repeat(257) });
  assert.equal(fs.length, 1);
  assert.equal(fs[0].property, "tags.k");
  assert.match(fs[0].reason, /tag value .*256.*257/);
  fs = checkTags({ k: 5 });
  assert.equal(fs[0].property, "tags.k");
  assert.match(fs[0].reason, /tag value must be a string, got number/);
});

test("tags: characters outside letters, digits, spaces and _ . : / = + - @ rejected in keys and values", () => {
  for (const bad of ["a!", "a#", "a\n", "a\u0000", `a${EMOJI}`, "a,b", "a\ud800"]) {
    const k = checkTags({ [bad]: "v" });
    assert.equal(k.length, 1, JSON.stringify(bad));
    assert.equal(k[0].property, `tags.${bad}`);
    assert.match(k[0].reason, /tag key/);
    const v = checkTags({ k: bad });
    assert.equal(v.length, 1, JSON.stringify(bad));
    assert.equal(v[0].property, "tags.k");
    assert.match(v[0].reason, /tag value/);
    assert.ok(isWellFormed(k[0].reason) && isWellFormed(v[0].reason));
  }
});

test("tags: at most 50 per image, minus the keys the provider reserves; reserved keys rejected", () => {
  const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
  assert.deepEqual(checkTags(tags(50)), []);
  let fs = checkTags(tags(51));
  assert.equal(fs.length, 1);
  assert.equal(fs[0].property, "tags");
  assert.match(fs[0].reason, /^tags has 51 tags; .*at most 50/);
  const reserved = ["owner:key"];
  assert.deepEqual(checkTags(tags(49), "tags", reserved), []);
  fs = checkTags(tags(50), "tags", reserved);
  assert.equal(fs.length, 1);
  assert.match(fs[0].reason, /tags has 50 tags.*1 the provider uses itself/);
  fs = checkTags({ "owner:key": "x" }, "tags", reserved);
  assert.equal(fs.length, 1);
  assert.equal(fs[0].property, "tags.owner:key");
  assert.match(fs[0].reason, /reserved by the provider/);
});

test("imageNamePrefix: turns any resource name into a prefix that, with a 7-character suffix, is a valid image name", () => {
  assert.equal(imageNamePrefix("web", 8), "web");
  assert.equal(imageNamePrefix("my image!", 8), "my-image-");
  assert.equal(imageNamePrefix("1st", 8), "img-1st");
  assert.equal(imageNamePrefix("", 8), "img-");
  assert.equal(imageNamePrefix("镜像", 8), "镜像");
  assert.equal(charLength(imageNamePrefix("a".repeat(500), 8)), 120);
  assert.equal(charLength(imageNamePrefix(HAN.repeat(500), 8)), 120, "cut by characters");

  // Deterministic pseudo-random names over a hostile alphabet.
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pieces = [
    "a",
    "Z",
    "0",
    "_",
    "-",
    ".",
    " ",
    "/",
    "镜",
    "𠀀",
    EMOJI,
    "\u0000",
    "\n",
    "\ud800",
    "\udfff",
    "é",
    "e\u0301",
    "٣",
    "ß",
    "İ",
    "\u200b",
    "\ufeff",
    "%",
    "𝒜",
  ];
  for (let i = 0; i < 3000; i++) {
    const len = Math.floor(rand() * (i % 10 === 0 ? 400 : 20));
    let name = "";
    for (let j = 0; j < len; j++) name += pieces[Math.floor(rand() * pieces.length)];
    const full = `${imageNamePrefix(name, 8)}-abcdef1`;
    assert.equal(checkImageName(full), undefined, `prefix of ${JSON.stringify(name)} gives invalid ${JSON.stringify(full)}`);
  }
});

// ------------------------------------------------------------------ every message states the whole rule

test("an id that breaks the rule is told the whole rule, length included, and what it gets wrong", () => {
  const whole = /the whole rule: "image-" followed by 4 to 64 lowercase letters or digits/;
  const f = checkImageId("image-abc");
  rejects(f, "sourceImageId", whole);
  assert.match(f!.reason, /it has 3 characters after "image-"/);
  rejects(checkImageId("image-" + "a".repeat(65)), "sourceImageId", /it has 65 characters after "image-"/);
  rejects(checkImageId("image-ABCD1234", "adoptImageId"), "adoptImageId", /other characters than lowercase letters and digits/);
  rejects(checkImageId("img-abcd1234"), "sourceImageId", /does not start with "image-"/);
  for (const bad of ["image-abc", "image-ABCD1234", "img-abcd1234"]) assert.ok(checkImageId(bad)!.reason.includes(RULES.imageId), bad);
});

test("name, description, region, project and tag messages each state their whole rule, whichever part is broken", () => {
  const cases: [Failure | undefined, string, RegExp][] = [
    [checkImageName(""), RULES.imageName, /got 0/],
    [checkImageName("a".repeat(129)), RULES.imageName, /got 129/],
    [checkImageName("1abc"), RULES.imageName, /"1abc" must start with a letter/],
    [checkImageName("ab c"), RULES.imageName, /"ab c" has a character outside the rule/],
    [checkDescription("a".repeat(256)), RULES.description, /got 256/],
    [checkDescription("a@b"), RULES.description, /"a@b" has a character outside the rule/],
    [checkRegion("Shanghai", "destinationRegion", true), RULES.region, /Shanghai/],
    [checkProjectName("a b"), RULES.project, /"a b"/],
  ];
  for (const [f, rule, what] of cases) {
    assert.ok(f, `expected a failure for ${rule}`);
    assert.ok(f.reason.includes(rule), `${f.reason} should state ${rule}`);
    assert.match(f.reason, what);
  }
  assert.match(RULES.imageName, /1 to 128 characters/);
  assert.match(RULES.description, /at most 255 characters/);
  for (const [tags, rule] of [
    [{ ["k".repeat(129)]: "v" }, RULES.tagKey],
    [{ "volc:x": "v" }, RULES.tagKey],
    [{ "a#b": "v" }, RULES.tagKey],
    [{ k: "v".repeat(257) }, RULES.tagValue],
    [{ k: "a#b" }, RULES.tagValue],
  ] as const) {
    const fs = checkTags(tags);
    assert.equal(fs.length, 1, JSON.stringify(tags));
    assert.ok(fs[0]!.reason.includes(rule), `${fs[0]!.reason} should state ${rule}`);
  }
  assert.match(RULES.tagKey, /1 to 128 characters/);
  assert.match(RULES.tagValue, /at most 256 characters/);
});
