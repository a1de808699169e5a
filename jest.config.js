// ESM all the way: jest runs with --experimental-vm-modules and ts-jest transpiles each file on its own
// (type-checking is `npm run typecheck`, which `npm test` runs first).
/** @type {import('jest').Config} */
export default {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, diagnostics: false }],
  },
  testMatch: ["<rootDir>/tests/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/tests/live/"],
  reporters: ["default", "<rootDir>/tests/support/count-reporter.js"],
  testTimeout: 30000,
};
