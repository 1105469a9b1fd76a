/**
 * `create`: adopt the image named by `adoptImageId`, or find the copy a lost run already started,
 * or start one (CopyImage, never twice); then wait for it and read its outputs.
 */
import { shapeOutputs, type CopiedImageInputs, type CopiedImageState } from "../model";
import { findOwnCopy } from "./find-own-copy";
import { startCopy } from "./start-copy";
import { finishCopy } from "./finish-copy";
import { adopt } from "./adopt";
import type { OperationContext, OperationEnv } from "../context";

export async function create(inputs: CopiedImageInputs, env: OperationEnv, ctx: OperationContext): Promise<{ id: string; outs: CopiedImageState }> {
  if (inputs.adoptImageId) return adopt(inputs, inputs.adoptImageId, env, ctx);
  const source = env.session.source(inputs.sourceRegion, ctx.signal, ctx.deadline);
  const destination = env.session.destination(inputs.destinationRegion, ctx.signal, ctx.deadline);

  // After a crash between CopyImage and Pulumi saving the result, the copy is already there.
  let imageId = await findOwnCopy(destination, inputs, ctx.reporter);
  if (imageId) {
    ctx.reporter.info(`adopting ${imageId} in ${inputs.destinationRegion}, a copy this resource started earlier that was not recorded`);
  } else {
    ctx.reporter.status(`starting the copy to ${inputs.destinationRegion}`);
    imageId = await startCopy(source, destination, inputs, env, ctx);
    ctx.reporter.info(`copying ${inputs.sourceImageId} (${inputs.sourceRegion}) to ${inputs.destinationRegion} as ${imageId}`);
  }
  const outs = shapeOutputs(inputs, imageId, { status: "creating", progress: 0 });
  return { id: imageId, outs: await finishCopy({ imageId, inputs, outs, op: "create" }, env, ctx) };
}
