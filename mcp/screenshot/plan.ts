// Which screen-capture commands to try, decided from the platform, the environment and the tools on PATH.
// Pure, so every branch is testable without a display. We call the tools ourselves instead of using the npm
// package screenshot-desktop, whose Linux path has an unhandled rejection that kills the process when there is
// no display (see ../shared/reference/mcp-vision.md §4).

export interface CaptureCandidate {
  readonly tool: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Extra environment for the command (DISPLAY when a display was requested). */
  readonly env: Readonly<Record<string, string>>;
  /** Where the image appears: on stdout, or in this file. */
  readonly output: "stdout" | { readonly file: string };
  readonly format: "png" | "xwd";
}

export type CapturePlan =
  | { readonly ok: true; readonly candidates: readonly CaptureCandidate[] }
  | { readonly ok: false; readonly message: string };

export interface PlanInput {
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The tool's `display` argument: an X11 display such as ":0", or a display number on macOS. */
  readonly display: string | undefined;
  readonly has: (command: string) => boolean;
  /** A fresh temporary file path, for tools that cannot write to stdout. */
  readonly outFile: string;
}

const X11_DISPLAY = /^[A-Za-z0-9.\-_]*:\d+(\.\d+)?$/;

/** PowerShell: capture the virtual screen (all monitors) into a PNG at $args[0]. */
export const WINDOWS_CAPTURE_SCRIPT = [
  "Add-Type -AssemblyName System.Windows.Forms, System.Drawing",
  "$b = [System.Windows.Forms.SystemInformation]::VirtualScreen",
  "$bmp = New-Object System.Drawing.Bitmap $b.Width, $b.Height",
  "$g = [System.Drawing.Graphics]::FromImage($bmp)",
  "$g.CopyFromScreen($b.Left, $b.Top, 0, 0, $bmp.Size)",
  "$bmp.Save($env:VLM_SCREENSHOT_FILE, [System.Drawing.Imaging.ImageFormat]::Png)",
  "$g.Dispose(); $bmp.Dispose()",
].join("; ");

export function planCapture(input: PlanInput): CapturePlan {
  const { platform, env, display, has, outFile } = input;
  switch (platform) {
    case "darwin": {
      if (display !== undefined && !/^\d+$/.test(display)) {
        return { ok: false, message: `On macOS, display must be a display number such as "1" (got ${JSON.stringify(display)}).` };
      }
      const args = ["-x", "-t", "png", ...(display ? ["-D", display] : []), outFile];
      return { ok: true, candidates: [{ tool: "screencapture", command: "screencapture", args, env: {}, output: { file: outFile }, format: "png" }] };
    }
    case "win32":
      return {
        ok: true,
        candidates: [{
          tool: "powershell",
          command: "powershell.exe",
          args: ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command", WINDOWS_CAPTURE_SCRIPT],
          env: { VLM_SCREENSHOT_FILE: outFile },
          output: { file: outFile },
          format: "png",
        }],
      };
    case "linux":
    case "freebsd":
    case "openbsd":
      return planUnix(env, display, has, outFile);
    default:
      return { ok: false, message: `Screen capture is not supported on ${platform}.` };
  }
}

function planUnix(
  env: PlanInput["env"],
  display: string | undefined,
  has: (c: string) => boolean,
  outFile: string,
): CapturePlan {
  if (display !== undefined) {
    if (!X11_DISPLAY.test(display)) {
      return { ok: false, message: `display must be an X11 display name such as ":0" (got ${JSON.stringify(display)}).` };
    }
    return planX11(display, has);
  }
  const wayland = Boolean(env.WAYLAND_DISPLAY) || env.XDG_SESSION_TYPE === "wayland";
  if (wayland) {
    const candidates: CaptureCandidate[] = [];
    if (has("grim")) candidates.push({ tool: "grim", command: "grim", args: ["-t", "png", "-"], env: {}, output: "stdout", format: "png" });
    if (has("gnome-screenshot")) {
      candidates.push({ tool: "gnome-screenshot", command: "gnome-screenshot", args: ["-f", outFile], env: {}, output: { file: outFile }, format: "png" });
    }
    if (candidates.length) return { ok: true, candidates };
    // X11 tools only see XWayland windows (black elsewhere), so they are no fallback here.
    return {
      ok: false,
      message:
        "This is a Wayland session and neither grim (wlroots compositors: Sway, Hyprland…) nor gnome-screenshot (GNOME) " +
        "is installed: install one of them. X11 capture tools return black frames under Wayland.",
    };
  }
  if (env.DISPLAY) return planX11(env.DISPLAY, has);
  return {
    ok: false,
    message:
      "No display to capture: neither DISPLAY nor WAYLAND_DISPLAY is set in the MCP server's environment " +
      "(it is running headless). Pass display (e.g. \":0\") or start the server from a desktop session.",
  };
}

function planX11(display: string, has: (c: string) => boolean): CapturePlan {
  const env = { DISPLAY: display };
  const candidates: CaptureCandidate[] = [];
  if (has("import")) {
    candidates.push({ tool: "import", command: "import", args: ["-silent", "-window", "root", "png:-"], env, output: "stdout", format: "png" });
  }
  if (has("xwd")) candidates.push({ tool: "xwd", command: "xwd", args: ["-root", "-silent"], env, output: "stdout", format: "xwd" });
  if (candidates.length) return { ok: true, candidates };
  return {
    ok: false,
    message: `No X11 screen-capture tool found for display ${display}: install ImageMagick (import) or x11-apps (xwd).`,
  };
}
