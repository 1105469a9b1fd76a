// CopiedImageSet under pulumi.runtime.setMocks: the children it registers (names, types, parents,
// inputs, options), the imageIds map, the maxCopiesInFlight lanes (as dependencies in the
// RegisterResource requests and as observed concurrency), validation, and URN stability when the
// region list changes.
//
// Self-contained: mocks are process-global, so this file installs its own for every build and runs
// its tests one after another (node:test's default within a file). It does not use the harness's
// captureRegistration.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { CopiedImage } from "../../../provider/dynamic/copied-image";
import { CopiedImageSet, copyLanes, COPIED_IMAGE_SET_TYPE, type CopiedImageSetArgs } from "../../../provider/dynamic/copied-image-set";

const PROJECT = "proj";
const STACK = "dev";
const CHILD_TYPE = "pulumi-nodejs:dynamic/volcengine:CopiedImage";
const SOURCE_IMAGE = "image-sourcebeijing000001";

/** One RegisterResource request as the (mock) engine received it. */
interface Seen {
  type: string;
  name: string;
  custom: boolean;
  urn?: string;
  parent: string;
  dependencies: string[];
  customTimeouts?: { create: string; update: string; delete: string };
  retainOnDelete?: boolean;
  ignoreChanges: string[];
}

interface MockRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getParent(): string;
  getDependenciesList(): string[];
  getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
  getRetainondelete(): boolean | undefined;
  getIgnorechangesList(): string[];
}
type Callback = (err: unknown, res?: { getUrn(): string }) => void;
interface Monitor {
  registerResource(req: MockRequest, cb: Callback): unknown;
}

const mockImageId = (name: string) => `image-mock-${name}`;

/**
 * Install fresh mocks, run `build`, wait for every registration. The mock monitor is wrapped so that
 * the parts of the request that MockResourceArgs does not expose (parent, dependencies, options) are
 * recorded too. `copyMs`: how long a mock "create" of a CopiedImage takes; `inFlight` tracks the
 * maximum number of creates running at once.
 */
async function run<T>(build: () => T, opts: { copyMs?: number } = {}) {
  const seen: Seen[] = [];
  const inFlight = { now: 0, max: 0 };
  const inputs = new Map<string, Record<string, unknown>>();
  await pulumi.runtime.setMocks(
    {
      async newResource(args) {
        inputs.set(args.name, args.inputs as Record<string, unknown>);
        if (!args.custom) return { id: undefined, state: {} };
        inFlight.now++;
        inFlight.max = Math.max(inFlight.max, inFlight.now);
        if (opts.copyMs) await new Promise((r) => setTimeout(r, opts.copyMs));
        inFlight.now--;
        const id = mockImageId(args.name);
        return { id, state: { ...args.inputs, imageId: id, status: "available" } };
      },
      call: (args) => args.inputs,
    },
    PROJECT,
    STACK,
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const t = req.getCustomtimeouts();
    const entry: Seen = {
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      parent: req.getParent(),
      dependencies: [...req.getDependenciesList()].sort(),
      customTimeouts: t ? { create: t.getCreate(), update: t.getUpdate(), delete: t.getDelete() } : undefined,
      retainOnDelete: req.getRetainondelete(),
      ignoreChanges: req.getIgnorechangesList(),
    };
    seen.push(entry);
    return original(req, (err, res) => {
      if (res) entry.urn = res.getUrn();
      cb(err, res);
    });
  };
  const result = build();
  const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs: () => Promise<void> }).waitForRPCs;
  await waitForRPCs();
  return { result, seen, children: seen.filter((s) => s.custom), inFlight, inputs };
}

/** The value of an output (resolved under mocks). */
function value<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

const setUrn = (name: string) => `urn:pulumi:${STACK}::${PROJECT}::${COPIED_IMAGE_SET_TYPE}::${name}`;
const childUrn = (set: string, region: string) => `urn:pulumi:${STACK}::${PROJECT}::${COPIED_IMAGE_SET_TYPE}$${CHILD_TYPE}::${set}-${region}`;

