// The engine-facing calls: one method per ResourceProvider RPC, built the way the Pulumi engine builds
// its requests for the dynamic-provider plugin, and the errors those calls reject with.
import type * as PluginPb from "@pulumi/pulumi/proto/plugin_pb";
import type * as ProviderPb from "@pulumi/pulumi/proto/provider_pb";
import type * as EmptyPb from "google-protobuf/google/protobuf/empty_pb";

import { emptyPb, grpc, providerPb, statusPb, type ResourceProviderClient, type ServiceError } from "./protos";
import type { DiffResult, EngineCalls, InitFailure } from "./types";
import { pluginConfigure, type FrontEnd } from "./front-end";
import { fromStruct, SECRET_SIG, SECRET_SIG_KEY, toStruct, urnParts } from "./values";

/** A failed RPC. `message` is "<method>: <details>"; `details` is the provider's error message. */
export class PluginCallError extends Error {
  readonly grpcCode: number;
  readonly details: string;
  readonly initFailure?: InitFailure;
  readonly method: string;

  constructor(method: string, grpcCode: number, details: string, initFailure?: InitFailure) {
    super(`${method}: ${details} (grpc code ${grpcCode})`);
    this.name = "PluginCallError";
    this.method = method;
    this.grpcCode = grpcCode;
    this.details = details;
    if (initFailure) this.initFailure = initFailure;
  }
}

