// Runs the capture plan: tries each candidate tool in order and returns the first image it gets.
// Every failure (no display, tool missing, X server refusing the connection) becomes a ToolError.
import { findOnPath } from "../../lib/which.ts";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { execa } from "execa";
import sharp from "sharp";
import { ToolError, errorCode, messageOf } from "../errors.ts";
import { planCapture, type CaptureCandidate } from "./plan.ts";
import { decodeXwd } from "./xwd.ts";

const CAPTURE_TIMEOUT_MS = 20_000;
/** An 8K RGBA XWD dump is 132 MB. */
const MAX_CAPTURE_BYTES = 512 * 1024 * 1024;

export interface CaptureDeps {
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface Screenshot {
  readonly image: Buffer;
  readonly tool: string;
}

/** Is `command` an executable in one of pathVar's directories? */
export function onPath(command: string, pathVar: string | undefined): boolean {
  return findOnPath(command, pathVar) !== undefined;
}

export async function captureScreen(display: string | undefined, deps: CaptureDeps, signal: AbortSignal): Promise<Screenshot> {
  const dir = await mkdtemp(join(tmpdir(), "vlm-shot-"));
  try {
    const plan = planCapture({
      platform: deps.platform,
      env: deps.env,
      display,
      has: (c) => onPath(c, deps.env.PATH),
      outFile: join(dir, "screen.png"),
    });
    if (!plan.ok) throw new ToolError(plan.message);
    const failures: string[] = [];
    for (const candidate of plan.candidates) {
      try {
        return { image: await runCandidate(candidate, deps, signal), tool: candidate.tool };
      } catch (err) {
        if (signal.aborted) throw new ToolError("The screenshot was cancelled by the client.");
        failures.push(`${candidate.tool}: ${messageOf(err)}`);
      }
    }
    throw new ToolError(`Screen capture failed. ${failures.join("; ")}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runCandidate(c: CaptureCandidate, deps: CaptureDeps, signal: AbortSignal): Promise<Buffer> {
  const result = await execa(c.command, [...c.args], {
    env: { ...deps.env, ...c.env },
    extendEnv: false,
    encoding: "buffer",
    stdin: "ignore",
    timeout: CAPTURE_TIMEOUT_MS,
    maxBuffer: MAX_CAPTURE_BYTES,
    cancelSignal: signal,
    reject: false,
  });
  if (result.failed) {
    const stderr = Buffer.from(result.stderr).toString("utf8").trim().split("\n").slice(-2).join(" ");
    const why = result.timedOut
      ? `timed out after ${CAPTURE_TIMEOUT_MS / 1000} s`
      : result.exitCode !== undefined
        ? `exit code ${result.exitCode}`
        : (errorCode(result.cause) ?? result.shortMessage);
    throw new Error(stderr ? `${why}: ${stderr}` : why);
  }
  const bytes = c.output === "stdout" ? Buffer.from(result.stdout) : await readFile(c.output.file);
  if (bytes.length === 0) throw new Error("the tool produced no image");
  if (c.format === "xwd") {
    const raw = decodeXwd(bytes);
    return sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
  }
  return bytes;
}
