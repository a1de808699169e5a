// The runner's order of effects and its cleanup guarantees, with every effect a recording fake.
import { existsSync, readFileSync, statSync } from "node:fs";
import type { EndpointSpec } from "../../components/endpoint-spec.ts";
import { PROJECT, PROJECT_DIR } from "../../components/stack-config.ts";
import { silentLogger } from "../../runtime/proxy/log.ts";
import { parseCli } from "../../runtime/sera/args.ts";
import { buildPlan, type Plan } from "../../runtime/sera/plan.ts";
import { INTERRUPTED, runPlan, type RunnerDeps } from "../../runtime/sera/runner.ts";
import { readEndpointConfigs, readSeraConfig } from "../../runtime/sera/stack.ts";

const seraConfig = readSeraConfig("dev", PROJECT_DIR).config;

function planOf(argv: string, env: Record<string, string> = {}): Plan {
  let n = 0;
  return buildPlan(parseCli(argv.split(" ").filter(Boolean)), env, {
    project: PROJECT, claudeBin: "claude-bin", random: () => `r${++n}xxxxxxxx`, ...(seraConfig ? { seraConfig } : {}),
  });
}

interface Harness {
  deps: RunnerDeps;
  events: string[];
  out: string[];
  err: string[];
  interrupt: (signal?: NodeJS.Signals) => void;
  proxyOpts: Array<Record<string, unknown>>;
  claudeEnv: Array<Record<string, string>>;
}

function harness(over: Partial<RunnerDeps> = {}): Harness {
  const events: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const proxyOpts: Array<Record<string, unknown>> = [];
  const claudeEnvs: Array<Record<string, string>> = [];
  let handler: ((signal: NodeJS.Signals) => void) | undefined;
  const deps: RunnerDeps = {
    startProxy: async (opts) => {
      events.push("proxy.start");
      proxyOpts.push(opts as unknown as Record<string, unknown>);
      return { url: "http://127.0.0.1:4321", port: 4321, close: async () => void events.push("proxy.close") };
    },
    dialectFor: (name) => name,
    runClaude: async (bin, args, env) => {
      events.push(`claude ${bin} ${args.join(" ")}`.trim());
      claudeEnvs.push(env);
      return 3;
    },
    deploy: async (spec) => {
      events.push(`deploy ${spec.appName}`);
      return { appName: spec.appName, url: "https://ws--app.modal.run", openaiBaseUrl: "https://ws--app.modal.run/v1" };
    },
    stop: async (spec) => void events.push(`stop ${spec.appName}`),
    imageDescriber: async (env) => {
      events.push(`describer ${env.VLM_MODEL}`);
      return { model: env.VLM_MODEL ?? "", describe: async () => "described" };
    },
    onInterrupt: (h) => {
      handler = h;
      events.push("signals.on");
      return () => {
        handler = undefined;
        events.push("signals.off");
      };
    },
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    env: { PATH: "/bin", ANTHROPIC_API_KEY: "sk-ant-real" },
    logger: silentLogger,
    ...over,
  };
  return { deps, events, out, err, interrupt: (signal = "SIGINT") => handler?.(signal), proxyOpts, claudeEnv: claudeEnvs };
}

describe("a session on a given endpoint", () => {
  it("starts the proxy, runs Claude Code on it, returns Claude Code's exit code, closes the proxy", async () => {
    const h = harness();
    const code = await runPlan(planOf("--endpoint http://h/v1 -- -p hi"), h.deps);
    expect(code).toBe(3);
    expect(h.events).toEqual(["signals.on", "proxy.start", "claude claude-bin -p hi", "signals.off", "proxy.close"]);
    expect(h.proxyOpts[0]).toMatchObject({ dialect: "swe-agent", port: 8080, upstream: { baseUrl: "http://h/v1", model: "allenai/SERA-32B", maxModelLen: 32768 } });
    expect(h.claudeEnv[0]).toMatchObject({ ANTHROPIC_BASE_URL: "http://127.0.0.1:4321", ANTHROPIC_AUTH_TOKEN: h.proxyOpts[0].token });
    expect(h.claudeEnv[0].ANTHROPIC_API_KEY).toBeUndefined();
  });

  it("--proxy-only prints the Claude Code command and serves until Ctrl+C, then exits 0", async () => {
    const h = harness();
    const running = runPlan(planOf("--endpoint http://h/v1 --proxy-only --dialect native"), h.deps);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.events).toEqual(["signals.on", "proxy.start"]);
    expect(h.out.join("")).toContain(`ANTHROPIC_BASE_URL=http://127.0.0.1:4321 ANTHROPIC_AUTH_TOKEN=${h.proxyOpts[0].token as string}`);
    h.interrupt();
    expect(await running).toBe(0);
    expect(h.events).toEqual(["signals.on", "proxy.start", "signals.off", "proxy.close"]);
    expect(h.proxyOpts[0].dialect).toBe("native");
  });

  it("the proxy waits 10 minutes for a cold start unless --cold-start-timeout says otherwise", async () => {
    const h = harness();
    await runPlan(planOf("--endpoint http://h/v1"), h.deps);
    await runPlan(planOf("--endpoint http://h/v1 --cold-start-timeout 45"), h.deps);
    expect(h.proxyOpts.map((o) => o.coldStart)).toEqual([{ deadlineMs: 600_000 }, { deadlineMs: 45_000 }]);
  });

  it("a proxy that cannot start (port taken) fails the run with its error", async () => {
    const h = harness({ startProxy: async () => { throw new Error("listen EADDRINUSE: address already in use 127.0.0.1:8080"); } });
    await expect(runPlan(planOf("--endpoint http://h/v1"), h.deps)).rejects.toThrow("EADDRINUSE");
  });
});

