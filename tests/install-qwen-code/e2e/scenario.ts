// One end-to-end run, shared by the host test and the network-namespace test (which runs it inside the
// namespace through netns-entry.ts): stub coder + stub VLM on 127.0.0.1, the installer writes ~/.qwen from an
// outputs file, then the REAL qwen-code runs one prompt through `qodal` and calls our MCP server (mcp/main.ts).
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import sharp from "sharp";
import { PRIVACY_ENV, PRIVACY_SETTINGS } from "../../../runtime/install-qwen-code/privacy.ts";
import { removeAt } from "../../../runtime/install-qwen-code/json-path.ts";
import { messageText, startOpenAIStub } from "../../support/openai-script-stub.ts";
import type { Script } from "../../support/openai-script-stub.ts";
import { VlmStub } from "../../support/vlm-stub.ts";

export const CODER_MODEL = "unsloth/Qwen3-Coder-Next-FP8-Dynamic";
export const VLM_MODEL = "Qwen/Qwen3-VL-32B-Thinking-FP8";
export const CODER_KEY = "sk-coder-e2e-0123456789";
export const VLM_KEY = "sk-vlm-e2e-9876543210";
export const VLM_ANSWER = "A red square centred on a white background.";
export const VLM_REASONING = "Let me inspect the colours before answering.";
export const MCP_TOOL = "mcp__vlm-analyzer__analyze_image";
export const PROMPT = "Use the analyze_image tool on ./square.png and tell me what it shows.";
export const FINAL_PREFIX = "The vision model says:";

/**
 * The coder as a model would behave on qwen-code 0.24: MCP tools are deferred (only named in a system reminder),
 * so turn 1 reviews the schema with `tool_search`, turn 2 invokes it through the `tool_call` bridge, turn 3
 * answers with the tool's result. Any other request gets a text that makes the test fail visibly.
 */
type Message = { role?: unknown; content?: unknown; tool_calls?: Array<{ function: { name: string } }> };

export const vlmToolScript: Script = (request) => {
  const messages = request.messages as Message[];
  const last = messages[messages.length - 1];
  const previousCall = messages[messages.length - 2]?.tool_calls?.[0]?.function.name;
  const declared = (request.tools ?? []).map((t) => t.function.name);
  if (last?.role === "tool" && (previousCall === "tool_call" || previousCall === MCP_TOOL)) {
    return { text: `${FINAL_PREFIX} ${messageText(last)}` };
  }
  const args = { image_path: "./square.png", prompt: "What does this image show?" };
  if (declared.includes(MCP_TOOL)) return { toolCalls: [{ name: MCP_TOOL, arguments: args }] };
  if (last?.role === "tool" && previousCall === "tool_search" && messageText(last).includes(MCP_TOOL)) {
    return { toolCalls: [{ name: "tool_call", arguments: { name: MCP_TOOL, arguments: args } }] };
  }
  if (JSON.stringify(messages).includes(MCP_TOOL) && declared.includes("tool_search")) {
    return { toolCalls: [{ name: "tool_search", arguments: { query: `select:${MCP_TOOL}` } }] };
  }
  return { text: `UNEXPECTED REQUEST: no ${MCP_TOOL} offered` };
};

export interface ScenarioOptions {
  /** The repository (runtime/, mcp/, node_modules/). */
  readonly projectDir: string;
  /** An empty temporary directory; HOME and the working directory live in it. */
  readonly workDir: string;
  /** "installer": settings as written; "qwen-defaults": the privacy keys removed again (qwen's defaults). */
  readonly privacy: "installer" | "qwen-defaults";
  readonly modalProxy?: { readonly tokenId: string; readonly tokenSecret: string };
  readonly timeoutMs: number;
  /** Also return the coder requests' full bodies (for re-capturing tests/fixtures/qwen-code). */
  readonly keepBodies?: boolean;
}

