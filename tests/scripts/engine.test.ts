import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import {
  buildSourceHash,
  compareVersions,
  commandPluginVersionFrom,
  engineBinDir,
  engineCacheRoot,
  engineEnv,
  goBuildArgs,
  goBuildEnv,
  goModGoVersion,
  goModRequire,
  parsePulumiVersion,
  PROJECT_DIR,
  resolveEngine,
  sdkVersionsFrom,
  pluginCacheDir,
  validateBinDir,
  withLock,
  type Engine,
  type EngineProbes,
} from "../../scripts/engine-lib.ts";

describe("versions", () => {
  it("reads the exact @pulumi/pulumi and @pulumi/command versions from package.json", () => {
    const pkg = { dependencies: { "@pulumi/pulumi": "3.259.0", "@pulumi/command": "1.2.1", zod: "4.6.7" } };
    expect(sdkVersionsFrom(pkg)).toEqual({ pulumi: "3.259.0", command: "1.2.1" });
  });

  it("rejects a version range, naming the dependency", () => {
    const pkg = { dependencies: { "@pulumi/pulumi": "^3.259.0", "@pulumi/command": "1.2.1" } };
    expect(() => sdkVersionsFrom(pkg)).toThrow(/@pulumi\/pulumi must be an exact version/);
  });

  it("rejects a package.json without @pulumi/command", () => {
    expect(() => sdkVersionsFrom({ dependencies: { "@pulumi/pulumi": "3.259.0" } })).toThrow(/@pulumi\/command/);
  });

  it("reads the command plugin version from @pulumi/command's package.json", () => {
    expect(commandPluginVersionFrom({ name: "@pulumi/command", pulumi: { resource: true, name: "command", version: "1.2.1" } })).toBe("1.2.1");
    // npm's mis-versioned @pulumi/command 4.5.0 has no pulumi block
    expect(() => commandPluginVersionFrom({ name: "@pulumi/command", version: "v4.5.0" })).toThrow(/no pulumi.version/);
  });

  it("reads a required module version and the go directive from go.mod", () => {
    const goMod = [
      "module x",
      "",
      "go 1.25.11",
      "",
      "require github.com/pulumi/pulumi/sdk/v3 v3.259.0",
      "require (",
      "\tgithub.com/pulumi/pulumi/pkg/v3 v3.259.0 // indirect",
      "\tgithub.com/pulumi/pulumi/pkg/v3extra v9.9.9",
      ")",
    ].join("\n");
    expect(goModRequire(goMod, "github.com/pulumi/pulumi/pkg/v3")).toBe("3.259.0");
    expect(goModRequire(goMod, "github.com/pulumi/pulumi/sdk/v3")).toBe("3.259.0");
    expect(() => goModRequire(goMod, "github.com/pulumi/pulumi-command/provider")).toThrow(/does not require github.com\/pulumi\/pulumi-command\/provider/);
    expect(goModGoVersion(goMod)).toBe("1.25.11");
  });

  it("parses `pulumi version` and refuses unstamped builds", () => {
    expect(parsePulumiVersion("v3.259.0\n")).toBe("3.259.0");
    expect(parsePulumiVersion("v3.270.0-alpha.1")).toBe("3.270.0-alpha.1");
    expect(parsePulumiVersion("")).toBeUndefined();
    expect(parsePulumiVersion("warning: something\nv3.259.0")).toBeUndefined();
  });

  it("compares dotted versions numerically", () => {
    expect(compareVersions("1.26.8", "1.25.11")).toBe(1);
    expect(compareVersions("1.25.9", "1.25.11")).toBe(-1);
    expect(compareVersions("1.25", "1.25.0")).toBe(0);
  });
});

