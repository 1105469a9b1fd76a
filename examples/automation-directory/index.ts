// A CopiedImage driven from a Node.js program of your own with Pulumi's Automation API: the Pulumi
// program is a project directory (./program, with its Pulumi.yaml), run as `pulumi up` would run it.
//
//   npx tsc -p .                                        # index.ts -> index.js
//   export VOLCENGINE_ACCESS_KEY=... VOLCENGINE_SECRET_KEY=... VOLCENGINE_REGION=cn-beijing
//   export SOURCE_IMAGE_ID=image-xxxxxxxxxxxxxxxxxxxx DESTINATION_REGION=cn-shanghai
//   node index.js up                                    # then: node index.js destroy
//
// It runs from any directory: the engine starts the program, and CopiedImage's plugin, in the
// project directory (`workDir`), whose node_modules (here, or in a parent directory) must hold
// @pulumi/pulumi and volcengine-copied-image. The stack's config file is written there too.
import { join } from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} (see the comment at the top of index.ts)`);
  return value;
}

async function main(action: string | undefined): Promise<void> {
  if (action !== "up" && action !== "destroy") throw new Error("usage: node index.js up|destroy");
  const workDir = join(__dirname, "program");
  const stack = await LocalWorkspace.createOrSelectStack({ stackName: process.env.STACK_NAME ?? "dev", workDir });
  const onOutput = (text: string) => process.stdout.write(text);
  if (action === "destroy") {
    await stack.destroy({ onOutput });
    return;
  }
  await stack.setAllConfig({
    sourceImageId: { value: required("SOURCE_IMAGE_ID") },
    destinationRegion: { value: required("DESTINATION_REGION") },
  });
  // Each copy holds one of the engine's `parallel` slots for its whole copy: with many copies, raise it.
  const parallel = process.env.PARALLEL ? Number(process.env.PARALLEL) : undefined;
  const result = await stack.up({ onOutput, parallel });
  console.log(`imageId: ${result.outputs.imageId!.value}`);
}

main(process.argv[2]).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
