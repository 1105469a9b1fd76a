// Starting the SDK's dynamic-provider plugin (`@pulumi/pulumi/cmd/dynamic-provider`) as the engine
// does, reading its port and log lines, connecting a gRPC client, and making sure no plugin outlives
// the process that started it.
import { spawn } from "node:child_process";

import { dirname, join } from "node:path";

import { engineCalls } from "./calls";
import { frontEndUnderTest, pluginDialect, type FrontEnd } from "./front-end";
import { grpc, providerGrpcPb, type ResourceProviderClient } from "./protos";
import type { PluginExit, PluginLogLine, PluginProcess } from "./types";
import { delay } from "./values";

// ---------------------------------------------------------------------------------------------
// Orphan protection: every live plugin's process group is killed when this process goes away.

const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is already gone
  }
}

function installExitHooks(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const pid of liveGroups) killGroup(pid, "SIGKILL");
  });
  // A signal to the test process would otherwise skip the "exit" event. Kill the plugins, then let
  // the signal take its default course (re-raised once our handler is gone).
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const handler = (): void => {
      for (const pid of liveGroups) killGroup(pid, "SIGKILL");
      liveGroups.clear();
      process.removeListener(sig, handler);
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

// ---------------------------------------------------------------------------------------------
// Process start.

/**
 * Start `node @pulumi/pulumi/cmd/dynamic-provider 127.0.0.1:0` as the engine does.
 * `cwd` must be a directory whose node_modules holds @pulumi/pulumi: serialized `require`s inside
 * `__provider` resolve from there. `env` is merged over process.env (`undefined` removes a variable).
 */
export async function startPlugin(opts: {
  cwd: string;
  env?: Record<string, string | undefined>;
  project?: string;
  /** Max wait for the port line. Default 30 s. */
  startTimeoutMs?: number;
  /** Which front end of CopiedImage: the SDK's dynamic-provider plugin (default) or the package's own
   * plugin, `pulumi-resource-volcengine-copied-image`, spoken to in the dynamic one's terms (front-end.ts).
   * Default: `frontEndUnderTest()`, so that one suite runs against either. */
  frontEnd?: FrontEnd;
  /** The engine address passed as the first argument. Default 127.0.0.1:0 (no engine: messages go to stdout). */
  engineAddress?: string;
}): Promise<PluginProcess> {
  installExitHooks();
  const project = opts.project ?? "test";
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({
    ...process.env,
    PULUMI_NODEJS_PROJECT: project,
    PULUMI_PROJECT: project,
    ...opts.env,
  })) {
    if (v !== undefined) env[k] = v;
  }
  const frontEnd = opts.frontEnd ?? frontEndUnderTest();
  const entry =
    frontEnd === "plugin"
      ? join(dirname(require.resolve("volcengine-copied-image/package.json", { paths: [opts.cwd] })), "dist/provider/plugin/main.js")
      : require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [opts.cwd] });
  const child = spawn(process.execPath, [entry, opts.engineAddress ?? "127.0.0.1:0"], {
    cwd: opts.cwd,
    env,
    detached: true, // own process group, so stop()/kill() reach everything it spawns
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) {
    await new Promise<void>((resolve) => child.once("error", () => resolve()));
    throw new Error(`startPlugin: could not spawn ${process.execPath}`);
  }
  liveGroups.add(pid);

  const exited = new Promise<PluginExit>((resolve) => {
    child.once("exit", (code, signal) => {
      resolve({ code, signal });
    });
  });
  // Once the leader is gone, sweep anything left in its group and forget it.
  void exited.then(() => {
    killGroup(pid, "SIGKILL");
    liveGroups.delete(pid);
  });

  const logs: PluginLogLine[] = [];
  const preStart: string[] = [];
  const waiters = new Set<(line: PluginLogLine) => void>();
  let portResolve!: (port: number) => void;
  let portReject!: (err: Error) => void;
  const portPromise = new Promise<number>((res, rej) => {
    portResolve = res;
    portReject = rej;
  });
  let sawPort = false;

  const push = (line: PluginLogLine): void => {
    logs.push(line);
    for (const w of [...waiters]) w(line);
  };
  const lineReader = (stream: "stdout" | "stderr", source: NodeJS.ReadableStream): void => {
    let buf = "";
    source.setEncoding("utf8");
    const onLine = (text: string): void => {
      if (stream === "stdout" && !sawPort) {
        sawPort = true;
        const port = Number.parseInt(text.trim(), 10);
        if (Number.isInteger(port) && port > 0 && String(port) === text.trim()) portResolve(port);
        else portReject(new Error(`startPlugin: first stdout line is not a port: ${JSON.stringify(text)}`));
        return;
      }
      if (!sawPort) preStart.push(text);
      push({ stream, text });
    };
    source.on("data", (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        onLine(buf.slice(0, nl).replace(/\r$/, ""));
        buf = buf.slice(nl + 1);
      }
    });
    source.on("end", () => {
      if (buf.length > 0) onLine(buf);
      buf = "";
    });
  };
  lineReader("stdout", child.stdout!);
  lineReader("stderr", child.stderr!);

  void exited.then(({ code, signal }) => {
    if (!sawPort) {
      portReject(new Error(`startPlugin: plugin exited (code ${code}, signal ${signal}) before printing its port; stderr:\n${preStart.join("\n")}`));
    }
  });
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const timer = setTimeout(
    () => portReject(new Error(`startPlugin: no port line within ${startTimeoutMs} ms; stderr:\n${preStart.join("\n")}`)),
    startTimeoutMs,
  );

  let port: number;
  try {
    port = await portPromise;
  } catch (e) {
    killGroup(pid, "SIGKILL");
    await exited;
    throw e;
  } finally {
    clearTimeout(timer);
  }

  // Do not let a forgotten plugin keep the test process alive (the exit hook kills it): neither the
  // process handle nor its pipes hold the event loop. In-flight gRPC calls keep the loop alive by
  // themselves; `exited`, stop() and waitForLog() re-ref while someone waits.
  child.unref();
  for (const s of [child.stdout, child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();

  const client: ResourceProviderClient = new providerGrpcPb.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": 400 * 1024 * 1024,
    "grpc.max_send_message_length": 400 * 1024 * 1024,
  });
  const calls = frontEnd === "plugin" ? pluginDialect(engineCalls(client, "plugin")) : engineCalls(client);

  let stopping: Promise<void> | undefined;
  return {
    ...calls,
    port,
    pid,
    logs,
    get exited() {
      child.ref(); // whoever awaits the exit keeps the loop alive until it happens
      return exited;
    },

    stop() {
      stopping ??= (async () => {
        child.ref(); // keep the loop alive until the exit is observed
        if (child.exitCode === null && child.signalCode === null) {
          await Promise.race([calls.cancel().catch(() => undefined), exited, delay(2_000)]);
        }
        client.close();
        killGroup(pid, "SIGTERM");
        const hard = setTimeout(() => killGroup(pid, "SIGKILL"), 5_000);
        try {
          await exited;
        } finally {
          clearTimeout(hard);
        }
      })();
      return stopping;
    },

    kill(signal = "SIGKILL") {
      // The client stays open: later calls fail with UNAVAILABLE, as the engine would see a crash.
      killGroup(pid, signal);
    },

    waitForLog(match, timeoutMs = 10_000) {
      const test = typeof match === "function" ? match : (l: PluginLogLine) => match.test(l.text);
      const found = logs.find(test);
      if (found) return Promise.resolve(found);
      return new Promise<PluginLogLine>((resolve, reject) => {
        const w = (line: PluginLogLine): void => {
          if (!test(line)) return;
          clearTimeout(t);
          waiters.delete(w);
          resolve(line);
        };
        const t = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`waitForLog: no line matching ${String(match)} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
  };
}
