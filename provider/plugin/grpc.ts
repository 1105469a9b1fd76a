/**
 * gRPC and the generated Pulumi protobuf modules, loaded from @pulumi/pulumi's own directory so that
 * messages, credentials and the server are one copy (two copies of `@grpc/grpc-js` or
 * `google-protobuf` make messages of one unusable with the other). Types come from the `.d.ts` files
 * the SDK ships; `import type` keeps them compile-time only.
 */
import { dirname } from "node:path";
import type * as GrpcModule from "@grpc/grpc-js";
import type * as StructPbModule from "google-protobuf/google/protobuf/struct_pb";
import type * as EmptyPbModule from "google-protobuf/google/protobuf/empty_pb";
import type * as AnyPbModule from "google-protobuf/google/protobuf/any_pb";
import type * as ProviderPbModule from "@pulumi/pulumi/proto/provider_pb";
import type * as ProviderGrpcPbModule from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as PluginPbModule from "@pulumi/pulumi/proto/plugin_pb";
import type * as StatusPbModule from "@pulumi/pulumi/proto/status_pb";

/** Directory of the installed @pulumi/pulumi package. */
export const pulumiDir = dirname(require.resolve("@pulumi/pulumi/package.json"));
function fromPulumi<T>(request: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve(request, { paths: [pulumiDir] })) as T;
}

export const grpc = fromPulumi<typeof GrpcModule>("@grpc/grpc-js");
export const structPb = fromPulumi<typeof StructPbModule>("google-protobuf/google/protobuf/struct_pb");
export const emptyPb = fromPulumi<typeof EmptyPbModule>("google-protobuf/google/protobuf/empty_pb");
export const anyPb = fromPulumi<typeof AnyPbModule>("google-protobuf/google/protobuf/any_pb");
export const providerPb = fromPulumi<typeof ProviderPbModule>("@pulumi/pulumi/proto/provider_pb");
export const providerGrpcPb = fromPulumi<typeof ProviderGrpcPbModule>("@pulumi/pulumi/proto/provider_grpc_pb");
export const pluginPb = fromPulumi<typeof PluginPbModule>("@pulumi/pulumi/proto/plugin_pb");
export const statusPb = fromPulumi<typeof StatusPbModule>("@pulumi/pulumi/proto/status_pb");

export type Grpc = typeof GrpcModule;
export type ServiceError = GrpcModule.ServiceError;
export type ResourceProviderClient = ProviderGrpcPbModule.ResourceProviderClient;
export type Struct = StructPbModule.Struct;
export type ProviderServer = ProviderGrpcPbModule.IResourceProviderServer;
export type ProviderPb = typeof ProviderPbModule;
