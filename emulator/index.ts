// Local emulator of the Volcengine ECS OpenAPI subset used by the CopiedImage provider
// (CopyImage, DescribeTasks, DescribeImages, DeleteImages, ModifyImageAttribute, TagResources,
// UntagResources). Shares no code with provider/ on purpose. See emulator/README.md.
export type {
  EmulatorAccount, SeedImage, Seed, EmulatorOptions, RequestLogEntry, FaultKind, Fault, EmulatorHandle, EmulatorImage, EmulatorTask,
} from "./types";
export { DEFAULT_ACCOUNT } from "./model";
export { startEmulator } from "./server";
