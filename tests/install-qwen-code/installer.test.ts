// The installer end to end on the file system: a temporary HOME, real subprocesses (execa) against small
// stand-ins for node, qwen, npm and pulumi on PATH that print what the real tools print and record their argv.
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { main } from "../../runtime/install-qwen-code/main.ts";
import { execaRunner } from "../../runtime/install-qwen-code/process.ts";
import { defaultPulumiLocator } from "../../runtime/install-qwen-code/stack-outputs.ts";
import { QWEN_INSTALL_SPEC } from "../../runtime/install-qwen-code/qwen-install.ts";
import { migrateLikeQwen } from "../../runtime/install-qwen-code/migrate.ts";

const CODER_KEY = "sk-coder-0b9f2c";
const VLM_KEY = "sk-vlm-77aa1e";
const OUTPUTS = {
  coder: { baseUrl: "https://ws--coder-serve.modal.run/v1", model: "unsloth/Qwen3-Coder-Next-FP8-Dynamic", apiKey: CODER_KEY },
  vlm: { baseUrl: "https://ws--vlm-serve.modal.run/v1", model: "Qwen/Qwen3-VL-32B-Thinking-FP8", apiKey: VLM_KEY, maxImagesPerPrompt: 5 },
  vlmMcpServer: {
    command: "/opt/node/bin/node",
    args: ["/repo/mcp/main.ts"],
    env: { VLM_ENDPOINT: "https://ws--vlm-serve.modal.run/v1", VLM_MODEL: "Qwen/Qwen3-VL-32B-Thinking-FP8", VLM_API_KEY: VLM_KEY, VLM_MAX_IMAGES: "5", VLM_TIMEOUT: "600" },
  },
};
const USER_SETTINGS = {
  $version: 4,
  ui: { theme: "GitHub" },
  mcpServers: { fs: { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"] } },
  telemetry: { enabled: true },
};
const NOW = new Date("2026-11-21T10:20:30.456Z");

interface Sandbox {
  readonly root: string;
  readonly home: string;
  readonly bin: string;
  readonly settings: string;
  readonly qodal: string;
  readonly outputsFile: string;
  readonly env: Record<string, string>;
  readonly lines: string[];
  calls(): Promise<string[]>;
  run(...argv: string[]): Promise<void>;
}

const script = async (path: string, body: string) => {
  await writeFile(path, `#!/bin/sh\nPATH=/usr/bin:/bin\n${body}\n`);
  await chmod(path, 0o755);
};

let sandbox: Sandbox;

async function makeSandbox(tools: { node?: string | null; qwen?: string | null } = {}): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), "install-qwen-code-"));
  const home = join(root, "home");
  const bin = join(root, "bin");
  const prefix = join(root, "npm-global");
  const callLog = join(root, "calls.log");
  await mkdir(home, { recursive: true });
  await mkdir(bin);
  const nodeVersion = tools.node === undefined ? "v24.9.0" : tools.node;
  const qwenVersion = tools.qwen === undefined ? "0.24.4" : tools.qwen;
  if (nodeVersion !== null) await script(join(bin, "node"), `echo "${nodeVersion}"`);
  if (qwenVersion !== null) await script(join(bin, "qwen"), `echo "qwen $*" >> ${callLog}; echo "${qwenVersion}"`);
  // npm: `install --global SPEC` puts a qwen 0.24.4 into the global prefix, `prefix --global` prints it.
  await script(
    join(bin, "npm"),
    [
      `echo "npm $*" >> ${callLog}`,
      `case "$1" in`,
      `  install) mkdir -p ${prefix}/bin && printf '#!/bin/sh\\necho 0.24.4\\n' > ${prefix}/bin/qwen && chmod 755 ${prefix}/bin/qwen ;;`,
      `  prefix) echo ${prefix} ;;`,
      `  uninstall) rm -f ${prefix}/bin/qwen ;;`,
      `esac`,
    ].join("\n"),
  );
  const outputsFile = join(root, "outputs.json");
  await writeFile(outputsFile, JSON.stringify(OUTPUTS));
  // pulumi: the dev stack exists; any other stack gets the CLI's own error text.
  await script(
    join(bin, "pulumi"),
    [
      `echo "pulumi $* (cwd $(pwd))" >> ${callLog}`,
      `if [ "$6" = "dev" ]; then cat ${outputsFile}; else echo "error: no stack named '$6' found" >&2; exit 255; fi`,
    ].join("\n"),
  );
  const env = { HOME: home, PATH: `${bin}:/usr/bin:/bin`, PULUMI_BIN: join(bin, "pulumi") };
  const lines: string[] = [];
  return {
    root,
    home,
    bin,
    settings: join(home, ".qwen", "settings.json"),
    qodal: join(home, ".local", "bin", "qodal"),
    outputsFile,
    env,
    lines,
    calls: async () => (await readFile(callLog, "utf8").catch(() => "")).split("\n").filter(Boolean),
    run: (...argv: string[]) =>
      main(argv, { env, projectDir: root, run: execaRunner, locatePulumi: defaultPulumiLocator(root, env), now: () => NOW, log: (l) => lines.push(l) }),
  };
}

