// The worlds of the matrix: every answer the Volcengine docs allow (emulator/README.md, "Worlds"),
// and a bad gateway while the copies run. Each world runs the focused scenario of scenario.ts.
import type { WorldSpec } from "./sim";

const JITTER = { progressJitter: 0.3, progressSeed: 7 } as const;
/** Where the checks measure simulated seconds (detection within 10 s), a slower clock: 10 s are ~330 real ms, not ~170. */
const MEASURED = { progressChecks: true, clockSpeed: 30 } as const;

export const DEFAULT_AND_PROGRESS: WorldSpec[] = [
  { name: "default", world: {}, ...MEASURED, keepSnapshotsCase: true, consoleDeleteCase: true },
  { name: "progress step (jitter 0.3)", world: { progressProfile: "step", ...JITTER }, ...MEASURED },
  { name: "progress staircase (jitter 0.3)", world: { progressProfile: "staircase", ...JITTER }, ...MEASURED },
  { name: "progress stall (jitter 0.3)", world: { progressProfile: "stall", ...JITTER }, ...MEASURED },
  { name: "progress front-loaded (jitter 0.3)", world: { progressProfile: "front-loaded", ...JITTER }, ...MEASURED },
];

export const API_READINGS: WorldSpec[] = [
  { name: "tagsOnCopyImage ignored", world: { tagsOnCopyImage: "ignored" } },
  { name: "TagResources denied (AccessDenied)", world: { deniedActions: ["TagResources"], denial: "AccessDenied" }, tagDenied: true },
  { name: "TagResources denied (LackPolicy)", world: { deniedActions: ["TagResources"], denial: "LackPolicy" }, tagDenied: true },
  // The reading where only TagResources can put tags on a copy: here a copy with tags must fail.
  {
    name: "TagResources denied (AccessDenied) + tagsOnCopyImage ignored",
    world: { deniedActions: ["TagResources"], denial: "AccessDenied", tagsOnCopyImage: "ignored" },
    tagDenied: true,
  },
  { name: "deleteBindedSnapshotsDefault false", world: { deleteBindedSnapshotsDefault: false } },
  { name: "deleteImagesSuccesses listed", world: { deleteImagesSuccesses: "listed" } },
  { name: "describeImagesUnknownId notFound", world: { describeImagesUnknownId: "notFound" }, consoleDeleteCase: true },
];

/** A bad gateway on DescribeTasks and DescribeImages while the copies run (bounded count), and during a 1-minute create timeout. */
export const BAD_GATEWAY: WorldSpec[] = [
  { name: "bad gateway: htmlBadGateway", world: {}, badGateway: { fault: "htmlBadGateway", count: 3, answered: /HTTP 502|Bad Gateway/i } },
  { name: "bad gateway: truncatedJson", world: {}, badGateway: { fault: "truncatedJson", count: 3, answered: /JSON|truncated/i } },
  { name: "bad gateway: missingResult", world: {}, badGateway: { fault: "missingResult", count: 3, answered: /\bResult\b/ } },
  {
    name: "bad gateway: wrongTypes",
    world: {},
    badGateway: {
      fault: "wrongTypes",
      count: 3,
      answered: /unexpected|wrong type|not a list|not an array|expected (a |an )?(list|array|number|string)|malformed/i,
    },
  },
  {
    name: "bad gateway: oversizedPage",
    world: {},
    // Thousands of made-up entries take real time to build and parse (100-300 ms on a busy machine): at
    // the default speed that is 10+ simulated seconds with no answer, which the wait rightly reports as a
    // gateway that does not answer. A slower clock keeps this world about what the page says.
    clockSpeed: 15,
    badGateway: { fault: "oversizedPage", count: 3, answered: /\d{4,} (entries|tasks|images)|oversized|too many|more (entries|tasks|images) than/i },
  },
  { name: "bad gateway: hang", world: {}, badGateway: { fault: "hang", count: 1, answered: /no answer|did not answer|no response|hung/i } },
];
