// `sera` argv parsing and the settings priority: CLI > env > stack outputs > defaults.
import { parseCli, UsageError, type CliArgs } from "../../runtime/sera/args.ts";
import { DEFAULT_MODEL, normalizeEndpoint, resolveSettings, type SeraEnv, type StackSeraOutput } from "../../runtime/sera/settings.ts";

describe("parseCli", () => {
  it.each<[string, Partial<CliArgs>]>([
    ["", { command: "run", proxyOnly: false, modal: false, dryRun: false, claudeArgs: [] }],
    ["--endpoint http://h/v1", { command: "run", endpoint: "http://h/v1" }],
    ["--endpoint=http://h/v1 --proxy-only --port 0", { endpoint: "http://h/v1", proxyOnly: true, port: 0 }],
    ["--modal --hf-secret hf --model org/m", { modal: true, hfSecret: "hf", model: "org/m" }],
    ["--dialect native", { dialect: "native" }],
    ["deploy --stack prod", { command: "deploy", stack: "prod" }],
    ["stop", { command: "stop" }],
    ["--help", { command: "help" }],
    ["-h deploy", { command: "help" }],
    ["--endpoint http://h/v1 -- --resume abc", { claudeArgs: ["--resume", "abc"] }],
    ["--cold-start-timeout 90", { coldStartTimeout: 90 }],
    ["--cold-start-timeout=2.5", { coldStartTimeout: 2.5 }],
  ])("%j", (argv, expected) => {
    expect(parseCli(argv === "" ? [] : argv.split(" "))).toMatchObject(expected);
  });

  it.each([
    ["--port 70000", "--port: expected a port number 0-65535, got \"70000\""],
    ["--port abc", "--port: expected a port number 0-65535"],
    ["--dialect claude", "--dialect: expected one of native, swe-agent, got \"claude\""],
    ["--modal --endpoint http://h/v1", "--modal and --endpoint exclude each other"],
    ["launch", "unknown command \"launch\""],
    ["deploy --proxy-only", "sera deploy does not take --proxy-only"],
    ["stop --endpoint http://x/v1", "sera stop does not take --endpoint"],
    ["--bogus", "Unknown option '--bogus'"],
    ["--cold-start-timeout 0", "--cold-start-timeout: expected a positive number of seconds, got \"0\""],
    ["--cold-start-timeout 10m", "--cold-start-timeout: expected a positive number of seconds, got \"10m\""],
    ["deploy --cold-start-timeout 60", "sera deploy does not take --cold-start-timeout"],
  ])("%j is refused: %s", (argv, message) => {
    expect(() => parseCli(argv.split(" "))).toThrow(UsageError);
    expect(() => parseCli(argv.split(" "))).toThrow(message);
  });
});

describe("normalizeEndpoint: a base or a full chat URL both work", () => {
  it.each([
    ["http://localhost:6767/v1/chat/completions", "http://localhost:6767/v1"],
    ["http://localhost:6767/v1", "http://localhost:6767/v1"],
    ["http://localhost:6767/v1/", "http://localhost:6767/v1"],
    ["https://ws--app-serve.modal.run", "https://ws--app-serve.modal.run/v1"],
    ["https://ws--app-serve.modal.run/", "https://ws--app-serve.modal.run/v1"],
    ["https://gw.example/openai/v1/chat/completions?x=1", "https://gw.example/openai/v1"],
  ])("%s → %s", (raw, base) => {
    expect(normalizeEndpoint(raw)).toBe(base);
  });
  it.each([["not a url"], ["ftp://h/v1"]])("%j is refused, naming the endpoint", (raw) => {
    expect(() => normalizeEndpoint(raw)).toThrow(/^endpoint: /);
  });
});

describe("resolveSettings: CLI > env > stack outputs > defaults", () => {
  const cli = (argv: string): CliArgs => parseCli(argv === "" ? [] : argv.split(" "));
  const stack: StackSeraOutput = { baseUrl: "https://stack--sera.modal.run/v1", model: "stack/model", apiKey: "stack-key" };
  const env: SeraEnv = { SERA_ENDPOINT: "http://env:1/v1/chat/completions", SERA_MODEL: "env/model", SERA_API_KEY: "env-key", SERA_HF_SECRET: "env-hf", SERA_STACK: "envstack" };

  it.each<[string, string, SeraEnv, StackSeraOutput | undefined, Record<string, unknown>]>([
    ["defaults", "", {}, undefined, { endpoint: undefined, model: { value: DEFAULT_MODEL, from: "default" }, port: { value: 8080, from: "default" }, dialect: { value: "swe-agent", from: "default" }, stack: { value: "dev", from: "default" } }],
    ["stack outputs over defaults", "", {}, stack, { endpoint: { value: stack.baseUrl, from: "stack" }, model: { value: "stack/model", from: "stack" }, apiKey: { value: "stack-key", from: "stack" } }],
    ["env over stack", "", env, stack, { endpoint: { value: "http://env:1/v1", from: "env" }, model: { value: "env/model", from: "env" }, apiKey: { value: "env-key", from: "env" }, hfSecret: { value: "env-hf", from: "env" }, stack: { value: "envstack", from: "env" } }],
    ["CLI over env", "--endpoint http://cli:2/v1 --model cli/model --hf-secret cli-hf --port 9000 --dialect native --stack prod", env, stack,
      { endpoint: { value: "http://cli:2/v1", from: "cli" }, model: { value: "cli/model", from: "cli" }, hfSecret: { value: "cli-hf", from: "cli" }, port: { value: 9000, from: "cli" }, dialect: { value: "native", from: "cli" }, stack: { value: "prod", from: "cli" } }],
    ["an empty env value counts as unset", "", { SERA_MODEL: "", SERA_ENDPOINT: " " }, undefined, { endpoint: undefined, model: { value: DEFAULT_MODEL, from: "default" } }],
    ["the stack's key is never sent to another endpoint", "--endpoint http://other/v1", {}, stack, { endpoint: { value: "http://other/v1", from: "cli" }, apiKey: undefined }],
    ["the stack's key goes with the stack's URL however it is written", "--endpoint https://stack--sera.modal.run/v1/chat/completions", {}, stack, { apiKey: { value: "stack-key", from: "stack" } }],
    ["--modal ignores the stack's endpoint and model (it deploys its own)", "--modal", {}, stack, { endpoint: undefined, model: { value: DEFAULT_MODEL, from: "default" }, apiKey: undefined }],
  ])("%s", (_t, argv, e, s, expected) => {
    const got = resolveSettings(cli(argv), e, s) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(expected)) expect([k, got[k]]).toEqual([k, v]);
  });
});
