// Drives the SDK's own dynamic-provider plugin (`@pulumi/pulumi/cmd/dynamic-provider`) over gRPC the
// way the Pulumi engine does, without the Pulumi CLI. Used by the engine-path tests (tests/harness
// documents the plugin's behaviour) and by `npm run bench`.
//
//   const reg = await captureRegistration(() => new MyResource("r", args));   // what the SDK sends
//   const plugin = await startPlugin({ cwd: repoRoot });
//   try {
//     await plugin.configure({ "volcengine:region": "cn-beijing", "volcengine:secretKey": { secret: "s" } });
//     const checked = await plugin.check(urn, {}, reg.inputs);
//     const created = await plugin.create(urn, checked.inputs);
//   } finally {
//     await plugin.stop();
//   }
//
//   process.ts   starting the plugin process, its log lines, its gRPC client; no orphaned plugins
//   calls.ts     the engine-facing calls (Configure, Check, Diff, Create, Read, Update, Delete, ...)
//   capture.ts   what the SDK registers for a dynamic resource; serializing a provider
//   values.ts    Structs, secret envelopes, UNKNOWN, URNs
//   front-end.ts the package's own provider plugin as the other front end (`startPlugin({frontEnd: "plugin"})`)
//   protos.ts    gRPC and the generated protobuf modules, from @pulumi/pulumi's own directory
export { startPlugin } from "./process";
export { FRONT_ENDS, FRONT_END_VAR, frontEndUnderTest, pluginUrn, type FrontEnd } from "./front-end";
export { PluginCallError } from "./calls";
export { captureRegistration, serializeProviderText, type Registration } from "./capture";
export { UNKNOWN, SECRET_SIG, SECRET_SIG_KEY, isSecretEnvelope, stripSecrets, toStruct, urnFor } from "./values";
export type { CheckResult, DiffResult, EngineCalls, InitFailure, PluginExit, PluginLogLine, PluginProcess } from "./types";
