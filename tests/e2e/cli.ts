// The Pulumi CLI driver lives in kit/ (shared with the demo and the pack test); the e2e tests import it from here.
export * from "../../kit/pulumi-cli";
export * from "../../kit/pulumi-json";
