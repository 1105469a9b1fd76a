/**
 * The plugin's gRPC server: `pulumirpc.ResourceProvider` over the SDK's generated code, each RPC a
 * thin translation to `CopiedImageResource` (resource.ts). Choices the engine reads:
 * - Configure answers acceptSecrets=false: the engine then sends plain values (no secret wrappers
 *   reach Volcengine) and marks as secret every output whose input was (`annotateSecrets`,
 *   pkg/resource/plugin/provider_plugin.go); supportsPreview=false: a preview calls neither Create
 *   nor Update.
 * - Errors carrying an id and properties (partial states: a copy that exists) become the engine's
 *   ErrorResourceInitFailed detail, so the copy is recorded; a bad import id is INVALID_ARGUMENT.
 * Methods not served (Handshake, Invoke, Construct, ...) answer UNIMPLEMENTED (grpc-js's default).
 */
import type * as ProviderPbTypes from "@pulumi/pulumi/proto/provider_pb";
import type { ServerUnaryCall, sendUnaryData } from "@grpc/grpc-js";
import { anyPb, emptyPb, grpc, pluginPb, providerPb, statusPb, structPb, type ProviderServer, type Struct } from "./grpc";
import { withoutUndefined } from "../operations/model";
import type { CopiedImageResource } from "./resource";
import { PluginConfig } from "./config";
import { ImportIdError } from "./import-id";
import { RESOURCE_TOKEN } from "./names";

type Props = Record<string, unknown>;

export interface ServerParts {
  resource: CopiedImageResource;
  config: PluginConfig;
  version: string;
  schema: () => string;
  /** The engine's Cancel: abort the operations in flight. */
  cancel: () => void;
  /** Runs each Create/Read/Update/Delete (counted in flight; messages flushed at the end). */
  operation: <T>(run: () => Promise<T>) => Promise<T>;
}

/** Plain values from a Struct: any secret wrapper is unwrapped (the engine sends none to this plugin). */
export function fromStruct(s: Struct | undefined): Props {
  return unwrapSecrets(s?.toJavaScript() ?? {}) as Props;
}

function unwrapSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (typeof v !== "object" || v === null) return v;
  const o = v as Props;
  if (o["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") return unwrapSecrets(o.value);
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrapSecrets(x)]));
}

function toStruct(props: object): Struct {
  return structPb.Struct.fromJavaScript(withoutUndefined(props) as Parameters<typeof structPb.Struct.fromJavaScript>[0]);
}

/** The gRPC error for a failed operation. */
export function grpcError(e: unknown): Partial<import("@grpc/grpc-js").StatusObject> {
  const err = e instanceof Error ? e : new Error(String(e));
  const partial = err as Error & { id?: unknown; properties?: Props; reasons?: string[] };
  const code = err instanceof ImportIdError ? grpc.status.INVALID_ARGUMENT : grpc.status.UNKNOWN;
  const metadata = new grpc.Metadata();
  if (typeof partial.id === "string" && partial.id !== "") {
    const detail = new providerPb.ErrorResourceInitFailed();
    detail.setId(partial.id);
    detail.setProperties(toStruct(partial.properties ?? {}));
    detail.setReasonsList(partial.reasons ?? [err.message]);
    const any = new anyPb.Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new statusPb.Status();
    status.setCode(code);
    status.setMessage(err.message);
    status.addDetails(any);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return { code, details: err.message, metadata };
}

function unary<Req, Res>(handle: (req: Req) => Promise<Res> | Res) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    Promise.resolve()
      .then(() => handle(call.request))
      .then(
        (res) => callback(null, res),
        (e: unknown) => callback(grpcError(e)),
      );
  };
}

function checkType(type: string): void {
  if (type !== "" && type !== RESOURCE_TOKEN) throw new Error(`unknown resource type ${type}: this plugin serves ${RESOURCE_TOKEN} only.`);
}

