// A private X server for screenshot tests: Xvfb picks a free display number itself (-displayfd), so parallel
// runs never collide, and stop() kills it and every client the test started.
import { spawn, type ChildProcess } from "node:child_process";
import { execa } from "execa";

export interface Xvfb {
  readonly display: string;
  /** Starts an X client on this display; it is killed by stop(). */
  client(command: string, args: readonly string[]): ChildProcess;
  run(command: string, args: readonly string[]): Promise<void>;
  /** Waits until a window with this name is mapped and viewable. */
  waitForWindow(name: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startXvfb(width: number, height: number): Promise<Xvfb> {
  const server = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", `${width}x${height}x24`, "-nolisten", "tcp", "-noreset"], {
    stdio: ["ignore", "ignore", "pipe", "pipe"],
  });
  let stderr = "";
  server.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const number = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`Xvfb did not report a display within 10 s: ${stderr}`)), 10_000);
    (server.stdio[3] as NodeJS.ReadableStream).on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) {
        clearTimeout(timer);
        resolve(out.trim());
      }
    });
    server.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start Xvfb (apt package xvfb): ${err.message}`));
    });
    server.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited with ${code}: ${stderr}`));
    });
  });
  const display = `:${number}`;
  const env = { ...process.env, DISPLAY: display };
  const clients: ChildProcess[] = [];
  const stopped = (p: ChildProcess) => p.exitCode !== null || p.signalCode !== null;
  const kill = async (p: ChildProcess) => {
    if (stopped(p)) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 3000)))]);
    clearTimeout(timer);
    if (!stopped(p)) p.kill("SIGKILL");
  };
  return {
    display,
    client(command, args) {
      const p = spawn(command, [...args], { env, stdio: "ignore" });
      clients.push(p);
      return p;
    },
    async run(command, args) {
      await execa(command, [...args], { env, timeout: 10_000 });
    },
    async waitForWindow(name, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const r = await execa("xwininfo", ["-name", name], { env, reject: false, timeout: 5000 });
        if (r.exitCode === 0 && /Map State: IsViewable/.test(String(r.stdout))) return;
        if (Date.now() > until) throw new Error(`window "${name}" not viewable on ${display} after ${timeoutMs} ms`);
        await new Promise((res) => setTimeout(res, 100));
      }
    },
    async stop() {
      for (const c of clients) await kill(c);
      await kill(server);
    },
  };
}
