// argv + env + facts → plan (pure), the environment Claude Code gets, and --dry-run's text.
import { buildEndpoint } from "../../components/endpoint-spec.ts";
import { PROJECT, PROJECT_DIR } from "../../components/stack-config.ts";
import { parseCli, UsageError } from "../../runtime/sera/args.ts";
import { claudeBinFor, logFilePath, signalExitCode } from "../../runtime/sera/main.ts";
import { buildPlan, claudeEnv, claudeHint, describePlan, needsStackOutputs, type Facts, type SessionPlan } from "../../runtime/sera/plan.ts";
import { parseSeraOutput, readSeraConfig } from "../../runtime/sera/stack.ts";

const dev = readSeraConfig("dev", PROJECT_DIR);
function facts(extra: Partial<Facts> = {}): Facts {
  let n = 0;
  return { project: PROJECT, claudeBin: "/p/node_modules/.bin/claude", random: () => `rnd${++n}ABCDEFGHIJ`, ...(dev.config ? { seraConfig: dev.config } : {}), ...extra };
}
const plan = (argv: string, env: Record<string, string> = {}, f: Facts = facts()) => buildPlan(parseCli(argv === "" ? [] : argv.split(" ")), env, f);

describe("the stack's sera config is the one definition", () => {
  it("Pulumi.dev.yaml has a sera entry sera reads (SERA-32B, hermes)", () => {
    expect(dev.problem).toBeUndefined();
    expect(dev.config).toMatchObject({ model: "allenai/SERA-32B", toolCallParser: "hermes" });
  });
});