export function providerService(p: ServerParts): Partial<ProviderServer> {
  const P = providerPb;
  return {
    getPluginInfo: unary(() => new pluginPb.PluginInfo().setVersion(p.version)),
    getSchema: unary(() => new P.GetSchemaResponse().setSchema(p.schema())),
    checkConfig: unary((req: ProviderPbTypes.CheckRequest) => {
      // Configuration is read in Configure; here only whether it makes sense.
      const res = new P.CheckResponse().setInputs(req.getNews());
      const probe = new PluginConfig();
      probe.configure([], fromStruct(req.getNews()));
      try {
        probe.settings();
      } catch (e) {
        res.addFailures(new P.CheckFailure().setProperty("").setReason((e as Error).message));
      }
      return res;
    }),
    diffConfig: unary((req: ProviderPbTypes.DiffRequest) => {
      const same = JSON.stringify(fromStruct(req.getOldInputs() ?? req.getOlds())) === JSON.stringify(fromStruct(req.getNews()));
      return new P.DiffResponse().setChanges(same ? P.DiffResponse.DiffChanges.DIFF_NONE : P.DiffResponse.DiffChanges.DIFF_SOME);
    }),
    configure: unary((req: ProviderPbTypes.ConfigureRequest) => {
      const variables: [string, string][] = [];
      req.getVariablesMap().forEach((v, k) => variables.push([k, v]));
      p.config.configure(variables, fromStruct(req.getArgs()));
      return new P.ConfigureResponse().setAcceptsecrets(false).setSupportspreview(false).setAcceptresources(false);
    }),
    check: unary(async (req: ProviderPbTypes.CheckRequest) => {
      checkType(req.getType());
      const r = await p.resource.check(req.getUrn(), fromStruct(req.getOlds()), fromStruct(req.getNews()));
      const res = new P.CheckResponse().setInputs(toStruct(r.inputs));
      for (const f of r.failures) res.addFailures(new P.CheckFailure().setProperty(f.property).setReason(f.reason));
      return res;
    }),
    diff: unary((req: ProviderPbTypes.DiffRequest) => {
      const olds = fromStruct(req.getOlds());
      const news = fromStruct(req.getNews());
      const d = p.resource.diff(req.getId(), olds, news);
      const changed = Object.keys({ ...olds, ...news }).filter(
        (k) => k in news && !k.startsWith("__") && JSON.stringify(olds[k]) !== JSON.stringify(news[k]),
      );
      return new P.DiffResponse()
        .setChanges(d.changes ? P.DiffResponse.DiffChanges.DIFF_SOME : P.DiffResponse.DiffChanges.DIFF_NONE)
        .setReplacesList(d.replaces)
        .setDiffsList(d.changes ? [...new Set([...d.replaces, ...changed])] : [])
        .setDeletebeforereplace(d.deleteBeforeReplace);
    }),
    create: unary((req: ProviderPbTypes.CreateRequest) =>
      p.operation(async () => {
        checkType(req.getType());
        const { id, outs } = await p.resource.create(req.getUrn(), req.getName(), fromStruct(req.getProperties()), req.getTimeout());
        return new P.CreateResponse().setId(id).setProperties(toStruct(outs));
      }),
    ),
    read: unary((req: ProviderPbTypes.ReadRequest) =>
      p.operation(async () => {
        const r = await p.resource.read(req.getId(), req.getUrn(), fromStruct(req.getProperties()), fromStruct(req.getInputs()));
        const res = new P.ReadResponse().setId(r.id ?? "");
        if (r.outs) res.setProperties(toStruct(r.outs));
        if (r.outs && r.inputs && Object.keys(r.inputs).length > 0) res.setInputs(toStruct(r.inputs));
        return res;
      }),
    ),
    update: unary((req: ProviderPbTypes.UpdateRequest) =>
      p.operation(async () => {
        const { outs } = await p.resource.update(
          req.getId(),
          req.getUrn(),
          req.getName(),
          fromStruct(req.getOlds()),
          fromStruct(req.getNews()),
          req.getTimeout(),
        );
        return new P.UpdateResponse().setProperties(toStruct(outs));
      }),
    ),
    delete: unary((req: ProviderPbTypes.DeleteRequest) =>
      p.operation(async () => {
        await p.resource.delete(req.getId(), req.getUrn(), req.getName(), fromStruct(req.getProperties()), req.getTimeout());
        return new emptyPb.Empty();
      }),
    ),
    cancel: unary(() => {
      p.cancel();
      return new emptyPb.Empty();
    }),
  };
}
