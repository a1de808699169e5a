// The REAL Claude Code (node_modules/.bin/claude, `-p`, offline) launched by `sera --coder` itself, from stack
// outputs given as a file (what `pulumi stack output --json --show-secrets` prints): the coder is a vLLM-faithful
// stub (qwen3_coder tool calls, text-only), the vlm-analyzer is the real MCP server (mcp/main.ts) in front of the VLM
// stub. Checked: Claude Code lists vlm-analyzer's tools to the model, the model's Read of a PNG comes back to the
// text-only coder as the VLM's description (never as an image), and every request went to the coder's model and key.
import { jest } from "@jest/globals";
import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { screenshotPng } from "../fixtures/images/generate.ts";
import { createVllmStub, type ChatRequestSeen } from "../support/vllm-stub.ts";
import { VlmStub } from "../support/vlm-stub.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const SERA = join(ROOT, "runtime", "sera", "bin.js");
const CODER_MODEL = "unsloth/Qwen3-Coder-Next-FP8-Dynamic";
const CODER_KEY = "coder-secret-key";
const VLM_KEY = "vlm-secret-key";
const DESCRIPTION = "A login dialog with a red banner: Invalid password (error 401).";
const FINAL = "The screenshot shows a login dialog rejecting the password.";
const MCP_TOOLS = ["mcp__vlm-analyzer__analyze_image", "mcp__vlm-analyzer__analyze_screenshot", "mcp__vlm-analyzer__compare_images"];

jest.setTimeout(180_000);

const temp: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temp.push(d);
  return d;
};
afterAll(() => {
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

const textOf = (m: Record<string, unknown>) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? ""));

it("sera --coder: Claude Code on the coder sees vlm-analyzer's tools, and a PNG it reads reaches the coder as the VLM's description", async () => {
  const project = tempDir("cc-coder-project-");
  const shot = join(project, "shot.png");
  writeFileSync(shot, await screenshotPng(1024, 640, 3));

  // the scripted coder: Read the screenshot, then answer from what the tool result says
  const coder = createVllmStub({
    model: CODER_MODEL,
    apiKey: CODER_KEY,
    toolParser: "qwen3_coder",
    reply: (req: ChatRequestSeen) => {
      const toolMsg = req.messages.find((m) => m.role === "tool");
      if (!toolMsg) return { toolCalls: [{ name: "Read", arguments: { file_path: shot } }] };
      return { text: textOf(toolMsg).includes(DESCRIPTION) ? FINAL : `no description in: ${textOf(toolMsg).slice(0, 200)}` };
    },
  });
  const upstream = await coder.listen();
  const vlm = await new VlmStub({ apiKey: VLM_KEY }).start();
  vlm.defaultReply = { kind: "answer", answer: DESCRIPTION };
  try {
    const outputs = join(tempDir("cc-coder-outputs-"), "outputs.json");
    writeFileSync(outputs, JSON.stringify({
      coder: { baseUrl: upstream.url, model: CODER_MODEL, apiKey: CODER_KEY },
      vlm: { baseUrl: vlm.endpoint, model: vlm.model, apiKey: VLM_KEY, maxImagesPerPrompt: 5 },
      vlmMcpServer: { command: process.execPath, args: [join(ROOT, "mcp", "bin.js")], env: { VLM_ENDPOINT: vlm.endpoint, VLM_MODEL: vlm.model, VLM_API_KEY: VLM_KEY, VLM_MAX_IMAGES: "5", VLM_TIMEOUT: "30" } },
    }));
    const home = tempDir("cc-coder-home-");
    // NOTES.md: as root, --dangerously-skip-permissions needs IS_SANDBOX=1.
    const root = process.getuid?.() === 0 ? { IS_SANDBOX: "1" } : {};
    const r = await execa(process.execPath, [SERA, "--coder", "--outputs", outputs, "--port", "0", "--", "What does shot.png show?", "-p", "--dangerously-skip-permissions"], {
      cwd: project,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, XDG_STATE_HOME: home, TERM: "dumb", ...root },
      extendEnv: false,
      input: "",
      reject: false,
      timeout: 150_000,
    });
    const all = `${r.stdout}\n${r.stderr}`;
    expect({ exitCode: r.exitCode, timedOut: r.timedOut }).toEqual({ exitCode: 0, timedOut: false });
    expect(String(r.stdout).trim()).toBe(FINAL);
    expect(r.stderr).toContain("(native dialect)");
    expect(r.stderr).toContain("Vision: vlm-analyzer MCP server; images are described by the vision model");

    const seen = coder.requests;
    expect(seen).toHaveLength(2);
    // Claude Code ran on the coder's model name (ANTHROPIC_MODEL): it says so in its environment block
    expect(textOf(seen[0]!.messages.find((m) => m.role === "system" && textOf(m).includes("You are powered by"))!))
      .toContain(`You are powered by the model ${CODER_MODEL}.`);
    for (const req of seen) {
      expect(req.model).toBe(CODER_MODEL);
      // Claude Code registered the vlm-analyzer MCP server from --mcp-config and offers its tools to the model
      expect(req.tools?.map((t) => t.function.name)).toEqual(expect.arrayContaining(["Read", ...MCP_TOOLS]));
      // nothing image-shaped reaches the text-only coder
      expect(JSON.stringify(req.messages)).not.toContain("image_url");
    }
    const toolMsg = seen[1]!.messages.find((m) => m.role === "tool")!;
    expect(textOf(toolMsg)).toContain(`the vision model ${vlm.model} described this one for you]\n${DESCRIPTION}`);
    // the VLM saw the real PNG (Claude Code's Read may downscale it; the proxy fits it to the token budget)
    expect(vlm.requests).toHaveLength(1);
    expect(vlm.requests[0]!.images).toHaveLength(1);
    expect(vlm.requests[0]!.headers.authorization).toBe(`Bearer ${VLM_KEY}`);
    // keys never in sera's output or log
    const log = readFileSync(join(home, "coding-agent-server", "sera.log"), "utf8");
    for (const secret of [CODER_KEY, VLM_KEY]) {
      expect(all).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
    expect(log).toContain('"msg":"image described"');
  } finally {
    await upstream.close();
    await vlm.stop();
  }
});
