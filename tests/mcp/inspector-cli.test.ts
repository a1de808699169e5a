// The MCP Inspector CLI (@modelcontextprotocol/inspector 2.12, the devDependency) drives the real server:
// tools/list passes its --strict schema-portability lint, tools/call analyze_image reaches the stub VLM, and an
// isError result gives the CLI's documented exit code 5.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { solidImage } from "../fixtures/images/generate.ts";
import { VlmStub } from "../support/vlm-stub.ts";
import { MAIN, REPO } from "./support.ts";

const LAUNCHER = join(REPO, "node_modules", "@modelcontextprotocol", "inspector", "clients", "launcher", "build", "index.js");

let stub: VlmStub;
let dir: string;
let image: string;

beforeAll(async () => {
  stub = await new VlmStub().start();
  dir = await mkdtemp(join(tmpdir(), "vlm-inspector-"));
  image = join(dir, "square.png");
  await writeFile(image, await solidImage(300, 200, { r: 0x12, g: 0x34, b: 0x56 }, "png"));
});

afterAll(async () => {
  await stub?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `mcp-inspector --cli -e … <node> mcp/main.ts <args>`, with the inspector's state kept out of $HOME. */
function inspector(args: readonly string[]) {
  return execa(
    process.execPath,
    [LAUNCHER, "--cli", "--format", "json", "-q", "-e", `VLM_ENDPOINT=${stub.endpoint}`, process.execPath, MAIN, ...args],
    {
      reject: false,
      timeout: 30_000,
      env: { MCP_CATALOG_PATH: join(dir, "catalog.json"), MCP_CLIENT_CONFIG_PATH: join(dir, "client.json") },
    },
  );
}

describe("MCP Inspector CLI", () => {
  it("lists the three tools, with no --strict schema problems", async () => {
    const r = await inspector(["--method", "tools/list", "--strict"]);
    expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 0, stderr: "" });
    const tools = (JSON.parse(r.stdout) as { result: { tools: { name: string; annotations: object }[] } }).result.tools;
    expect(tools.map((t) => t.name).sort()).toEqual(["analyze_image", "analyze_screenshot", "compare_images"]);
    for (const t of tools) expect(t.annotations).toMatchObject({ readOnlyHint: true });
  });

  it("calls analyze_image against the stub VLM", async () => {
    stub.requests.length = 0;
    const r = await inspector([
      "--method", "tools/call", "--tool-name", "analyze_image",
      "--tool-arg", `image_path=${image}`, "--tool-arg", "prompt=What colour is the square?",
    ]);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout) as { result: { content: { text: string }[]; structuredContent: { images: unknown[] } } };
    expect(out.result.content[0]!.text).toBe("Saw 1 image(s): 320x224.");
    expect(out.result.structuredContent.images).toHaveLength(1);
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]!.texts).toEqual(["What colour is the square?"]);
  });

  it("exits 5 when the tool returns isError (missing file)", async () => {
    const r = await inspector([
      "--method", "tools/call", "--tool-name", "analyze_image",
      "--tool-arg", `image_path=${join(dir, "missing.png")}`, "--tool-arg", "prompt=x",
    ]);
    expect(r.exitCode).toBe(5);
    expect(r.stdout).toContain("File not found");
  });
});