describe("--modal: an ephemeral endpoint", () => {
  it("deploys (waiting for readiness), proxies to it with the generated key, and stops it after Claude Code", async () => {
    const h = harness();
    const deployOpts: Array<{ apiKey: string; waitReady: boolean }> = [];
    const base = h.deps.deploy;
    const code = await runPlan(planOf("--modal"), { ...h.deps, deploy: async (spec, o) => { deployOpts.push(o); return base(spec, o); } });
    expect(code).toBe(3);
    const app = h.events[1].replace("deploy ", "");
    expect(app).toMatch(/^coding-agent-server-dev-sera-session-/);
    expect(h.events).toEqual(["signals.on", `deploy ${app}`, "proxy.start", "claude claude-bin", "signals.off", "proxy.close", `stop ${app}`]);
    expect(deployOpts[0].waitReady).toBe(true);
    expect(h.proxyOpts[0]).toMatchObject({ upstream: { baseUrl: "https://ws--app.modal.run/v1", apiKey: deployOpts[0].apiKey } });
  });

  it("Ctrl+C while waiting for readiness stops the app and exits 130", async () => {
    const h = harness();
    const code = await runPlan(planOf("--modal"), {
      ...h.deps,
      deploy: (spec: EndpointSpec, o) =>
        new Promise((_res, reject) => {
          h.events.push(`deploy ${spec.appName}`);
          o.signal.addEventListener("abort", () => reject(new Error("waiting for readiness cancelled")));
          setTimeout(() => h.interrupt(), 10);
        }),
    });
    expect(code).toBe(INTERRUPTED);
    expect(h.events.filter((e) => e.startsWith("stop "))).toHaveLength(1);
    expect(h.events).not.toContain("proxy.start");
    expect(h.err.join("")).toContain("Interrupted.");
  });

  it("the app is stopped even when Claude Code cannot start", async () => {
    const h = harness({ runClaude: async () => { throw new Error("could not start Claude Code (claude-bin): ENOENT"); } });
    await expect(runPlan(planOf("--modal"), h.deps)).rejects.toThrow("could not start Claude Code");
    expect(h.events.at(-1)).toMatch(/^stop coding-agent-server-dev-sera-session-/);
  });

  it.each(["SIGTERM", "SIGHUP"] as const)("%s (kill, closed terminal) ends Claude Code and still stops the app", async (signal) => {
    let h: Harness;
    const aborted: boolean[] = [];
    h = harness({
      runClaude: (_b, _a, _e, terminate) =>
        new Promise<number>((resolve) => {
          terminate.addEventListener("abort", () => { aborted.push(true); resolve(143); });
          setTimeout(() => h.interrupt(signal), 10);
        }),
    });
    expect(await runPlan(planOf("--modal"), h.deps)).toBe(143);
    expect(aborted).toEqual([true]);
    expect(h.events.at(-1)).toMatch(/^stop coding-agent-server-dev-sera-session-/);
  });

  it("Ctrl+C while Claude Code runs is Claude Code's to handle: it is not terminated", async () => {
    let h: Harness;
    let terminated = false;
    h = harness({
      runClaude: (_b, _a, _e, terminate) =>
        new Promise<number>((resolve) => {
          terminate.addEventListener("abort", () => (terminated = true));
          setTimeout(() => h.interrupt("SIGINT"), 5);
          setTimeout(() => resolve(0), 30);
        }),
    });
    expect(await runPlan(planOf("--endpoint http://h/v1"), h.deps)).toBe(0);
    expect(terminated).toBe(false);
  });

  it("a failed deploy is still cleaned up (a half-created app is stopped)", async () => {
    const h = harness({ deploy: async () => { throw new Error("modal deploy failed: quota"); } });
    await expect(runPlan(planOf("--modal"), h.deps)).rejects.toThrow("quota");
    expect(h.events.at(-1)).toMatch(/^stop /);
  });

  it("if stopping fails, the user is told how to stop it by hand and Claude Code's exit code stands", async () => {
    const h = harness({ stop: async () => { throw new Error("network down"); } });
    expect(await runPlan(planOf("--modal"), h.deps)).toBe(3);
    expect(h.err.join("")).toMatch(/Could not stop Modal app (\S+): network down\nStop it with: modal app stop \1 --yes/);
  });
});

