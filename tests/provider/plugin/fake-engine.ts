// A gRPC Engine service in the test process: what the Pulumi engine serves on the address it passes
// to a plugin. It records the Log calls (messages on a resource's row).
import { grpc, emptyPb, pulumiDir } from "../../../kit/plugin/protos";

const engineGrpcPb = require(require.resolve("@pulumi/pulumi/proto/engine_grpc_pb", { paths: [pulumiDir] }));

export interface LogCall {
  severity: number;
  message: string;
  urn: string;
  ephemeral: boolean;
}

export interface FakeEngine {
  address: string;
  received: LogCall[];
  stop(): Promise<void>;
}

export async function startFakeEngine(): Promise<FakeEngine> {
  const server = new grpc.Server();
  const received: LogCall[] = [];
  server.addService(engineGrpcPb.EngineService, {
    log(call: any, callback: (err: null, res: unknown) => void) {
      const r = call.request;
      received.push({ severity: r.getSeverity(), message: r.getMessage(), urn: r.getUrn(), ephemeral: r.getEphemeral() });
      callback(null, new emptyPb.Empty());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, received, stop: async () => server.forceShutdown() };
}
