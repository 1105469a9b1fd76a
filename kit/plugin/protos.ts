// gRPC and the generated Pulumi protobuf modules, one copy of each, resolved from @pulumi/pulumi's own
// directory: the provider plugin loads them the same way (provider/plugin/grpc.ts says why), and the
// drivers here must hand it messages of the same copies.
export {
  pulumiDir,
  grpc,
  structPb,
  emptyPb,
  anyPb,
  providerPb,
  providerGrpcPb,
  pluginPb,
  statusPb,
  type Grpc,
  type ServiceError,
  type ResourceProviderClient,
  type Struct,
} from "../../provider/plugin/grpc";
