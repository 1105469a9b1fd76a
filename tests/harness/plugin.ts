// The engine-path harness lives in kit/plugin (shared with `npm run bench`); the tests import it from
// here. tests/harness/README.md documents what the dynamic-provider plugin does.
export * from "../../kit/plugin";
