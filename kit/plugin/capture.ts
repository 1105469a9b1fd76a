// Capturing what the SDK sends the engine for a dynamic resource, under pulumi.runtime.setMocks: the
// inputs, with `__provider` (the serialized provider text) as the plugin will receive them.
import type * as pulumiTypes from "@pulumi/pulumi";

import { delay, isSecretEnvelope, stripSecrets, urnFor, urnParts } from "./values";

export interface Registration<T> {
  /** e.g. `pulumi-nodejs:dynamic/harness:Counter`. */
  type: string;
  name: string;
  urn: string;
  /**
   * Inputs as the engine would pass them to the plugin (acceptSecrets=false): every secret envelope
   * unwrapped, `__provider` = the serialized provider text. Feed this to check()/create().
   */
  inputs: Record<string, unknown>;
  /** Inputs exactly as the mock monitor saw them (secret envelopes kept). */
  rawInputs: Record<string, unknown>;
  /** Top-level input keys whose value was secret. */
  secretKeys: string[];
  providerText: string;
  providerIsSecret: boolean;
  resource: T;
}

let captureChain: Promise<unknown> = Promise.resolve();

/**
 * Build dynamic resource(s) under `pulumi.runtime.setMocks` and return exactly what the SDK sent the
 * (mock) engine for the dynamic resource `build` returned (or the single dynamic resource it created).
 *
 * Pulumi's runtime settings are process-global: every call installs fresh mocks (and resets the
 * runtime's project/stack). Calls made through this function are queued, so they are safe even
 * when started concurrently, but do not mix them with your own setMocks() in the same process
 * while one is pending. Default project/stack are "test"/"test" (same as urnFor/startPlugin).
 */
export function captureRegistration<T>(build: () => T, opts?: { project?: string; stack?: string; timeoutMs?: number }): Promise<Registration<T>> {
  const run = captureChain.then(() => captureOnce(build, opts));
  captureChain = run.catch(() => undefined);
  return run;
}

/**
 * Serialize a provider object exactly as `pulumi.dynamic.Resource` does (`serializeFunction(() =>
 * provider, {allowSecrets: true})`), without registering a resource. Use this to assert on
 * serialization *failures*: a failing serialization inside captureRegistration rejects with the
 * serializer's message, but the SDK's resource machinery also leaves several unhandled promise
 * rejections behind, which `node --test` reports as failures.
 */
export async function serializeProviderText(provider: object): Promise<{ text: string; containsSecrets: boolean }> {
  const pulumi = require("@pulumi/pulumi") as typeof pulumiTypes;
  const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return { text: sf.text, containsSecrets: sf.containsSecrets };
}

/** Wait (bounded) for the runtime's outstanding RPCs; waitForRPCs is exported at run time but untyped. */
async function drainRpcs(pulumi: typeof pulumiTypes): Promise<void> {
  const wait = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
  if (wait) await Promise.race([wait().catch(() => undefined), delay(10_000)]);
}

interface SeenRegistration {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

async function captureOnce<T>(build: () => T, opts?: { project?: string; stack?: string; timeoutMs?: number }): Promise<Registration<T>> {
  // Loaded lazily: importing @pulumi/pulumi is slow and only captures need it.
  const pulumi = require("@pulumi/pulumi") as typeof pulumiTypes;
  const project = opts?.project ?? "test";
  const stack = opts?.stack ?? "test";
  const seen: SeenRegistration[] = [];
  const notify = new Set<() => void>();

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        seen.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        for (const n of notify) n();
        return { id: `${args.name}-mock-id`, state: args.inputs };
      },
      call(args) {
        return args.inputs;
      },
    },
    project,
    stack,
    false,
  );

  const resource = build();

  // Which registration are we after? A CustomResource returned by build() is matched by its URN
  // (resolved by the mock monitor); otherwise build() must have created exactly one dynamic resource.
  let target: { type: string; name: string } | undefined;
  const timeoutMs = opts?.timeoutMs ?? 60_000;
  const deadline = delay(timeoutMs).then(() => {
    throw new Error(
      `captureRegistration: no registration within ${timeoutMs} ms (seen: ${seen.map((s) => s.type + "::" + s.name).join(", ") || "none"})`,
    );
  });
  if (pulumi.CustomResource.isInstance(resource)) {
    // Output.promise() is internal but stable; it rejects if registration failed (e.g. serialization).
    const urnOutput = resource.urn as unknown as { promise(): Promise<string> };
    const urn = await Promise.race([urnOutput.promise(), deadline]);
    target = urnParts(urn);
  } else {
    await Promise.race([
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (seen.some((s) => s.type.startsWith("pulumi-nodejs:dynamic"))) {
            notify.delete(check);
            resolve();
          }
        };
        notify.add(check);
        check();
      }),
      deadline,
    ]);
    // Let sibling registrations started by the same build arrive before deciding.
    await drainRpcs(pulumi);
    const dyn = seen.filter((s) => s.type.startsWith("pulumi-nodejs:dynamic"));
    if (dyn.length !== 1) {
      throw new Error(
        `captureRegistration: build() did not return a CustomResource and created ${dyn.length} dynamic resources; return the one to capture`,
      );
    }
    target = { type: dyn[0]!.type, name: dyn[0]!.name };
  }

  // Leave no registration of this build in flight when the next capture resets the mocks.
  await drainRpcs(pulumi);

  const reg = seen.find((s) => s.name === target!.name && s.type.split("$").pop() === target!.type);
  if (!reg) throw new Error(`captureRegistration: resource ${target.type}::${target.name} was not registered`);

  const rawInputs = reg.inputs;
  const rawProvider = rawInputs["__provider"];
  const providerIsSecret = isSecretEnvelope(rawProvider);
  const providerText = providerIsSecret ? rawProvider.value : rawProvider;
  if (typeof providerText !== "string") {
    throw new Error(`captureRegistration: ${reg.type}::${reg.name} has no string __provider (got ${typeof providerText})`);
  }
  return {
    type: reg.type,
    name: reg.name,
    urn: urnFor(reg.type, reg.name, project, stack),
    inputs: stripSecrets(rawInputs) as Record<string, unknown>,
    rawInputs,
    secretKeys: Object.keys(rawInputs).filter((k) => isSecretEnvelope(rawInputs[k])),
    providerText,
    providerIsSecret,
    resource,
  };
}
