// The engine-path life-cycle suite against the package's own provider plugin instead of the dynamic
// provider: the same tests (not a copy), with kit/plugin's front end switched (kit/plugin/front-end.ts).
process.env.VOLCENGINE_COPIED_IMAGE_FRONT_END = "plugin";
require("./plugin-lifecycle.test");
