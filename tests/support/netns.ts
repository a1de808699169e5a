// Loopback-only network namespaces for tests (needs root and iproute2's `ip netns`). Inside one only 127.0.0.1
// exists, and /etc/resolv.conf (bind-mounted by `ip netns exec` from /etc/netns/<name>/) points at 127.0.0.1,
// where a test runs its DNS logger: any name a program tries to resolve is recorded, nothing leaves the machine.
import { mkdir, rm, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { execa } from "execa";

export type NetnsSupport = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Whether this machine can create a namespace; the reason says what is missing when it cannot. */
export async function netnsSupport(): Promise<NetnsSupport> {
  if (process.platform !== "linux") return { ok: false, reason: `network namespaces are Linux-only (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: "creating a network namespace needs root (`ip netns add`); run the tests as root" };
  const ip = await execa("ip", ["-V"], { reject: false });
  if (ip.exitCode !== 0) return { ok: false, reason: "the `ip` command (Debian package iproute2) is not installed" };
  const probe = `probe-${randomBytes(4).toString("hex")}`;
  const add = await execa("ip", ["netns", "add", probe], { reject: false });
  if (add.exitCode !== 0) return { ok: false, reason: `\`ip netns add\` failed: ${add.stderr.trim()}` };
  await execa("ip", ["netns", "del", probe], { reject: false });
  return { ok: true };
}

export interface LoopbackNetns {
  readonly name: string;
  /** argv to run a command inside the namespace (prefix for execa). */
  readonly execPrefix: readonly string[];
}

export async function createLoopbackNetns(prefix = "test"): Promise<LoopbackNetns & { dispose(): Promise<void> }> {
  const name = `${prefix}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const etcDir = `/etc/netns/${name}`;
  const dispose = async () => {
    await execa("ip", ["netns", "del", name], { reject: false });
    await rm(etcDir, { recursive: true, force: true });
  };
  try {
    await execa("ip", ["netns", "add", name]);
    await execa("ip", ["-n", name, "link", "set", "lo", "up"]);
    await mkdir(etcDir, { recursive: true });
    await writeFile(`${etcDir}/resolv.conf`, "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
  } catch (error) {
    await dispose();
    throw error;
  }
  return { name, execPrefix: ["ip", "netns", "exec", name], dispose };
}

export async function withLoopbackNetns<T>(prefix: string, fn: (ns: LoopbackNetns) => Promise<T>): Promise<T> {
  const ns = await createLoopbackNetns(prefix);
  try {
    return await fn(ns);
  } finally {
    await ns.dispose();
  }
}
