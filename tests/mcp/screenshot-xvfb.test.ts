// analyze_screenshot against a real X server: Xvfb with a solid root colour (xsetroot) and an xlogo window.
// The image the stub VLM receives must show that content: the root colour where nothing is drawn, the logo's
// black-on-white inside its window. Checked for both capture paths: ImageMagick `import` and bare `xwd`.
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { VlmStub } from "../support/vlm-stub.ts";
import { callTool, serverEnv, spawnServer, textOf } from "./support.ts";
import { startXvfb, type Xvfb } from "./xvfb.ts";

const ROOT = { r: 0xd0, g: 0x30, b: 0x20 };
const LOGO = { x: 100, y: 100, w: 300, h: 300 };

let x: Xvfb;
let stub: VlmStub;
let onlyXwd: string;

beforeAll(async () => {
  stub = await new VlmStub().start();
  x = await startXvfb(1024, 768);
  await x.run("xsetroot", ["-solid", "#d03020"]);
  x.client("xlogo", ["-geometry", `${LOGO.w}x${LOGO.h}+${LOGO.x}+${LOGO.y}`, "-bg", "#ffffff", "-fg", "#000000"]);
  await x.waitForWindow("xlogo");
  // A PATH on which the only capture tool is xwd, to exercise the XWD decoder instead of ImageMagick.
  onlyXwd = await mkdtemp(join(tmpdir(), "vlm-xwd-only-"));
  await symlink("/usr/bin/xwd", join(onlyXwd, "xwd"));
}, 30_000);

afterAll(async () => {
  await x?.stop();
  await stub?.stop();
  if (onlyXwd) await rm(onlyXwd, { recursive: true, force: true });
});

async function expectDrawnContent(png: Buffer): Promise<void> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height]).toEqual([1024, 768]); // 768 tokens: within budget, sent as captured
  const px = (x0: number, y0: number) => {
    const i = (y0 * info.width + x0) * 3;
    return { r: data[i]!, g: data[i + 1]!, b: data[i + 2]! };
  };
  const near = (a: { r: number; g: number; b: number }, b: typeof a) =>
    Math.abs(a.r - b.r) < 24 && Math.abs(a.g - b.g) < 24 && Math.abs(a.b - b.b) < 24;

  // The root colour everywhere outside the logo window.
  for (const [px0, py0] of [[10, 10], [900, 600], [600, 200], [50, 700]] as const) expect(near(px(px0, py0), ROOT)).toBe(true);
  // Inside the window: white background and a black logo, in real proportions.
  let white = 0;
  let black = 0;
  for (let y = LOGO.y + 5; y < LOGO.y + LOGO.h - 5; y++) {
    for (let xx = LOGO.x + 5; xx < LOGO.x + LOGO.w - 5; xx++) {
      const p = px(xx, y);
      if (p.r > 230 && p.g > 230 && p.b > 230) white++;
      else if (p.r < 25 && p.g < 25 && p.b < 25) black++;
    }
  }
  const area = (LOGO.w - 10) * (LOGO.h - 10);
  expect(white / area).toBeGreaterThan(0.3);
  expect(black / area).toBeGreaterThan(0.1);
  // And the frame as a whole is not flat.
  const stats = await sharp(png).stats();
  expect(Math.max(...stats.channels.slice(0, 3).map((c) => c.stdev))).toBeGreaterThan(30);
}

describe("analyze_screenshot under Xvfb", () => {
  it("captures the display named in the call with ImageMagick import", async () => {
    const srv = await spawnServer(serverEnv({ VLM_ENDPOINT: stub.endpoint }));
    try {
      const { result } = await callTool(srv.client, "analyze_screenshot", { prompt: "What is on screen?", display: x.display });
      expect(result.isError).toBeFalsy();
      expect(textOf(result)).toBe("Saw 1 image(s): 1024x768.");
      expect((result.structuredContent as any).images[0]).toMatchObject({ source: `screenshot of ${x.display}`, originalWidth: 1024 });
      expect(srv.stderr()).toMatch(/captured with import/);
      await expectDrawnContent(stub.requests.at(-1)!.images[0]!.data);
    } finally {
      await srv.close();
    }
  });

  it("captures the server's own DISPLAY with xwd when ImageMagick is absent", async () => {
    const srv = await spawnServer(serverEnv({ VLM_ENDPOINT: stub.endpoint, DISPLAY: x.display, PATH: onlyXwd }));
    try {
      const { result } = await callTool(srv.client, "analyze_screenshot", { prompt: "What is on screen?" });
      expect(result.isError).toBeFalsy();
      expect(srv.stderr()).toMatch(/captured with xwd/);
      await expectDrawnContent(stub.requests.at(-1)!.images[0]!.data);
    } finally {
      await srv.close();
    }
  });

  it("reports a missing capture tool as an error naming the packages", async () => {
    const srv = await spawnServer(serverEnv({ VLM_ENDPOINT: stub.endpoint, DISPLAY: x.display, PATH: "/nonexistent" }));
    try {
      const { result } = await callTool(srv.client, "analyze_screenshot", { prompt: "x" });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/No X11 screen-capture tool found .* install ImageMagick \(import\) or x11-apps \(xwd\)/);
    } finally {
      await srv.close();
    }
  });
});
