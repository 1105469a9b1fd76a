/**
 * CopyImage, never twice. The service has no idempotency token, so:
 * - throttling and locks (the request was refused) are retried by the wire;
 * - a 5xx came after the service had the whole request: look in the destination for our copy
 *   (the image exists as soon as CopyImage succeeds) and adopt it, or try again, a few times;
 * - a timeout or broken connection leaves it unknown whether the service will still act: look
 *   once, and otherwise stop with an error; the next `pulumi up` looks again and adopts it. So does
 *   an answer that was not Volcengine's (an HTML 502, cut-off JSON, no Result or no ImageId: the
 *   copy may have started behind it) and the operation's deadline passing mid-request.
 */
import type { DestinationRegionClient, SourceRegionClient } from "../../ecs/client";
import { VolcengineError } from "../../ecs/volcengine-error";
import { isTransient } from "../../ecs/retry-rules";
import { OWNER_TAG_KEY, wantedTags } from "../naming";
import { pollUntil } from "../../waiting/poll-until";
import { findOwnCopy } from "./find-own-copy";
import type { CopiedImageInputs } from "../model";
import type { OperationContext, OperationEnv } from "../context";

/** Starts the copy (or finds the one a lost answer started); returns the new image's id. */
export async function startCopy(
  anySource: SourceRegionClient,
  anyDestination: DestinationRegionClient,
  inputs: CopiedImageInputs,
  env: OperationEnv,
  ctx: OperationContext,
): Promise<string> {
  // Every request here, the lookups after a doubtful answer included, ends by the operation's deadline.
  const source = anySource.withDeadline(ctx.deadline);
  const destination = anyDestination.withDeadline(ctx.deadline);
  let lastError: unknown;
  const outcome = await pollUntil<string>(
    async () => {
      try {
        const id = await source.copyImage({
          sourceImageId: inputs.sourceImageId,
          destinationRegion: inputs.destinationRegion,
          imageName: inputs.imageName,
          description: inputs.description,
          projectName: inputs.projectName,
          copyImageTags: inputs.copyImageTags,
          tags: wantedTags(inputs),
        });
        return { done: true, value: id };
      } catch (e) {
        if (!(e instanceof VolcengineError) || !(isTransient(e) || e.ambiguous)) throw e;
        const adopted = await findOwnCopy(destination, inputs, ctx.reporter).catch(() => undefined);
        if (adopted) return { done: true, value: adopted };
        if (e.ambiguous) {
          throw new Error(
            `${e.message} The copy may or may not have started; run \`pulumi up\` again: the provider looks for an image named ` +
              `"${inputs.imageName}" in ${inputs.destinationRegion} carrying the tag ${OWNER_TAG_KEY} and adopts it instead of copying twice.`,
            { cause: e },
          );
        }
        lastError = e;
        return { done: false, reason: e.code };
      }
    },
    {
      backoff: env.tunables.copyRetry,
      maxAttempts: env.tunables.copyRetry.attempts,
      deadline: ctx.deadline,
      clock: env.clock,
      signal: ctx.signal,
    },
  );
  if (outcome.kind === "done") return outcome.value;
  throw lastError ?? new Error(`CopyImage in ${source.region} was interrupted before it was sent.`);
}
