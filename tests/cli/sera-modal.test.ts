// `sera --modal` end to end through main(): the stack's sera config → the component's spec → the real
// deploy runner (components/modal/runner.ts) driving the fake `modal` CLI (which loads vllm_app.py with the
// real Modal SDK) → readiness → the real proxy → a client in place of Claude Code → the app stopped.
// The deployed web URL (https://fake-ws--….modal.run) is served by a local vLLM stub: a fetch that routes that
// host to 127.0.0.1 stands in for DNS, and answers 503 for the first polls like a container still starting.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildEndpoint } from "../../components/endpoint-spec.ts";
import { deployEndpoint, type DeployOptions } from "../../components/modal/runner.ts";
import { PROJECT, PROJECT_DIR } from "../../components/stack-config.ts";
import { startProxy } from "../../runtime/proxy/server.ts";
import { main } from "../../runtime/sera/main.ts";
import { readSeraConfig } from "../../runtime/sera/stack.ts";
import { FAKE_MODAL_DIR } from "../support/project.ts";
import { createVllmStub } from "../support/vllm-stub.ts";

const KEYS = ["appsuffix1", "generated-vllm-key", "proxy-token"];
let dirs: string[] = [];
let stubServer: { url: string; close(): Promise<void> };
let stub: ReturnType<typeof createVllmStub>;

beforeEach(async () => {
  dirs = [mkdtempSync(join(tmpdir(), "fake-modal-")), mkdtempSync(join(tmpdir(), "sera-home-"))];
  stub = createVllmStub({ model: "allenai/SERA-32B", apiKey: "generated-vllm-key", reply: () => ({ text: "hello from SERA" }) });
  stubServer = await stub.listen();
});
afterEach(async () => {
  await stubServer.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function setup(coldPolls: number) {
  const [state, home] = dirs;
  const env = {
    PATH: `${FAKE_MODAL_DIR}:${process.env.PATH}`,
    HOME: home,
    XDG_STATE_HOME: join(home, "state"),
    FAKE_MODAL_STATE: state,
    MODAL_TOKEN_ID: "ak-test",
    MODAL_TOKEN_SECRET: "as-test",
  };
  let polls = 0;
  const modalDns: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname.endsWith(".modal.run")) {
      if (url.pathname === "/v1/models" && polls++ < coldPolls) return new Response("503 Service Unavailable", { status: 503 });
      const local = new URL(stubServer.url);
      url.protocol = local.protocol;
      url.host = local.host;
    }
    return input instanceof Request ? fetch(new Request(url, input), init) : fetch(url, init);
  };
  let k = 0;
  const err: string[] = [];
  const out: string[] = [];
  let interrupt: ((signal: NodeJS.Signals) => void) | undefined;
  const calls = () => readFileSync(join(state, "calls.log"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as string[]).slice(0, 2).join(" "));
  const modalState = () => JSON.parse(readFileSync(join(state, "state.json"), "utf8")) as { apps: Record<string, { state: string; spec: string }>; secrets: Record<string, unknown> };
  const deps = {
    random: () => KEYS[k++ % KEYS.length],
    deploy: (spec: Parameters<typeof deployEndpoint>[0], o: DeployOptions) => deployEndpoint(spec, { ...o, env, fetch: modalDns, intervalMs: 20 } as DeployOptions),
    startProxy: (o: Parameters<typeof startProxy>[0]) => startProxy({ ...o, port: 0, fetch: modalDns }),
    onInterrupt: (h: (signal: NodeJS.Signals) => void) => {
      interrupt = h;
      return () => (interrupt = undefined);
    },
    out: (t: string) => void out.push(t),
    err: (t: string) => {
      err.push(t);
      if (t.includes("waiting for") && coldPolls > 1000) interrupt?.("SIGINT");
    },
  };
  return { env, deps, err, out, calls, modalState };
}

