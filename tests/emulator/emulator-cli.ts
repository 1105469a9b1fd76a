// Runs the emulator's CLI (`volcengine-ecs-emulator`, dist/emulator/cli.js) as users do, for the tests
// of its flags: started with some arguments, ready once it has printed its URL and a line of its banner.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { EmulatorHandle } from "../../emulator";

const CLI = join(__dirname, "..", "..", "..", "dist", "emulator", "cli.js");

export interface RunningCli {
  /** Enough of a handle for the request helpers: its URL, host and port. */
  emu: EmulatorHandle;
  /** What it printed up to the banner line. */
  out: string;
  child: ChildProcess;
  /** Its exit code, once it exits. */
  exited: Promise<number | null>;
  /** Kills it if it is still running (for a `finally`). */
  kill(): void;
}

/** Starts the CLI with `args` and resolves once it printed its URL and `banner` (within 10 s), or rejects with what it printed. */
export async function startEmulatorCli(args: string[], banner: string): Promise<RunningCli> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  let out = "";
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed; output so far: ${out}`)), 10_000);
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m && out.includes(banner)) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const u = new URL(url);
    return { emu: { url, host: u.hostname, port: Number(u.port) } as EmulatorHandle, out, child, exited, kill };
  } catch (e) {
    kill();
    throw e;
  }
}
