// Local emulator of the Volcengine ECS OpenAPI subset used by the CopiedImage provider
// (CopyImage, DescribeTasks, DescribeImages, DeleteImages, ModifyImageAttribute, TagResources,
// UntagResources). Shares no code with provider/ on purpose. See emulator/README.md.
export type {
  EmulatorAccount,
  SeedImage,
  Seed,
  EmulatorOptions,
  RequestLogEntry,
  FaultKind,
  Fault,
  EmulatorHandle,
  EmulatorImage,
  EmulatorTask,
  EmulatorSnapshot,
  World,
  ProgressProfile,
} from "./types";
export { DEFAULT_ACCOUNT } from "./state/store";
export { startEmulator } from "./http/server";
export { DEFAULT_WORLD, validateWorldPatch } from "./misbehaviour/worlds";
// Progress profiles, so tests and benchmarks can compute exact moments (every profile ends at durationMs).
export {
  PROGRESS_PROFILES,
  pendingMs,
  processAt,
  profileCurve,
  elapsedWhenProcessReaches,
  type ProgressShape,
  type ProgressJitter,
} from "./state/progress";