describe("session plans", () => {
  it("--endpoint: the proxy on 8080 in swe-agent mode, then Claude Code with the args after --", () => {
    const p = plan("--endpoint http://h:6767/v1/chat/completions -- --resume x") as SessionPlan;
    expect(p).toMatchObject({
      kind: "session",
      upstream: { baseUrl: "http://h:6767/v1", model: "allenai/SERA-32B", maxModelLen: 32768 },
      proxy: { port: 8080, dialect: "swe-agent", token: "rnd1ABCDEFGHIJ" },
      claude: { bin: "/p/node_modules/.bin/claude", args: ["--resume", "x"] },
    });
    expect(p.ephemeral).toBeUndefined();
    expect(p.upstream.apiKey).toBeUndefined();
  });

  it("--proxy-only runs no Claude Code; SERA_PROXY_TOKEN fixes the proxy's token", () => {
    const p = plan("--endpoint http://h/v1 --proxy-only", { SERA_PROXY_TOKEN: "tok" }) as SessionPlan;
    expect(p.claude).toBeUndefined();
    expect(p.proxy.token).toBe("tok");
  });

  it("SERA_API_KEY and Modal proxy credentials go to the upstream", () => {
    const p = plan("--endpoint http://h/v1", { SERA_API_KEY: "k", MODAL_PROXY_TOKEN_ID: "wk-1", MODAL_PROXY_TOKEN_SECRET: "ws-1" }) as SessionPlan;
    expect(p.upstream).toMatchObject({ apiKey: "k", modalProxy: { key: "wk-1", secret: "ws-1" } });
  });

  it("another model than the stack's has no known context length (vLLM's errors drive the retry)", () => {
    expect((plan("--endpoint http://h/v1 --model org/other") as SessionPlan).upstream.maxModelLen).toBeUndefined();
  });

  it("the stack outputs give endpoint, model and key when nothing else does", () => {
    const p = plan("", {}, facts({ stackOutput: { baseUrl: "https://s--sera.modal.run/v1", model: "allenai/SERA-32B", apiKey: "sk" } })) as SessionPlan;
    expect(p.upstream).toMatchObject({ baseUrl: "https://s--sera.modal.run/v1", apiKey: "sk" });
  });

  it("no endpoint anywhere: the error says every way to give one, and why the stack had none", () => {
    expect(() => plan("", {}, facts({ stackOutputProblem: "no sera output (the stack's sera endpoint is not enabled)" })))
      .toThrow(/no endpoint: pass --endpoint URL, set SERA_ENDPOINT, .* or use --modal \(stack "dev": no sera output/);
  });

  it("--modal: an ephemeral app of its own, built from the stack's sera config by the component's buildEndpoint", () => {
    const p = plan("--modal --hf-secret my-hf") as SessionPlan;
    expect(p.ephemeral?.spec.appName).toBe("coding-agent-server-dev-sera-session-rnd1abcd");
    const { enabled: _e, ...args } = dev.config!;
    const expected = buildEndpoint("sera", { ...args, hfSecretName: "my-hf", appName: p.ephemeral!.spec.appName }, { project: PROJECT, stack: "dev", hasApiKey: true }).spec;
    expect(p.ephemeral?.spec).toEqual(expected);
    expect(p.ephemeral?.spec.serve.argv).toEqual(expect.arrayContaining(["--tool-call-parser", "hermes"]));
    // a fresh key, used for the upstream too; the proxy token is another one
    expect(p.upstream.apiKey).toBe(p.ephemeral?.apiKey);
    expect(p.proxy.token).not.toBe(p.ephemeral?.apiKey);
    expect(p.upstream.baseUrl).toBeUndefined();
  });

  it("--modal --model deploys and serves that model under its own name", () => {
    const p = plan("--modal --model org/private-model") as SessionPlan;
    expect(p.ephemeral?.spec).toMatchObject({ model: "org/private-model", servedModelName: "org/private-model" });
    expect(p.upstream.model).toBe("org/private-model");
  });

  it("--modal without a stack config names the file it needs", () => {
    expect(() => plan("--modal --stack nope", {}, facts({ seraConfig: undefined, seraConfigProblem: "stack \"nope\" has no Pulumi.nope.yaml" })))
      .toThrow(/--modal needs the sera endpoint config of stack "nope" \(Pulumi.nope.yaml, key coding-agent-server:sera\)/);
  });
});

describe("deploy and stop plans", () => {
  it("deploy: the persistent app name of the component; key from env, else the stack, else generated", () => {
    expect(plan("deploy", { SERA_API_KEY: "e" })).toMatchObject({ kind: "deploy", spec: { appName: "coding-agent-server-dev-sera" }, apiKey: { value: "e", from: "env" } });
    expect(plan("deploy", {}, facts({ stackOutput: { baseUrl: "https://x/v1", apiKey: "s" } }))).toMatchObject({ apiKey: { value: "s", from: "stack" } });
    expect(plan("deploy")).toMatchObject({ apiKey: { value: "rnd1ABCDEFGHIJ", from: "generated" } });
  });
  it("refuses to deploy or stop an endpoint the Pulumi stack manages (enabled in its config)", () => {
    const managed = facts({ seraConfig: { ...dev.config!, enabled: true } });
    expect(() => plan("deploy", {}, managed)).toThrow('the sera endpoint of stack "dev" is managed by Pulumi (enabled in Pulumi.dev.yaml): deploy it with `npm run up`');
    expect(() => plan("stop", {}, managed)).toThrow("set enabled: false and run `npm run up` to remove it");
    expect(plan("--modal", {}, managed)).toMatchObject({ kind: "session" }); // an ephemeral app of its own is fine
  });
  it("stop: the same app", () => {
    expect(plan("stop --stack dev")).toMatchObject({ kind: "stop", spec: { appName: "coding-agent-server-dev-sera", secrets: { apiKey: "coding-agent-server-dev-sera-vllm-api-key" } } });
  });
  it("the stack outputs are looked up only when they can matter", () => {
    expect(needsStackOutputs(parseCli([]), {})).toBe(true);
    expect(needsStackOutputs(parseCli(["--endpoint", "http://h/v1"]), {})).toBe(false);
    expect(needsStackOutputs(parseCli([]), { SERA_ENDPOINT: "http://h/v1" })).toBe(false);
    expect(needsStackOutputs(parseCli(["--modal"]), {})).toBe(false);
    expect(needsStackOutputs(parseCli(["deploy"]), { SERA_API_KEY: "k" })).toBe(false);
  });
});

describe("Claude Code's environment and the printed hints", () => {
  it("points Claude Code at the proxy with the token, removes a real Anthropic key, keeps the rest", () => {
    const env = claudeEnv({ PATH: "/bin", ANTHROPIC_API_KEY: "sk-ant-real", ANTHROPIC_MODEL: "claude-haiku-4-5", X: undefined }, "http://127.0.0.1:8080", "tok");
    expect(env).toEqual({ PATH: "/bin", ANTHROPIC_MODEL: "claude-haiku-4-5", ANTHROPIC_BASE_URL: "http://127.0.0.1:8080", ANTHROPIC_AUTH_TOKEN: "tok", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" });
  });
  it("a user's explicit CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC wins", () => {
    expect(claudeEnv({ CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "0" }, "u", "t").CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC).toBe("0");
  });
  it("the --proxy-only hint is a command that works as printed", () => {
    expect(claudeHint("http://127.0.0.1:8080", "tok")).toBe("ANTHROPIC_BASE_URL=http://127.0.0.1:8080 ANTHROPIC_AUTH_TOKEN=tok CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 npx claude");
  });
  it("--dry-run text never shows a secret's value", () => {
    const modal = plan("--modal") as SessionPlan;
    const text = [
      describePlan(plan("--endpoint http://h/v1", { SERA_API_KEY: "secret-key-value" })),
      describePlan(plan("deploy", { SERA_API_KEY: "secret-key-value" })),
      describePlan(modal),
    ].join("\n");
    expect(text).not.toContain("secret-key-value");
    expect(text).not.toContain(modal.ephemeral!.apiKey);
    expect(text).not.toContain(modal.proxy.token);
    expect(text).toContain("api key: <set, from env>");
    expect(text).toContain(`ephemeral Modal app ${modal.ephemeral!.spec.appName}`);
  });
});

describe("where sera keeps things", () => {
  it("logs to $XDG_STATE_HOME/coding-agent-server/sera.log, else ~/.local/state/…", () => {
    expect(logFilePath({ XDG_STATE_HOME: "/x/state" }, "/home/u")).toBe("/x/state/coding-agent-server/sera.log");
    expect(logFilePath({}, "/home/u")).toBe("/home/u/.local/state/coding-agent-server/sera.log");
    expect(logFilePath({ XDG_STATE_HOME: "relative" }, "/home/u")).toBe("/home/u/.local/state/coding-agent-server/sera.log");
  });
  it("a child killed by a signal exits 128 + the signal number", () => {
    expect([signalExitCode("SIGINT"), signalExitCode("SIGTERM"), signalExitCode("SIGHUP"), signalExitCode(undefined)]).toEqual([130, 143, 129, 1]);
  });
  it("runs the project's Claude Code, else `claude` on PATH", () => {
    expect(claudeBinFor("/p", () => true)).toBe("/p/node_modules/.bin/claude");
    expect(claudeBinFor("/p", () => false)).toBe("claude");
  });
  it("reads the sera stack output, refusing unreadable secrets", () => {
    expect(parseSeraOutput(JSON.stringify({ sera: { baseUrl: "https://x/v1", model: "m", apiKey: "k" } }))).toEqual({ output: { baseUrl: "https://x/v1", model: "m", apiKey: "k" } });
    expect(parseSeraOutput(JSON.stringify({ coder: {} })).problem).toMatch(/no sera output/);
    expect(parseSeraOutput(JSON.stringify({ sera: { baseUrl: "https://x/v1", apiKey: "[secret]" } })).problem).toMatch(/sera.apiKey: apiKey is "\[secret\]"/);
    expect(() => plan("--bad")).toThrow(UsageError);
  });
});
