/**
 * The import id of a CopiedImage: `<imageId>@<destinationRegion>,<sourceImageId>@<sourceRegion>`,
 * e.g. `image-copy123@cn-shanghai,image-src456@cn-beijing`. An image id names no region and
 * DescribeImages says nothing of a copy's source, so the id carries both (the `@region` suffix as in
 * pulumi-aws v7's import ids).
 */
import { checkImageId, checkRegion } from "../operations/validate";

export const IMPORT_ID_FORM = "<imageId>@<destinationRegion>,<sourceImageId>@<sourceRegion>";
export const IMPORT_ID_EXAMPLE = "image-copy123@cn-shanghai,image-src456@cn-beijing";

export interface ImportId {
  imageId: string;
  destinationRegion: string;
  sourceImageId: string;
  sourceRegion: string;
}

export class ImportIdError extends Error {
  override readonly name = "ImportIdError";
}

export function parseImportId(text: string): ImportId {
  const bad = (why: string) =>
    new ImportIdError(
      `import id ${JSON.stringify(text.slice(0, 200))} ${why}: a CopiedImage is imported as ${IMPORT_ID_FORM}, e.g. ${IMPORT_ID_EXAMPLE}.`,
    );
  const m = /^([^@,\s]+)@([^@,\s]+),([^@,\s]+)@([^@,\s]+)$/.exec(text.trim());
  if (!m) throw bad("is not of the expected form");
  const [, imageId, destinationRegion, sourceImageId, sourceRegion] = m as unknown as [string, string, string, string, string];
  const failure =
    checkImageId(imageId, "imageId") ??
    checkRegion(destinationRegion, "destinationRegion", true) ??
    checkImageId(sourceImageId, "sourceImageId") ??
    checkRegion(sourceRegion, "sourceRegion", true);
  if (failure) throw bad(`has a bad part (${failure.reason})`);
  if (sourceRegion === destinationRegion) throw bad(`names the same region twice (${sourceRegion}): a copy is in another region than its source`);
  return { imageId, destinationRegion, sourceImageId, sourceRegion };
}

export function formatImportId(id: ImportId): string {
  return `${id.imageId}@${id.destinationRegion},${id.sourceImageId}@${id.sourceRegion}`;
}