test("one CopiedImage child per region, named <set>-<region>, parented to the set", async () => {
  const regions = ["cn-shanghai", "cn-guangzhou", "ap-southeast-1"];
  const { result: set, seen, children } = await run(() => new CopiedImageSet("web", { sourceImageId: SOURCE_IMAGE, destinationRegions: regions }));

  const component = seen.filter((s) => !s.custom);
  assert.deepEqual(
    component.map((s) => [s.type, s.name, s.urn]),
    [[COPIED_IMAGE_SET_TYPE, "web", setUrn("web")]],
  );
  assert.equal(await value(set.urn), setUrn("web"));

  assert.equal(children.length, 3);
  assert.deepEqual(
    children.map((c) => c.name),
    regions.map((r) => `web-${r}`),
  );
  for (const c of children) {
    assert.equal(c.type, CHILD_TYPE);
    assert.equal(c.parent, setUrn("web"));
  }
  assert.deepEqual(
    children.map((c) => c.urn),
    regions.map((r) => childUrn("web", r)),
  );

  assert.deepEqual(Object.keys(set.images), regions);
  for (const r of regions) {
    assert.ok(set.images[r] instanceof CopiedImage);
    assert.equal(await value(set.images[r]!.urn), childUrn("web", r));
  }
  assert.deepEqual(set.destinationRegions, regions);
});

test("inputs and options are passed through to every child", async () => {
  const args: CopiedImageSetArgs = {
    sourceImageId: pulumi.output(SOURCE_IMAGE), // an Output works like a plain value
    sourceRegion: "cn-beijing",
    destinationRegions: ["cn-shanghai", "cn-guangzhou"],
    imageName: "web-golden",
    description: "Web tier",
    copyImageTags: true,
    projectName: "platform",
    tags: { team: "web", env: pulumi.output("prod") },
  };
  const { result: set, children } = await run(
    () =>
      new CopiedImageSet("web", args, {
        customTimeouts: { create: "90m", update: "45m", delete: "10m" },
        retainOnDelete: true,
        ignoreChanges: ["description"],
      }),
  );
  for (const [i, region] of ["cn-shanghai", "cn-guangzhou"].entries()) {
    const child = set.images[region]!;
    assert.equal(await value(child.sourceImageId), SOURCE_IMAGE);
    assert.equal(await value(child.sourceRegion), "cn-beijing");
    assert.equal(await value(child.destinationRegion), region);
    assert.equal(await value(child.imageName), "web-golden", "every copy gets the same name");
    assert.equal(await value(child.description), "Web tier");
    assert.equal(await value(child.copyImageTags), true);
    assert.equal(await value(child.projectName), "platform");
    assert.deepEqual(await value(child.tags), { team: "web", env: "prod" });
    // The timeouts reach the provider (through __meta) and the engine (the resource option).
    const meta = (await value((child as unknown as { __meta: pulumi.Output<Record<string, unknown>> }).__meta)) as Record<string, unknown>;
    assert.deepEqual(meta.timeouts, { create: "90m", update: "45m", delete: "10m" });
    assert.equal(meta.resourceName, `web-${region}`);
    assert.equal(meta.identity, `${PROJECT}/${STACK}/web-${region}`);
    const req = children[i]!;
    assert.deepEqual(req.customTimeouts, { create: "90m", update: "45m", delete: "10m" });
    assert.equal(req.retainOnDelete, true);
    assert.deepEqual(req.ignoreChanges, ["description"]);
  }
});