export interface RunOutcome {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface ScenarioResult {
  readonly installer: RunOutcome;
  readonly qodal: RunOutcome;
  readonly settingsMode: number;
  readonly settings: Record<string, unknown>;
  /** qwen migrates (rewrites) a settings file without `"$version": 4` and keeps the old one as settings.json.orig. */
  readonly settingsRewrittenByQwen: boolean;
  readonly coderRequests: ReadonlyArray<{ path: string; headers: Record<string, unknown>; model?: string; tools: string[]; calls: string[] }>;
  readonly vlmRequests: ReadonlyArray<{ path: string; headers: Record<string, unknown>; images: Array<{ width: number; height: number }> }>;
  readonly coderBodies?: ReadonlyArray<unknown>;
}

const outcome = (r: { exitCode?: number; stdout?: unknown; stderr?: unknown; timedOut?: boolean }): RunOutcome => ({
  exitCode: r.exitCode,
  stdout: String(r.stdout ?? ""),
  stderr: String(r.stderr ?? ""),
  timedOut: r.timedOut ?? false,
});

export async function runScenario(opts: ScenarioOptions): Promise<ScenarioResult> {
  const home = join(opts.workDir, "home");
  const project = join(opts.workDir, "project");
  await mkdir(home, { recursive: true });
  await mkdir(project, { recursive: true });
  const proxy = opts.modalProxy;
  const vlm = await new VlmStub({
    model: VLM_MODEL,
    apiKey: VLM_KEY,
    ...(proxy ? { modalProxy: { key: proxy.tokenId, secret: proxy.tokenSecret } } : {}),
  }).start();
  vlm.defaultReply = { kind: "answer", layout: "think-tags", answer: VLM_ANSWER, reasoning: VLM_REASONING };
  const coder = await startOpenAIStub({ script: vlmToolScript, model: CODER_MODEL, apiKey: CODER_KEY, ...(proxy ? { modalProxy: proxy } : {}) });
  try {
    await sharp({ create: { width: 640, height: 480, channels: 3, background: "#ffffff" } })
      .composite([{ input: await sharp({ create: { width: 200, height: 200, channels: 3, background: "#ff0000" } }).png().toBuffer(), top: 140, left: 220 }])
      .png()
      .toFile(join(project, "square.png"));

    // The stack outputs as `pulumi stack output --json --show-secrets` prints them (keys of the lead's index.ts).
    const outputsFile = join(opts.workDir, "outputs.json");
    const node = process.execPath;
    await writeFile(
      outputsFile,
      JSON.stringify({
        coder: { baseUrl: coder.baseUrl, model: CODER_MODEL, apiKey: CODER_KEY },
        vlm: { baseUrl: vlm.endpoint, model: VLM_MODEL, apiKey: VLM_KEY, maxImagesPerPrompt: 5 },
        vlmMcpServer: {
          command: node,
          args: [join(opts.projectDir, "mcp", "bin.js")],
          env: { VLM_ENDPOINT: vlm.endpoint, VLM_MODEL, VLM_API_KEY: VLM_KEY, VLM_MAX_IMAGES: "5", VLM_TIMEOUT: "60" },
        },
      }),
    );

    // A user's PATH: the system directories plus the project's bin (Node 24 and the pinned qwen-code), as under npx.
    const binPath = `${join(opts.projectDir, "node_modules", ".bin")}:/usr/local/bin:/usr/bin:/bin`;
    const installerEnv: Record<string, string> = { HOME: home, PATH: binPath, TERM: "dumb", ...(proxy ? { MODAL_PROXY_TOKEN_ID: proxy.tokenId, MODAL_PROXY_TOKEN_SECRET: proxy.tokenSecret } : {}) };
    const installer = outcome(
      await execa(node, [join(opts.projectDir, "runtime", "install-qwen-code", "bin.ts"), "--outputs", outputsFile], {
        env: installerEnv,
        extendEnv: false,
        reject: false,
        timeout: opts.timeoutMs,
        stdin: "ignore",
        cwd: opts.projectDir,
      }),
    );
    const settingsPath = join(home, ".qwen", "settings.json");
    if (installer.exitCode !== 0) {
      return { installer, qodal: { exitCode: undefined, stdout: "", stderr: "installer failed", timedOut: false }, settingsMode: 0, settings: {}, settingsRewrittenByQwen: false, coderRequests: [], vlmRequests: [] };
    }
    let settings = JSON.parse(await readFile(settingsPath, "utf8")) as Record<string, unknown>;
    if (opts.privacy === "qwen-defaults") {
      let stripped: unknown = settings;
      for (const control of PRIVACY_SETTINGS) stripped = removeAt(stripped, control.path);
      for (const key of Object.keys(PRIVACY_ENV)) stripped = removeAt(stripped, ["env", key]);
      settings = stripped as Record<string, unknown>;
      await writeFile(settingsPath, JSON.stringify(settings, null, 2), { mode: 0o600 });
    }
    const settingsMode = (await stat(settingsPath)).mode & 0o777;
    const settingsText = await readFile(settingsPath, "utf8");

    // qodal from a plain shell environment: no project bin on PATH, no OPENAI_* — the wrapper supplies them.
    const qodal = outcome(
      await execa(join(home, ".local", "bin", "qodal"), [PROMPT], {
        cwd: project,
        env: { HOME: home, PATH: "/usr/local/bin:/usr/bin:/bin", TERM: "dumb" },
        extendEnv: false,
        reject: false,
        timeout: opts.timeoutMs,
        stdin: "ignore",
      }),
    );
    const settingsRewrittenByQwen =
      (await readFile(settingsPath, "utf8")) !== settingsText || (await readdir(join(home, ".qwen"))).some((f) => f.endsWith(".orig"));
    return {
      installer,
      qodal,
      settingsMode,
      settings,
      settingsRewrittenByQwen,
      coderRequests: coder.requests.map((r) => ({
        path: r.path,
        headers: { ...r.headers },
        model: r.body?.model,
        tools: (r.body?.tools ?? []).map((t) => t.function.name),
        calls: ((r.body?.messages ?? []) as Message[]).flatMap((m) => (m.tool_calls ?? []).map((c) => c.function.name)),
      })),
      ...(opts.keepBodies ? { coderBodies: coder.requests.map((r) => r.body) } : {}),
      vlmRequests: vlm.requests.map((r) => ({ path: r.path, headers: { ...r.headers }, images: r.images.map((i) => ({ width: i.width, height: i.height })) })),
    };
  } finally {
    await coder.close();
    await vlm.stop();
  }
}
