// ESLint (flat config): JavaScript's and typescript-eslint's recommended rules over the sources, with
// the few exceptions below, each where a rule is wrong by design for that file. `npm run lint` runs it,
// then `prettier --check` (formatting is prettier's alone: no stylistic rule here).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { defineConfig, globalIgnores } from "eslint/config";

export default defineConfig(
  // Build output, generated docs and SDKs (sdk/: scripts/sdks/generate), installed packages; plain .js/.cjs
  // files are all build output here.
  globalIgnores(["dist/", "docs/", "sdk/", "node_modules/", "examples/**/node_modules/", "**/*.js", "**/*.cjs"]),
  // An eslint-disable comment that no longer suppresses anything is an error: it must go.
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  {
    // The two .mjs sources (scripts/run-tests.mjs, tests/worlds/table.mjs, this file) are Node scripts.
    files: ["**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
  {
    // The serialized __provider: its compiled text is stored in every user's state and must stay
    // byte-identical across releases, so it keeps `require` at call time (resolved from the program's
    // node_modules when the engine calls it) and its untyped signatures. Do not "fix" this file.
    files: ["provider/dynamic/shim.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off", "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // The engine-path driver loads the SDK's generated gRPC code (CommonJS, no types) with `require`
    // from @pulumi/pulumi's own directory, at run time.
    files: ["kit/plugin/**/*.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Tests load generated gRPC code and the package under test with `require`, and stub SDK and
    // engine objects whose types are not exported: `any` is allowed there, not in shipped code.
    files: ["tests/**/*.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off", "@typescript-eslint/no-explicit-any": "off" },
  },
);