test("without imageName each child names itself (no imageName input), without options nothing is forced", async () => {
  const {
    result: set,
    children,
    inputs,
  } = await run(() => new CopiedImageSet("web", { sourceImageId: SOURCE_IMAGE, destinationRegions: ["cn-shanghai"] }));
  const child = set.images["cn-shanghai"]!;
  // Only the given inputs are sent (the provider generates the name)...
  const sent = inputs.get("web-cn-shanghai")!;
  assert.deepEqual(
    Object.keys(sent)
      .filter((k) => !k.startsWith("__"))
      .sort(),
    ["destinationRegion", "sourceImageId"],
  );
  // ...yet every declared property of the child is an Output (the provider's values land there).
  for (const key of ["imageName", "sourceRegion", "description", "copyImageTags", "projectName", "tags", "imageId", "status"] as const) {
    assert.ok(pulumi.Output.isInstance(child[key]), `images[r].${key} is an Output`);
  }
  assert.equal(await value(child.imageName), undefined, "the mock echoes inputs only: no name given");
  const meta = (await value((child as unknown as { __meta: pulumi.Output<Record<string, unknown>> }).__meta)) as Record<string, unknown>;
  assert.equal(meta.timeouts, undefined);
  assert.deepEqual(children[0]!.customTimeouts, { create: "", update: "", delete: "" }, "the SDK sends empty timeouts");
  assert.notEqual(children[0]!.retainOnDelete, true);
  assert.deepEqual(children[0]!.dependencies, []);
});

test("imageIds maps each region to its copy's id", async () => {
  const regions = ["cn-shanghai", "cn-guangzhou", "cn-hongkong"];
  const { result: set } = await run(() => new CopiedImageSet("img", { sourceImageId: SOURCE_IMAGE, destinationRegions: regions }));
  assert.deepEqual(await value(set.imageIds), Object.fromEntries(regions.map((r) => [r, mockImageId(`img-${r}`)])));
});

test("copyLanes: region i waits for region i - cap", () => {
  const five = ["r-a", "r-b", "r-c", "r-d", "r-e"];
  assert.deepEqual(copyLanes(five, 2), [undefined, undefined, "r-a", "r-b", "r-c"]);
  assert.deepEqual(copyLanes(five, 1), [undefined, "r-a", "r-b", "r-c", "r-d"]);
  assert.deepEqual(copyLanes(five, 5), [undefined, undefined, undefined, undefined, undefined]);
  assert.deepEqual(copyLanes(five, 9), [undefined, undefined, undefined, undefined, undefined]);
  assert.deepEqual(copyLanes(five), [undefined, undefined, undefined, undefined, undefined]);
});

const FIVE = ["cn-shanghai", "cn-guangzhou", "cn-hongkong", "ap-southeast-1", "ap-southeast-3"];

test("maxCopiesInFlight 2 over 5 regions: the registered dependencies form two lanes", async () => {
  const { children } = await run(() => new CopiedImageSet("web", { sourceImageId: SOURCE_IMAGE, destinationRegions: FIVE, maxCopiesInFlight: 2 }));
  const deps = Object.fromEntries(children.map((c) => [c.name, c.dependencies]));
  assert.deepEqual(deps, {
    "web-cn-shanghai": [],
    "web-cn-guangzhou": [],
    "web-cn-hongkong": [childUrn("web", "cn-shanghai")],
    "web-ap-southeast-1": [childUrn("web", "cn-guangzhou")],
    "web-ap-southeast-3": [childUrn("web", "cn-hongkong")],
  });
});

test("maxCopiesInFlight 2: at most two mock copies run at once; without a cap all five do", async () => {
  const capped = await run(() => new CopiedImageSet("web", { sourceImageId: SOURCE_IMAGE, destinationRegions: FIVE, maxCopiesInFlight: 2 }), {
    copyMs: 250,
  });
  assert.equal(capped.inFlight.max, 2);
  assert.equal(capped.children.length, 5);
  const free = await run(() => new CopiedImageSet("web", { sourceImageId: SOURCE_IMAGE, destinationRegions: FIVE }), { copyMs: 250 });
  assert.equal(free.inFlight.max, 5);
  assert.ok(free.children.every((c) => c.dependencies.length === 0));
});