const writeUserSettings = async (text = JSON.stringify(USER_SETTINGS, null, 4)) => {
  await mkdir(join(sandbox.home, ".qwen"), { recursive: true });
  await writeFile(sandbox.settings, text, { mode: 0o644 });
  return text;
};
const readJson = async (path: string) => JSON.parse(await readFile(path, "utf8")) as Record<string, any>;
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
const listQwenDir = async () => (await readdir(join(sandbox.home, ".qwen"))).sort();

beforeEach(async () => {
  sandbox = await makeSandbox();
});
afterEach(async () => {
  await rm(sandbox.root, { recursive: true, force: true });
});

describe("install", () => {
  it("merges into existing settings: user keys kept, privacy forced off, mode 0600, previous file backed up", async () => {
    const original = await writeUserSettings();
    await sandbox.run("--outputs", sandbox.outputsFile);

    const settings = await readJson(sandbox.settings);
    expect(settings["ui"].theme).toBe("GitHub");
    expect(settings["mcpServers"].fs).toEqual(USER_SETTINGS.mcpServers.fs);
    expect(settings["telemetry"].enabled).toBe(false);
    expect(settings["privacy"].usageStatisticsEnabled).toBe(false);
    expect(settings["$version"]).toBe(4);
    expect(settings["model"].name).toBe(OUTPUTS.coder.model);
    expect(settings["mcpServers"]["vlm-analyzer"]).toMatchObject({ command: "/opt/node/bin/node", args: ["/repo/mcp/main.ts"], trust: true, timeout: 660_000 });
    expect(await modeOf(sandbox.settings)).toBe(0o600);

    const backupName = "settings.json.bak-20261121T102030Z";
    expect(await listQwenDir()).toEqual(["coding-agent-server.install.json", "settings.json", backupName]);
    expect(await readFile(join(sandbox.home, ".qwen", backupName), "utf8")).toBe(original);
    expect(await modeOf(join(sandbox.home, ".qwen", backupName))).toBe(0o600);
    expect(await modeOf(join(sandbox.home, ".qwen", "coding-agent-server.install.json"))).toBe(0o600);
  });

  it("writes an executable qodal that exports the coder's endpoint and key and passes its arguments to qwen", async () => {
    await sandbox.run("--outputs", sandbox.outputsFile);
    expect(await modeOf(sandbox.qodal)).toBe(0o700);
    expect(sandbox.lines).toContain(`note: ${join(sandbox.home, ".local", "bin")} is not on your PATH; add it (e.g. export PATH="$HOME/.local/bin:$PATH") to run qodal`);
    // Replace the fake qwen by one that shows what it was started with.
    await script(join(sandbox.bin, "qwen"), `env | grep -E '^(OPENAI_|MODAL_|QWEN_)' | sort; for a in "$@"; do echo "arg=[$a]"; done`);
    const run = await execa(sandbox.qodal, ["-y", "it's a \"quoted\" $HOME prompt"], { env: { HOME: sandbox.home, PATH: "/usr/bin:/bin" }, extendEnv: false });
    expect(run.stdout.split("\n")).toEqual([
      `OPENAI_API_KEY=${CODER_KEY}`,
      `OPENAI_BASE_URL=${OUTPUTS.coder.baseUrl}`,
      `OPENAI_MODEL=${OUTPUTS.coder.model}`,
      "QWEN_CODE_DISABLE_PRECONNECT=1",
      "QWEN_DISABLE_AUTO_TITLE=1",
      "arg=[-y]",
      `arg=[it's a "quoted" $HOME prompt]`,
    ]);
  });

  it("exports the Modal proxy credentials from the install environment and sends them as headers", async () => {
    const env = { ...sandbox.env, MODAL_PROXY_TOKEN_ID: "wk-proxyid", MODAL_PROXY_TOKEN_SECRET: "ws-proxysecret" };
    await main(["--outputs", sandbox.outputsFile], { env, projectDir: sandbox.root, run: execaRunner, locatePulumi: defaultPulumiLocator(sandbox.root, env), now: () => NOW, log: (l) => sandbox.lines.push(l) });
    const text = await readFile(sandbox.qodal, "utf8");
    expect(text).toContain("export MODAL_PROXY_TOKEN_ID='wk-proxyid'\nexport MODAL_PROXY_TOKEN_SECRET='ws-proxysecret'");
    const provider = (await readJson(sandbox.settings))["modelProviders"].openai[0];
    expect(provider.generationConfig.customHeaders).toEqual({ "Modal-Key": "wk-proxyid", "Modal-Secret": "ws-proxysecret" });
    expect(sandbox.lines.join("\n")).not.toContain("ws-proxysecret");
  });

  it("changes nothing on a second run: same bytes and mtime, no new backup, record unchanged", async () => {
    await writeUserSettings();
    await sandbox.run("--outputs", sandbox.outputsFile);
    const files = await listQwenDir();
    const snapshot = async () =>
      Promise.all([sandbox.settings, sandbox.qodal, join(sandbox.home, ".qwen", "coding-agent-server.install.json")].map(async (p) => [await readFile(p, "utf8"), (await stat(p)).mtimeMs]));
    const before = await snapshot();
    sandbox.lines.length = 0;

    await sandbox.run("--outputs", sandbox.outputsFile);
    expect(await snapshot()).toEqual(before);
    expect(await listQwenDir()).toEqual(files);
    expect(sandbox.lines).toEqual(expect.arrayContaining([`${sandbox.settings} already up to date`, `${sandbox.qodal} already up to date`]));
  });

  it("--dry-run prints the diff and writes nothing", async () => {
    const original = await writeUserSettings();
    await sandbox.run("--outputs", sandbox.outputsFile, "--dry-run");
    expect(await readFile(sandbox.settings, "utf8")).toBe(original);
    expect(await modeOf(sandbox.settings)).toBe(0o644);
    expect(await listQwenDir()).toEqual(["settings.json"]);
    await expect(stat(join(sandbox.home, ".local"))).rejects.toThrow("ENOENT");
    const out = sandbox.lines.join("\n");
    expect(out).toContain(`${sandbox.settings} would change:`);
    expect(out).toContain("~ telemetry.enabled: true -> false");
    expect(out).toContain('+ mcpServers.vlm-analyzer.command: "/opt/node/bin/node"');
    expect(out).not.toContain(CODER_KEY);
    expect(out).not.toContain(VLM_KEY);
    expect(await sandbox.calls()).toEqual([]); // not even npm or qwen were run
  });

  it("reads the outputs with `pulumi stack output --json --show-secrets --stack NAME` in the project directory", async () => {
    await sandbox.run();
    expect(await sandbox.calls()).toContain(`pulumi stack output --json --show-secrets --stack dev (cwd ${sandbox.root})`);
    expect((await readJson(sandbox.settings))["model"].name).toBe(OUTPUTS.coder.model);
  });

  it("never logs a key", async () => {
    await writeUserSettings();
    await sandbox.run("--outputs", sandbox.outputsFile);
    await sandbox.run("--uninstall");
    const out = sandbox.lines.join("\n");
    expect(out).toContain("<redacted>");
    expect(out).not.toContain(CODER_KEY);
    expect(out).not.toContain(VLM_KEY);
  });
});