describe("cache location", () => {
  it("uses XDG_CACHE_HOME when absolute, else ~/.cache", () => {
    expect(engineCacheRoot({ XDG_CACHE_HOME: "/var/cache/me" }, "/home/u")).toBe("/var/cache/me/coding-agent-server/engine");
    expect(engineCacheRoot({}, "/home/u")).toBe("/home/u/.cache/coding-agent-server/engine");
    // the XDG spec says relative values are invalid and must be ignored
    expect(engineCacheRoot({ XDG_CACHE_HOME: "rel/cache" }, "/home/u")).toBe("/home/u/.cache/coding-agent-server/engine");
  });

  it("keys official installs by versions and builds also by their sources", () => {
    expect(engineBinDir("/c", "3.270.0", "1.2.1")).toBe("/c/v3.270.0-command1.2.1/bin");
    expect(engineBinDir("/c", "3.259.0", "1.2.1", "abc123")).toBe("/c/v3.259.0-command1.2.1-srcabc123/bin");
  });

  it("changes the source hash when a build input changes, not for other files", () => {
    const dir = mkdtempSync(join(tmpdir(), "engine-hash-"));
    try {
      mkdirSync(join(dir, "cmd", "x"), { recursive: true });
      writeFileSync(join(dir, "go.mod"), "module x\n");
      writeFileSync(join(dir, "cmd", "x", "main.go"), "package main\n");
      const h1 = buildSourceHash(dir);
      writeFileSync(join(dir, "README.md"), "docs only\n");
      expect(buildSourceHash(dir)).toBe(h1);
      writeFileSync(join(dir, "cmd", "x", "main.go"), "package main // changed\n");
      expect(buildSourceHash(dir)).not.toBe(h1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("decision order", () => {
  const engine = (binDir: string): Engine => ({ binDir, pulumi: `${binDir}/pulumi`, version: "3.259.0" });

  function probes(over: Partial<EngineProbes>, calls: string[]): EngineProbes {
    const base: EngineProbes = {
      onPath: async () => (calls.push("onPath"), undefined),
      cached: async () => (calls.push("cached"), undefined),
      installerReachable: async () => (calls.push("installerReachable"), false),
      install: async () => (calls.push("install"), engine("/installed")),
      build: async () => (calls.push("build"), engine("/built")),
    };
    const wrapped = { ...base };
    for (const [k, fn] of Object.entries(over)) {
      (wrapped as Record<string, unknown>)[k] = async () => (calls.push(k), (fn as () => Promise<unknown>)());
    }
    return wrapped;
  }

  it("uses a matching pulumi on PATH without looking further", async () => {
    const calls: string[] = [];
    const r = await resolveEngine(probes({ onPath: async () => engine("/usr/local/bin") }, calls));
    expect(r).toMatchObject({ source: "path", binDir: "/usr/local/bin" });
    expect(calls).toEqual(["onPath"]);
  });

  it("uses a valid cache before probing the installer", async () => {
    const calls: string[] = [];
    const r = await resolveEngine(probes({ cached: async () => engine("/cache/bin") }, calls));
    expect(r).toMatchObject({ source: "cache", binDir: "/cache/bin" });
    expect(calls).toEqual(["onPath", "cached"]);
  });

  it("installs with the official installer when it is reachable", async () => {
    const calls: string[] = [];
    const r = await resolveEngine(probes({ installerReachable: async () => true }, calls));
    expect(r.source).toBe("installer");
    expect(calls).toEqual(["onPath", "cached", "installerReachable", "install"]);
  });

  it("builds from Go modules when the installer is unreachable, saying so", async () => {
    const calls: string[] = [];
    const logs: string[] = [];
    const r = await resolveEngine(probes({}, calls), (s) => logs.push(s));
    expect(r).toMatchObject({ source: "build", binDir: "/built" });
    expect(calls).toEqual(["onPath", "cached", "installerReachable", "build"]);
    expect(logs.join("\n")).toMatch(/not reachable; building from Go modules/);
  });

  it("falls back to a build when the installer fails midway", async () => {
    const calls: string[] = [];
    const logs: string[] = [];
    const r = await resolveEngine(
      probes({ installerReachable: async () => true, install: async () => { throw new Error("HTTP 404"); } }, calls),
      (s) => logs.push(s),
    );
    expect(r.source).toBe("build");
    expect(calls).toEqual(["onPath", "cached", "installerReachable", "install", "build"]);
    expect(logs.join("\n")).toMatch(/installer failed \(HTTP 404\)/);
  });

  it("surfaces a build failure", async () => {
    await expect(resolveEngine(probes({ build: async () => { throw new Error("go build x failed (exit 1)"); } }, []))).rejects.toThrow(/go build x failed/);
  });
});

describe("engineEnv", () => {
  it("puts the bin dir and node_modules/.bin first and disables downloads and update checks", () => {
    const env = engineEnv("/eng/bin", {
      PATH: ["/usr/bin", "/eng/bin", "/bin"].join(delimiter),
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      PULUMI_IGNORE_AMBIENT_PLUGINS: "1",
      HOME: "/home/u",
    });
    expect(env.PATH.split(delimiter)).toEqual(["/eng/bin", join(PROJECT_DIR, "node_modules", ".bin"), "/usr/bin", "/bin"]);
    expect(env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION).toBe("true");
    expect(env.PULUMI_SKIP_UPDATE_CHECK).toBe("true");
    expect(env).not.toHaveProperty("PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK");
    expect(env).not.toHaveProperty("PULUMI_IGNORE_AMBIENT_PLUGINS");
    expect(env.HOME).toBe("/home/u");
  });

  it("does not modify the base environment", () => {
    const base = { PATH: "/usr/bin" };
    engineEnv("/eng/bin", base);
    expect(base).toEqual({ PATH: "/usr/bin" });
  });
});

it("builds with the release flags: trimpath, osusergo/grpcnotrace tags and stripped, stamped binaries", () => {
  const args = goBuildArgs("github.com/pulumi/pulumi/pkg/v3/cmd/pulumi", "/o/pulumi", "-X v.Version=v3.259.0");
  expect(args).toEqual([
    "build", "-v", "-trimpath", "-buildvcs=false", "-tags", "osusergo,grpcnotrace", "-ldflags", "-w -s -X v.Version=v3.259.0", "-o", "/o/pulumi",
    "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
  ]);
});

describe("withLock", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "engine-lock-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("takes over a lock whose owner process is gone and releases it afterwards", async () => {
    const lock = join(dir, ".lock");
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    mkdirSync(lock);
    writeFileSync(join(lock, "pid"), String(dead));
    const logs: string[] = [];
    expect(await withLock(lock, async () => "ran", (s) => logs.push(s), 10)).toBe("ran");
    expect(logs).toEqual([]);
    expect(existsSync(lock)).toBe(false);
  });

  it("waits while a live process holds the lock, saying so", async () => {
    const lock = join(dir, ".lock");
    mkdirSync(lock);
    writeFileSync(join(lock, "pid"), String(process.pid));
    const logs: string[] = [];
    const order: string[] = [];
    const release = setTimeout(() => {
      order.push("released");
      rmSync(lock, { recursive: true, force: true });
    }, 100);
    try {
      await withLock(lock, async () => order.push("ran"), (s) => logs.push(s), 10);
    } finally {
      clearTimeout(release);
    }
    expect(order).toEqual(["released", "ran"]);
    expect(logs.join("\n")).toMatch(new RegExp(`waiting for another engine build or install \\(pid ${process.pid}`));
  });

  it("releases the lock when the work fails", async () => {
    const lock = join(dir, ".lock");
    await expect(withLock(lock, async () => { throw new Error("boom"); }, () => {}, 10)).rejects.toThrow("boom");
    expect(existsSync(lock)).toBe(false);
  });
});

describe("validateBinDir", () => {
  let dir: string;
  const fake = (path: string, body: string) => {
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "engine-bin-"));
    mkdirSync(join(dir, "bin"));
    fake(join(dir, "bin", "pulumi"), 'test "$1" = version && echo v3.259.0');
    fake(join(dir, "bin", "pulumi-language-nodejs"), "exit 0");
    fake(join(dir, "bin", "pulumi-resource-command"), "exit 0");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("accepts a bin dir whose pulumi reports the wanted version and has the host and the plugin", async () => {
    expect(await validateBinDir(join(dir, "bin"), "3.259.0")).toEqual({ binDir: join(dir, "bin"), pulumi: join(dir, "bin", "pulumi"), version: "3.259.0" });
  });

  it("rejects another version, an unstamped build and a missing language host", async () => {
    expect(await validateBinDir(join(dir, "bin"), "3.270.0")).toBeUndefined();
    fake(join(dir, "bin", "pulumi"), "echo");
    expect(await validateBinDir(join(dir, "bin"), "3.259.0")).toBeUndefined();
    fake(join(dir, "bin", "pulumi"), "echo v3.259.0");
    rmSync(join(dir, "bin", "pulumi-language-nodejs"));
    expect(await validateBinDir(join(dir, "bin"), "3.259.0")).toBeUndefined();
  });

  it("accepts the command plugin from a plugin cache dir, as an official install keeps it", async () => {
    rmSync(join(dir, "bin", "pulumi-resource-command"));
    const cache = join(dir, "plugins", "resource-command-v1.2.1");
    expect(await validateBinDir(join(dir, "bin"), "3.259.0", cache)).toBeUndefined();
    mkdirSync(cache, { recursive: true });
    fake(join(cache, "pulumi-resource-command"), "exit 0");
    expect(await validateBinDir(join(dir, "bin"), "3.259.0", cache)).toMatchObject({ version: "3.259.0" });
  });
});

it("finds the plugin cache under PULUMI_HOME, else ~/.pulumi", () => {
  expect(pluginCacheDir({ PULUMI_HOME: "/p/home" }, "/home/u")).toBe("/p/home/plugins");
  expect(pluginCacheDir({}, "/home/u")).toBe("/home/u/.pulumi/plugins");
});

describe("goBuildEnv", () => {
  let dir: string;
  const fakeGo = (version: string) => {
    const go = join(dir, "go");
    writeFileSync(go, `#!/bin/sh\ntest "$1 $2" = "env GOVERSION" && echo ${version}\n`);
    chmodSync(go, 0o755);
    return go;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "engine-go-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps the local toolchain when it is new enough and makes module downloads read-only", async () => {
    expect(await goBuildEnv("1.25.11", { GOFLAGS: "-p=2" }, fakeGo("go1.26.8"))).toEqual({ GOTOOLCHAIN: "local", GOFLAGS: "-p=2 -mod=readonly" });
  });

  it("lets an older Go fetch the required toolchain through the module proxy", async () => {
    expect(await goBuildEnv("1.25.11", {}, fakeGo("go1.25.9"))).toEqual({ GOTOOLCHAIN: "go1.25.11+auto", GOFLAGS: "-mod=readonly" });
  });

  it("says what to install when go is missing", async () => {
    await expect(goBuildEnv("1.25.11", {}, join(dir, "no-such-go"))).rejects.toThrow(/Go >= 1.25.11 is needed to build the Pulumi engine/);
  });
});
