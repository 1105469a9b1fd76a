/**
 * The URN a resource will get, computed in the program so that it can travel in the inputs (as
 * `__meta.resourceUrn`: the engine keeps the input name `urn` for itself) and the provider can report
 * progress on that resource's own row.
 *
 * `pulumi.createUrn(name, type, parent)` gives it, but as an Output that depends on the parent. An
 * input that depends on a component makes the resource wait for every custom resource inside that
 * component (the SDK expands component dependencies to their children), and the resource is one of
 * those children: the children of a `CopiedImageSet` would wait for each other forever. So the value
 * is passed on as a plain Promise, which carries no dependency. A URN is always known, in preview too.
 */
import * as pulumi from "@pulumi/pulumi";

export function resourceUrnInput(name: string, type: string, parent?: pulumi.Resource): pulumi.Input<string> {
  if (parent === undefined) return pulumi.createUrn(name, type); // no dependency at all
  return new Promise<string>((resolve) => {
    pulumi.createUrn(name, type, parent).apply((urn) => {
      resolve(urn);
      return urn;
    });
  });
}