describe("a settings.json qwen would migrate", () => {
  const LEGACY = { theme: "GitHub", usageStatisticsEnabled: true, disableAutoUpdate: true, mcpServers: USER_SETTINGS.mcpServers, mine: { keep: [1] } };

  it("is migrated as qwen-code 0.24.4 does, keeps every user key, is backed up, and the installer's entries go on top", async () => {
    const original = await writeUserSettings(JSON.stringify(LEGACY));
    await sandbox.run("--outputs", sandbox.outputsFile);
    const settings = await readJson(sandbox.settings);
    const migrated = migrateLikeQwen(LEGACY).settings;
    // the user's values in their V4 places; the installer overrides only its own entries (privacy switches, model)
    expect(settings).toMatchObject({ $version: 4, ui: { theme: "GitHub" }, general: { enableAutoUpdate: false }, mine: { keep: [1] } });
    expect(settings["mcpServers"].fs).toEqual(USER_SETTINGS.mcpServers.fs);
    expect(Object.keys(settings)).toEqual(expect.arrayContaining(Object.keys(migrated)));
    expect(settings).not.toHaveProperty("theme");
    expect(settings).not.toHaveProperty("usageStatisticsEnabled");
    expect(settings["privacy"].usageStatisticsEnabled).toBe(false);
    expect(await readFile(join(sandbox.home, ".qwen", "settings.json.bak-20261121T102030Z"), "utf8")).toBe(original);
    expect(sandbox.lines).toContain(
      `${sandbox.settings} has no "$version"; it is migrated to 4 the way qwen-code 0.24.4 does: 1 → 2 (flat keys → nested), 2 → 3 (disable* → enable*), 3 → 4 (general.gitCoAuthor → {commit, pr})`,
    );
    expect(sandbox.lines).toContain('  - theme: "GitHub"');
    expect(sandbox.lines).toContain('  + ui.theme: "GitHub"');

    // --uninstall takes out only the installer's entries: the migrated user settings stay
    await sandbox.run("--uninstall");
    expect(await readJson(sandbox.settings)).toEqual(migrated);
  });

  it("a nested file without $version: only the version is added", async () => {
    const nested = { ui: { theme: "GitHub" }, mine: 1 };
    await writeUserSettings(JSON.stringify(nested));
    await sandbox.run("--outputs", sandbox.outputsFile, "--dry-run");
    expect(sandbox.lines).toContain(`${sandbox.settings} has no "$version"; it would be migrated to 4 the way qwen-code 0.24.4 does: $version stamped 4`);
    expect(sandbox.lines.join("\n")).toContain("+ $version: 4");
    expect(await readJson(sandbox.settings)).toEqual(nested);
    await sandbox.run("--outputs", sandbox.outputsFile);
    expect(await readJson(sandbox.settings)).toMatchObject({ $version: 4, ...nested });
  });

  it("is written even when the installer's entries were all there already", async () => {
    await sandbox.run("--outputs", sandbox.outputsFile);
    const installed = await readJson(sandbox.settings);
    const { $version: _, ...withoutVersion } = installed;
    await writeUserSettings(JSON.stringify(withoutVersion));
    sandbox.lines.length = 0;
    await sandbox.run("--outputs", sandbox.outputsFile);
    expect(await readJson(sandbox.settings)).toEqual(installed);
    expect(sandbox.lines.some((l) => l.startsWith(`${sandbox.settings} updated`))).toBe(true);
  });
});

