// ESM all the way: jest runs with --experimental-vm-modules and ts-jest transpiles each file on its own
// (type-checking is `npm run typecheck`, which `npm test` runs first).
// Two projects: `default` (everything but tests/vllm) and `vllm` (judged by vLLM's own code in the cached
// venv of `npm run setup:vllm`; CI always runs it, `--selectProjects vllm` runs it alone).
const common = {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, diagnostics: false }],
  },
};

/** @type {import('jest').Config} */
export default {
  projects: [
    {
      ...common,
      displayName: "default",
      testMatch: ["<rootDir>/tests/**/*.test.ts"],
      testPathIgnorePatterns: ["/node_modules/", "/tests/live/", "/tests/vllm/"],
    },
    {
      ...common,
      displayName: "vllm",
      testMatch: ["<rootDir>/tests/vllm/**/*.test.ts"],
    },
  ],
  reporters: ["default", "<rootDir>/tests/support/count-reporter.js"],
  testTimeout: 30000,
};