test("invalid arguments throw a ResourceError naming the argument and the rule, before anything is registered", async () => {
  const base = { sourceImageId: SOURCE_IMAGE };
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["empty list", { destinationRegions: [] }, /destinationRegions must list at least one region/],
    ["missing list", {}, /destinationRegions must be a plain array .* got undefined/],
    ["an Output", { destinationRegions: pulumi.output(["cn-shanghai"]) }, /destinationRegions must be a plain array .*not an Output.* got an Output/],
    [
      "duplicate",
      { destinationRegions: ["cn-shanghai", "cn-guangzhou", "cn-shanghai"] },
      /destinationRegions\[2\] "cn-shanghai" is listed twice; each region may appear once/,
    ],
    [
      "the source region",
      { sourceRegion: "cn-beijing", destinationRegions: ["cn-shanghai", "cn-beijing"] },
      /destinationRegions\[1\] "cn-beijing" is the sourceRegion/,
    ],
    ["not a region", { destinationRegions: ["cn-shanghai", "Shanghai"] }, /destinationRegions\[1\] "Shanghai" is not a region id/],
    ["an empty region", { destinationRegions: [""] }, /destinationRegions\[0\] is required/],
    ["cap 0", { destinationRegions: ["cn-shanghai"], maxCopiesInFlight: 0 }, /maxCopiesInFlight must be a positive integer \(at least 1\), got 0/],
    ["cap -1", { destinationRegions: ["cn-shanghai"], maxCopiesInFlight: -1 }, /maxCopiesInFlight must be a positive integer .* got -1/],
    ["cap 1.5", { destinationRegions: ["cn-shanghai"], maxCopiesInFlight: 1.5 }, /maxCopiesInFlight must be a positive integer .* got 1\.5/],
    ["cap NaN", { destinationRegions: ["cn-shanghai"], maxCopiesInFlight: Number.NaN }, /maxCopiesInFlight must be a positive integer .* got NaN/],
    ["cap as text", { destinationRegions: ["cn-shanghai"], maxCopiesInFlight: "2" }, /maxCopiesInFlight must be a positive integer .* got "2"/],
  ];
  for (const [label, extra, message] of cases) {
    const { seen } = await run(() =>
      assert.throws(
        () => new CopiedImageSet("bad", { ...base, ...extra } as unknown as CopiedImageSetArgs),
        (e: unknown) => {
          assert.ok(e instanceof pulumi.ResourceError, `${label}: a ResourceError`);
          assert.match((e as Error).message, /^CopiedImageSet "bad": /, label);
          assert.match((e as Error).message, message, label);
          return true;
        },
        label,
      ),
    );
    assert.deepEqual(seen, [], `${label}: nothing registered`);
  }
  // A sourceRegion known only later cannot be checked here (the child's check rejects it then).
  const { children } = await run(
    () => new CopiedImageSet("ok", { ...base, sourceRegion: pulumi.output("cn-beijing"), destinationRegions: ["cn-beijing"] }),
  );
  assert.equal(children.length, 1);
});

test("adding or removing a region leaves the other children's names and URNs unchanged", async () => {
  const urns = async (regions: string[], cap?: number) => {
    const { children } = await run(
      () => new CopiedImageSet("web", { sourceImageId: SOURCE_IMAGE, destinationRegions: regions, maxCopiesInFlight: cap }),
    );
    return new Map(children.map((c) => [c.name, c.urn!]));
  };
  const before = await urns(["cn-shanghai", "cn-guangzhou", "ap-southeast-1"], 2);
  // Added in the middle (lanes shift: only dependsOn edges move, which never updates or replaces).
  const added = await urns(["cn-shanghai", "cn-hongkong", "cn-guangzhou", "ap-southeast-1"], 2);
  assert.equal(added.size, 4);
  for (const [name, urn] of before) assert.equal(added.get(name), urn, `${name} kept its URN`);
  assert.equal(added.get("web-cn-hongkong"), childUrn("web", "cn-hongkong"));
  // Removed.
  const removed = await urns(["cn-shanghai", "ap-southeast-1"]);
  assert.deepEqual([...removed.keys()], ["web-cn-shanghai", "web-ap-southeast-1"]);
  for (const [name, urn] of removed) assert.equal(before.get(name), urn, `${name} kept its URN`);
});