describe("bad input leaves the existing settings untouched", () => {
  const expectUntouched = async (original: string) => {
    expect(await readFile(sandbox.settings, "utf8")).toBe(original);
    expect(await listQwenDir()).toEqual(["settings.json"]);
    await expect(stat(sandbox.qodal)).rejects.toThrow("ENOENT");
  };

  it("an unknown stack", async () => {
    const original = await writeUserSettings();
    await expect(sandbox.run("--stack", "staging")).rejects.toThrow(
      `stack "staging" not found (pulumi: error: no stack named 'staging' found). Deploy it first, check --stack, or pass --outputs FILE.`,
    );
    await expectUntouched(original);
  });

  it("outputs without a coder URL", async () => {
    const original = await writeUserSettings();
    await writeFile(sandbox.outputsFile, JSON.stringify({ ...OUTPUTS, coder: { model: "m" } }));
    await expect(sandbox.run("--outputs", sandbox.outputsFile)).rejects.toThrow("coder.baseUrl: the outputs have no coder.baseUrl");
    await expectUntouched(original);
  });

  it("an outputs file that does not exist", async () => {
    const original = await writeUserSettings();
    await expect(sandbox.run("--outputs", join(sandbox.root, "nope.json"))).rejects.toThrow(`cannot read the outputs file ${join(sandbox.root, "nope.json")}: ENOENT`);
    await expectUntouched(original);
  });

  it("an unparsable settings.json", async () => {
    const original = await writeUserSettings('{ "ui": { "theme": "GitHub" }, // my comment\n}');
    await expect(sandbox.run("--outputs", sandbox.outputsFile)).rejects.toThrow(`${sandbox.settings} is not valid JSON`);
    await expectUntouched(original);
  });

  it("a settings.json in a format newer than qwen-code 0.24.4's", async () => {
    const original = await writeUserSettings(JSON.stringify({ $version: 6, ui: { theme: "GitHub" } }));
    await expect(sandbox.run("--outputs", sandbox.outputsFile)).rejects.toThrow(
      `${sandbox.settings} has settings format "$version": 6, newer than the 4 of qwen-code 0.24.4 that this installer writes; it was left untouched.`,
    );
    await expectUntouched(original);
  });

  it("a Node older than qwen-code needs, before anything is written", async () => {
    await rm(sandbox.root, { recursive: true, force: true });
    sandbox = await makeSandbox({ node: "v20.19.5" });
    const original = await writeUserSettings();
    await expect(sandbox.run("--outputs", sandbox.outputsFile)).rejects.toThrow(
      `qwen-code needs Node >= 22, but ${join(sandbox.bin, "node")} is v20.19.5: install Node 22 or newer`,
    );
    await expectUntouched(original);
  });
});