describe("deploy, stop, help, dry run", () => {
  it("deploy prints the URL and the API key to share, and does not wait for a GPU", async () => {
    const h = harness();
    let waited: boolean | undefined;
    const base = h.deps.deploy;
    expect(await runPlan(planOf("deploy", { SERA_API_KEY: "team-key" }), { ...h.deps, deploy: (s, o) => { waited = o.waitReady; return base(s, o); } })).toBe(0);
    expect(waited).toBe(false);
    expect(h.out.join("")).toContain("URL:     https://ws--app.modal.run/v1\n  API key: team-key");
    expect(h.events).toContain("deploy coding-agent-server-dev-sera");
  });
  it("stop stops the persistent app", async () => {
    const h = harness();
    expect(await runPlan(planOf("stop"), h.deps)).toBe(0);
    expect(h.events).toEqual(["stop coding-agent-server-dev-sera"]);
  });
  it("help and --dry-run print and touch nothing", async () => {
    for (const argv of ["--help", "--modal --dry-run", "deploy --dry-run"]) {
      const h = harness();
      expect(await runPlan(planOf(argv), h.deps)).toBe(0);
      expect(h.events).toEqual([]);
      expect(h.out.join("")).not.toBe("");
    }
  });
});

describe("vision: vlm-analyzer for Claude Code, image descriptions in the proxy", () => {
  const vlmMcpServer = { command: "/n/node", args: ["/p/mcp/main.ts"], env: { VLM_ENDPOINT: "http://v/v1", VLM_MODEL: "vlm-model", VLM_API_KEY: "vlm-key" } };
  const visionPlan = (argv: string) => {
    let n = 0;
    return buildPlan(parseCli(argv.split(" ").filter(Boolean)), {}, {
      project: PROJECT, claudeBin: "claude-bin", random: () => `r${++n}xxxxxxxx`, ...(seraConfig ? { seraConfig } : {}), vlmMcpServer,
      coderConfig: readEndpointConfigs("dev", PROJECT_DIR).coder,
      coderOutput: { baseUrl: "http://coder/v1", model: "unsloth/Qwen3-Coder-Next-FP8-Dynamic", apiKey: "ck" },
    });
  };

  it("Claude Code gets --mcp-config with a private file that exists while it runs and is gone afterwards; the proxy gets the describer", async () => {
    let seen: { path: string; json: unknown; mode: number } | undefined;
    const h = harness({
      runClaude: async (_bin, args) => {
        const path = args[0]!.replace(/^--mcp-config=/, "");
        seen = { path, json: JSON.parse(readFileSync(path, "utf8")), mode: statSync(path).mode & 0o777 };
        // one argument, so that a prompt after it is not read as a second config file
        expect(args).toEqual([`--mcp-config=${path}`, "-p", "hi"]);
        return 0;
      },
    });
    expect(await runPlan(visionPlan("--coder -- -p hi"), h.deps)).toBe(0);
    expect(seen?.json).toEqual({ mcpServers: { "vlm-analyzer": { type: "stdio", ...vlmMcpServer } } });
    expect(seen?.mode).toBe(0o600);
    expect(existsSync(seen!.path)).toBe(false);
    expect(h.events).toContain("describer vlm-model");
    expect((h.proxyOpts[0]!.images as { model: string }).model).toBe("vlm-model");
    expect(h.err.join("")).toContain("Vision: vlm-analyzer MCP server; images are described by the vision model");
    // the key is in the file, never in argv or the messages
    expect(h.err.join("") + h.out.join("")).not.toContain("vlm-key");
  });

  it("--proxy-only prints the Claude Code command with the coder's model settings and --mcp-config", async () => {
    const h = harness();
    const run = runPlan(visionPlan("--coder --proxy-only"), h.deps);
    await new Promise((r) => setTimeout(r, 20));
    const hint = h.out.join("");
    expect(hint).toMatch(/ANTHROPIC_MODEL=unsloth\/Qwen3-Coder-Next-FP8-Dynamic .*CLAUDE_CODE_MAX_CONTEXT_TOKENS=131072 npx claude --mcp-config=\S+mcp\.json/);
    const file = /--mcp-config=(\S+)/.exec(hint)![1]!;
    expect(existsSync(file)).toBe(true);
    h.interrupt();
    expect(await run).toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  it("--no-vision: no --mcp-config, no describer", async () => {
    const h = harness();
    await runPlan(visionPlan("--coder --no-vision"), h.deps);
    expect(h.events).toContain("claude claude-bin");
    expect(h.proxyOpts[0]!.images).toBeUndefined();
    expect(h.err.join("")).toContain("Vision: off (--no-vision)");
  });
});
