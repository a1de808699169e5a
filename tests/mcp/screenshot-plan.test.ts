import { planCapture, type PlanInput } from "../../mcp/screenshot/plan.ts";

const plan = (over: Partial<PlanInput> & { tools?: string[] }) =>
  planCapture({
    platform: "linux",
    env: {},
    display: undefined,
    outFile: "/tmp/s.png",
    has: (c) => (over.tools ?? ["import", "xwd", "grim", "gnome-screenshot"]).includes(c),
    ...over,
  });
const tools = (p: ReturnType<typeof planCapture>) => (p.ok ? p.candidates.map((c) => `${c.command} ${c.args.join(" ")}`) : p.message);

describe("planCapture", () => {
  it.each<[string, Partial<PlanInput> & { tools?: string[] }, string[] | RegExp]>([
    ["X11 via DISPLAY: import, then xwd", { env: { DISPLAY: ":0" } }, ["import -silent -window root png:-", "xwd -root -silent"]],
    ["X11 with only xwd installed", { env: { DISPLAY: ":0" }, tools: ["xwd"] }, ["xwd -root -silent"]],
    ["display argument wins over Wayland", { env: { WAYLAND_DISPLAY: "wayland-0" }, display: ":1" }, ["import -silent -window root png:-", "xwd -root -silent"]],
    ["Wayland: grim, then gnome-screenshot", { env: { WAYLAND_DISPLAY: "wayland-0", DISPLAY: ":0" } }, ["grim -t png -", "gnome-screenshot -f /tmp/s.png"]],
    ["Wayland session type without WAYLAND_DISPLAY", { env: { XDG_SESSION_TYPE: "wayland" }, tools: ["gnome-screenshot"] }, ["gnome-screenshot -f /tmp/s.png"]],
    ["Wayland without grim/gnome-screenshot: no X11 fallback", { env: { WAYLAND_DISPLAY: "w", DISPLAY: ":0" }, tools: ["import"] },
      /Wayland session and neither grim .* nor gnome-screenshot .* X11 capture tools return black frames/],
    ["no display at all", { env: {} }, /^No display to capture: neither DISPLAY nor WAYLAND_DISPLAY is set/],
    ["X11 without tools", { env: { DISPLAY: ":0" }, tools: [] }, /install ImageMagick \(import\) or x11-apps \(xwd\)/],
    ["bad X11 display name", { display: "0; rm -rf /" }, /display must be an X11 display name/],
    ["macOS", { platform: "darwin" }, ["screencapture -x -t png /tmp/s.png"]],
    ["macOS second display", { platform: "darwin", display: "2" }, ["screencapture -x -t png -D 2 /tmp/s.png"]],
    ["macOS bad display", { platform: "darwin", display: ":0" }, /On macOS, display must be a display number/],
    ["unsupported platform", { platform: "aix" }, /not supported on aix/],
  ])("%s", (_l, input, expected) => {
    const p = plan(input);
    if (expected instanceof RegExp) expect(tools(p)).toMatch(expected);
    else expect(tools(p)).toEqual(expected);
  });

  it("X11 commands get the requested DISPLAY", () => {
    const p = plan({ env: { DISPLAY: ":0" }, display: "host:3.0" });
    expect(p.ok && p.candidates.map((c) => c.env.DISPLAY)).toEqual(["host:3.0", "host:3.0"]);
  });

  it("Windows uses PowerShell with the output path in the environment, not in the script", () => {
    const p = plan({ platform: "win32" });
    if (!p.ok) throw new Error(p.message);
    const c = p.candidates[0]!;
    expect(c.command).toBe("powershell.exe");
    expect(c.args.slice(0, 5)).toEqual(["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command"]);
    expect(c.args[5]).toContain("CopyFromScreen");
    expect(c.args[5]).not.toContain("/tmp/s.png");
    expect(c.env).toEqual({ VLM_SCREENSHOT_FILE: "/tmp/s.png" });
    expect(c.output).toEqual({ file: "/tmp/s.png" });
  });
});