describe("qwen-code itself", () => {
  it.each([
    ["missing", null],
    ["too old", "0.15.10"],
  ])("is installed with npm when %s, and the wrapper runs the installed one", async (_what, version) => {
    await rm(sandbox.root, { recursive: true, force: true });
    sandbox = await makeSandbox({ qwen: version });
    await sandbox.run("--outputs", sandbox.outputsFile);
    expect(await sandbox.calls()).toContain(`npm install --global ${QWEN_INSTALL_SPEC}`);
    expect(QWEN_INSTALL_SPEC).toBe("@qwen-code/qwen-code@~0.24.4");
    expect(await readFile(sandbox.qodal, "utf8")).toContain(`PATH='${join(sandbox.root, "npm-global", "bin")}':'${sandbox.bin}':"$PATH"`);
    // --uninstall removes what it installed, and only that.
    await sandbox.run("--uninstall");
    expect(await sandbox.calls()).toContain("npm uninstall --global @qwen-code/qwen-code");
  });

  it("is left alone when a recent one is on PATH, and --no-install never runs npm", async () => {
    await sandbox.run("--outputs", sandbox.outputsFile);
    expect((await sandbox.calls()).filter((c) => c.startsWith("npm"))).toEqual([]);
    expect(sandbox.lines).toContain(`qwen 0.24.4 found at ${join(sandbox.bin, "qwen")}`);

    await rm(sandbox.root, { recursive: true, force: true });
    sandbox = await makeSandbox({ qwen: null });
    await sandbox.run("--outputs", sandbox.outputsFile, "--no-install");
    expect((await sandbox.calls()).filter((c) => c.startsWith("npm"))).toEqual([]);
    expect(sandbox.lines).toContain("warning: qwen is not on PATH; --no-install given, so qodal will need a qwen-code >= 0.24.4 on PATH");
  });
});

describe("uninstall", () => {
  it("puts the user's settings back, removes qodal and the record; a second uninstall has nothing to do", async () => {
    await writeUserSettings();
    await sandbox.run("--outputs", sandbox.outputsFile);
    await sandbox.run("--uninstall", "--dry-run");
    expect(sandbox.lines.join("\n")).toContain(`${sandbox.qodal} would be removed; nothing was written (--dry-run)`);
    expect(await modeOf(sandbox.qodal)).toBe(0o700);

    await sandbox.run("--uninstall");
    expect(await readJson(sandbox.settings)).toEqual(USER_SETTINGS);
    await expect(stat(sandbox.qodal)).rejects.toThrow("ENOENT");
    expect(await listQwenDir()).toEqual(["settings.json", "settings.json.bak-20261121T102030Z", "settings.json.bak-20261121T102030Z-1"]);

    sandbox.lines.length = 0;
    await sandbox.run("--uninstall");
    expect(sandbox.lines).toEqual([`nothing to uninstall: ${join(sandbox.home, ".qwen", "coding-agent-server.install.json")} does not exist (this installer has not run for HOME=${sandbox.home})`]);
  });

  it("keeps a qodal the user edited since", async () => {
    await sandbox.run("--outputs", sandbox.outputsFile);
    await writeFile(sandbox.qodal, "#!/bin/sh\nexec qwen --my-flag \"$@\"\n");
    await sandbox.run("--uninstall");
    expect(sandbox.lines).toContain(`kept ${sandbox.qodal}: it was changed after the install`);
    expect(await readFile(sandbox.qodal, "utf8")).toContain("--my-flag");
  });
});
