// A CopiedImage driven from a Node.js program of your own with Pulumi's Automation API: the Pulumi
// program is a function in this file (an inline program), with no Pulumi.yaml and no `pulumi up`.
//
//   npx tsc -p .                                        # index.ts -> index.js
//   export VOLCENGINE_ACCESS_KEY=... VOLCENGINE_SECRET_KEY=... VOLCENGINE_REGION=cn-beijing
//   export SOURCE_IMAGE_ID=image-xxxxxxxxxxxxxxxxxxxx DESTINATION_REGION=cn-shanghai
//   node index.js up                                    # then: node index.js destroy
//
// Run it from this directory. The engine starts CopiedImage's plugin (a Node.js dynamic provider) in
// the directory an inline program's project names, by default the one the driver runs in, and the
// plugin must find @pulumi/pulumi and volcengine-copied-image in node_modules from there
// (pulumi/pulumi#5578). From elsewhere, CopiedImage stops the program with an error saying so.
import { LocalWorkspace, type PulumiFn } from "@pulumi/pulumi/automation";
import { CopiedImage } from "volcengine-copied-image";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} (see the comment at the top of index.ts)`);
  return value;
}

/** The Pulumi program: one copy, its id and name as stack outputs. */
const program: PulumiFn = async () => {
  const copy = new CopiedImage("copy", { sourceImageId: required("SOURCE_IMAGE_ID"), destinationRegion: required("DESTINATION_REGION") });
  return { imageId: copy.imageId, imageName: copy.imageName };
};

async function main(action: string | undefined): Promise<void> {
  if (action !== "up" && action !== "destroy") throw new Error("usage: node index.js up|destroy");
  const stack = await LocalWorkspace.createOrSelectStack({ projectName: "copied-image-inline", stackName: process.env.STACK_NAME ?? "dev", program });
  const onOutput = (text: string) => process.stdout.write(text);
  if (action === "destroy") {
    await stack.destroy({ onOutput });
    return;
  }
  // Each copy holds one of the engine's `parallel` slots for its whole copy: with many copies, raise it.
  const parallel = process.env.PARALLEL ? Number(process.env.PARALLEL) : undefined;
  const result = await stack.up({ onOutput, parallel });
  console.log(`imageId: ${result.outputs.imageId!.value}`);
}

main(process.argv[2]).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
