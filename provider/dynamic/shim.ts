/**
 * The `__provider` that Pulumi serializes into every CopiedImage's state: a few functions that
 * load the implementation by package name when a method is called. They capture nothing, so
 * the text is small (under 2 KB, and it is stored twice per resource), holds no credential, and
 * stays byte-identical across releases: upgrading the package never shows a `~__provider` diff,
 * and delete/read run the installed implementation, not code frozen into state.
 *
 * The plugin evaluates this text with no file name, so `require` resolves from the program
 * directory's node_modules: the program must depend on this package, as any user project does.
 *
 * Size: the serializer wraps every distinct function in ~200 bytes of scaffolding, so seven
 * methods would not fit in 2 KB. `configure`, `check` and `create` therefore share one function
 * that tells them apart by their arguments, which cannot be confused: `check(olds, news)` is the
 * only one with two, `configure(req)` gets `{ config }` with a `get` function, `create(inputs)` gets
 * plain data. The four methods that take an id first differ only by name, so each has its own.
 *
 * Do not change this file lightly: its compiled text is part of every user's state.
 */
import type * as pulumi from "@pulumi/pulumi";

function route(a: any, b?: any): Promise<any> {
  const p = require("volcengine-copied-image/runtime");
  return b !== undefined ? p.check(a, b) : typeof a?.config?.get == "function" ? p.configure(a) : p.create(a);
}

export const copiedImageProviderShim: pulumi.dynamic.ResourceProvider = {
  configure: route,
  check: route,
  create: route,
  diff(i: any, o: any, n: any) {
    return require("volcengine-copied-image/runtime").diff(i, o, n);
  },
  read(i: any, p: any) {
    return require("volcengine-copied-image/runtime").read(i, p);
  },
  update(i: any, o: any, n: any) {
    return require("volcengine-copied-image/runtime").update(i, o, n);
  },
  delete(i: any, p: any) {
    return require("volcengine-copied-image/runtime").delete(i, p);
  },
};