function decodeInitFailure(err: ServiceError): InitFailure | undefined {
  const raw = err.metadata?.get("grpc-status-details-bin") ?? [];
  for (const entry of raw) {
    const bytes = typeof entry === "string" ? Buffer.from(entry, "base64") : entry;
    const status = statusPb.Status.deserializeBinary(new Uint8Array(bytes));
    for (const detail of status.getDetailsList()) {
      if (detail.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") continue;
      const f = detail.unpack(providerPb.ErrorResourceInitFailed.deserializeBinary, "pulumirpc.ErrorResourceInitFailed");
      if (!f) continue;
      return { id: f.getId(), properties: fromStruct(f.getProperties()), reasons: f.getReasonsList() };
    }
  }
  return undefined;
}

function toCallError(method: string, err: ServiceError): PluginCallError {
  return new PluginCallError(method, err.code, err.details ?? err.message, decodeInitFailure(err));
}

type Callback<Res> = (err: ServiceError | null, res: Res) => void;

/** The engine's calls over `client`; every failure rejects with PluginCallError. */
export function engineCalls(client: ResourceProviderClient, frontEnd: FrontEnd = "dynamic"): EngineCalls {
  const call = <Res>(method: string, start: (cb: Callback<Res>) => unknown): Promise<Res> =>
    new Promise<Res>((resolve, reject) => {
      try {
        start((err, res) => {
          if (err) reject(toCallError(method, err));
          else resolve(res);
        });
      } catch (e) {
        // grpc-js throws synchronously once the client was closed (after stop()).
        reject(new PluginCallError(method, grpc.status.UNAVAILABLE, e instanceof Error ? e.message : String(e)));
      }
    });

  const named = <T extends { setUrn(v: string): unknown; setName(v: string): unknown; setType(v: string): unknown }>(req: T, urn: string): T => {
    const { type, name } = urnParts(urn);
    req.setUrn(urn);
    req.setName(name);
    req.setType(type);
    return req;
  };

  return {
    async getPluginInfo() {
      const res = await call<PluginPb.PluginInfo>("GetPluginInfo", (cb) => client.getPluginInfo(new emptyPb.Empty(), cb));
      return { version: res.getVersion() };
    },

    async getSchema() {
      const res = await call<ProviderPb.GetSchemaResponse>("GetSchema", (cb) => client.getSchema(new providerPb.GetSchemaRequest(), cb));
      return res.getSchema();
    },

    async handshake() {
      await call<ProviderPb.ProviderHandshakeResponse>("Handshake", (cb) => client.handshake(new providerPb.ProviderHandshakeRequest(), cb));
    },

    async configure(config) {
      if (frontEnd === "plugin") {
        // A plugin gets its own namespace only: `<pkg>:config:<key>` variables, args by key (pkg/resource/plugin/provider_plugin.go).
        const req = new providerPb.ConfigureRequest();
        const { variables, args } = pluginConfigure(config);
        for (const [k, v] of variables) req.getVariablesMap().set(k, v);
        req.setArgs(toStruct(args));
        req.setAcceptsecrets(true);
        req.setAcceptresources(true);
        req.setSendsOldInputs(true);
        req.setSendsOldInputsToDelete(true);
        req.setType("pulumi:providers:volcengine-copied-image");
        const res = await call<ProviderPb.ConfigureResponse>("Configure", (cb) => client.configure(req, cb));
        return { acceptSecrets: res.getAcceptsecrets() };
      }
      // For the pulumi-nodejs provider the engine sends the whole stack config with namespaced keys;
      // secret values (decrypted) wrapped in the secret envelope, since Configure uses KeepSecrets.
      const args: Record<string, unknown> = {};
      const req = new providerPb.ConfigureRequest();
      const vars = req.getVariablesMap();
      for (const [k, v] of Object.entries(config)) {
        if (typeof v === "string") {
          args[k] = v;
          vars.set(k, v);
        } else {
          args[k] = { [SECRET_SIG_KEY]: SECRET_SIG, value: v.secret };
          vars.set(k, v.secret);
        }
      }
      req.setArgs(toStruct(args));
      req.setAcceptsecrets(true);
      req.setAcceptresources(true);
      req.setSendsOldInputs(true);
      req.setSendsOldInputsToDelete(true);
      const res = await call<ProviderPb.ConfigureResponse>("Configure", (cb) => client.configure(req, cb));
      return { acceptSecrets: res.getAcceptsecrets() };
    },

    async check(urn, olds, news) {
      const req = named(new providerPb.CheckRequest(), urn);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      const res = await call<ProviderPb.CheckResponse>("Check", (cb) => client.check(req, cb));
      return {
        inputs: fromStruct(res.getInputs()),
        failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },

    async diff(id, urn, olds, news, oldInputs) {
      const req = named(new providerPb.DiffRequest(), urn);
      req.setId(id);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      if (oldInputs) req.setOldInputs(toStruct(oldInputs));
      const res = await call<ProviderPb.DiffResponse>("Diff", (cb) => client.diff(req, cb));
      const C = providerPb.DiffResponse.DiffChanges;
      const changes = res.getChanges();
      const result: DiffResult = {
        changes: changes === C.DIFF_SOME ? "some" : changes === C.DIFF_NONE ? "none" : "unknown",
        replaces: res.getReplacesList(),
        stables: res.getStablesList(),
        deleteBeforeReplace: res.getDeletebeforereplace(),
        diffs: res.getDiffsList(),
      };
      if (res.getHasdetaileddiff()) {
        const kinds = ["add", "add-replace", "delete", "delete-replace", "update", "update-replace"];
        const detailed: Record<string, unknown> = {};
        res.getDetaileddiffMap().forEach((pd, key) => {
          detailed[key] = { kind: kinds[pd.getKind()] ?? pd.getKind(), inputDiff: pd.getInputdiff() };
        });
        result.detailedDiff = detailed;
      }
      return result;
    },

    async create(urn, properties, opts) {
      const req = named(new providerPb.CreateRequest(), urn);
      req.setProperties(toStruct(properties));
      req.setTimeout(opts?.timeoutSeconds ?? 0);
      req.setPreview(opts?.preview ?? false);
      const res = await call<ProviderPb.CreateResponse>("Create", (cb) => client.create(req, cb));
      return { id: res.getId(), properties: fromStruct(res.getProperties()) };
    },

    async read(id, urn, properties, inputs) {
      const req = named(new providerPb.ReadRequest(), urn);
      req.setId(id);
      req.setProperties(toStruct(properties));
      if (inputs) req.setInputs(toStruct(inputs));
      const res = await call<ProviderPb.ReadResponse>("Read", (cb) => client.read(req, cb));
      return { id: res.getId(), properties: fromStruct(res.getProperties()), inputs: fromStruct(res.getInputs()) };
    },

    async update(id, urn, olds, news, opts) {
      const req = named(new providerPb.UpdateRequest(), urn);
      req.setId(id);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      if (opts?.oldInputs) req.setOldInputs(toStruct(opts.oldInputs));
      req.setTimeout(opts?.timeoutSeconds ?? 0);
      req.setPreview(opts?.preview ?? false);
      const res = await call<ProviderPb.UpdateResponse>("Update", (cb) => client.update(req, cb));
      return { properties: fromStruct(res.getProperties()) };
    },

    async delete(id, urn, properties, opts) {
      const req = named(new providerPb.DeleteRequest(), urn);
      req.setId(id);
      req.setProperties(toStruct(properties));
      if (opts?.oldInputs) req.setOldInputs(toStruct(opts.oldInputs));
      req.setTimeout(opts?.timeoutSeconds ?? 0);
      await call<EmptyPb.Empty>("Delete", (cb) => client.delete(req, cb));
    },

    async cancel() {
      await call<EmptyPb.Empty>("Cancel", (cb) => client.cancel(new emptyPb.Empty(), cb));
    },
  };
}