it("deploys the stack's sera endpoint, waits for it, proxies Claude Code's requests to it and stops it", async () => {
  const h = setup(2);
  const seen: Array<{ status: number; text: string }> = [];
  const code = await main(["--modal"], {
    env: h.env,
    projectDir: PROJECT_DIR,
    deps: {
      ...h.deps,
      // in place of Claude Code: one request through the proxy with the environment sera gives it
      runClaude: async (_bin, _args, env) => {
        const res = await fetch(`${env.ANTHROPIC_BASE_URL}/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${env.ANTHROPIC_AUTH_TOKEN}` },
          body: JSON.stringify({ model: "claude-opus-4-8", max_tokens: 100, messages: [{ role: "user", content: "hi" }] }),
        });
        const body = (await res.json()) as { content: Array<{ text: string }> };
        seen.push({ status: res.status, text: body.content.map((b) => b.text).join("") });
        return 7;
      },
    },
  });
  expect(code).toBe(7);
  expect(seen).toEqual([{ status: 200, text: "hello from SERA" }]);

  const app = "coding-agent-server-dev-sera-session-appsuffi";
  expect(h.calls()).toEqual(["secret create", `deploy ${join(PROJECT_DIR, "components/modal/vllm_app.py")}`, `__web_url ${app}`, `app stop`, "secret delete"]);
  const st = h.modalState();
  expect(st.apps[`main/${app}`].state).toBe("stopped");
  expect(st.secrets).toEqual({});
  // the same endpoint definition the Pulumi component deploys (Pulumi.dev.yaml → buildEndpoint)
  const { enabled: _e, ...args } = readSeraConfig("dev", PROJECT_DIR).config!;
  const spec = buildEndpoint("sera", { ...args, appName: app }, { project: PROJECT, stack: "dev", hasApiKey: true }).spec;
  expect(JSON.parse(st.apps[`main/${app}`].spec)).toEqual(spec);
  // readiness was waited for with progress; the key never reached the output
  const progress = h.err.join("");
  expect(progress).toMatch(/waiting for https:\/\/fake-ws--.*modal\.run .*last: HTTP 503/);
  expect(progress).toContain("Modal app stopped.");
  expect(progress + h.out.join("")).not.toContain("generated-vllm-key");
  expect(stub.requests).toHaveLength(1);
  expect(readFileSync(join(h.env.XDG_STATE_HOME, "coding-agent-server", "sera.log"), "utf8")).not.toContain("generated-vllm-key");
}, 60_000);

it("Ctrl+C during the cold start stops the app and exits 130", async () => {
  const h = setup(1_000_000);
  const code = await main(["--modal"], { env: h.env, projectDir: PROJECT_DIR, deps: { ...h.deps, runClaude: async () => { throw new Error("must not run"); } } });
  expect(code).toBe(130);
  const st = h.modalState();
  expect(Object.values(st.apps).map((a) => a.state)).toEqual(["stopped"]);
  expect(st.secrets).toEqual({});
  expect(stub.requests).toHaveLength(0);
}, 60_000);

it("sera deploy / sera stop: the persistent app, its URL and key printed", async () => {
  const h = setup(0);
  expect(await main(["deploy"], { env: { ...h.env, SERA_API_KEY: "team-key" }, projectDir: PROJECT_DIR, deps: h.deps })).toBe(0);
  expect(h.out.join("")).toContain("URL:     https://fake-ws--coding-agent-server-dev-sera-serve.modal.run/v1\n  API key: team-key");
  expect(h.modalState().apps["main/coding-agent-server-dev-sera"].state).toBe("deployed");
  expect(await main(["stop"], { env: h.env, projectDir: PROJECT_DIR, deps: h.deps })).toBe(0);
  expect(h.modalState().apps["main/coding-agent-server-dev-sera"].state).toBe("stopped");
  // stopping again is fine (already stopped)
  expect(await main(["stop"], { env: h.env, projectDir: PROJECT_DIR, deps: h.deps })).toBe(0);
}, 60_000);
