// The engine from `npm run engine` running a real program: our language host runs an ESM .ts program,
// and our pulumi-resource-command behaves like @pulumi/command 1.2.1 documents (update vs replace,
// delete from state, previous output env, secrets). Needs the built engine (npm test's setup builds it).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { engineEnv, ensureEngine, PROJECT_DIR, usePluginCache } from "../../scripts/engine-lib.ts";
import { withoutPulumiEnv } from "../support/project.ts";

const SECRET = "tok-SEKRIT-4f1c9";

const program = `
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

const cfg = new pulumi.Config();
const word = cfg.get("word") ?? "hello";
const greet = new command.local.Command("greet", {
  create: "echo created $WORD; echo to-stderr >&2",
  update: "echo updated $WORD after [$PULUMI_COMMAND_STDOUT]",
  delete: "echo deleted $WORD >> deletions.txt",
  environment: { WORD: word, KEEP: "same" },
  triggers: [cfg.get("trigger") ?? "t1"],
});
const withSecret = new command.local.Command("with-secret", {
  create: "echo token is $TOKEN",
  environment: { TOKEN: cfg.requireSecret("token") },
});
const flaky = new command.local.Command("flaky", {
  create: cfg.getBoolean("fail") ? "echo about to fail; exit 3" : "echo fine",
});
export const greetOut = greet.stdout;
export const greetErr = greet.stderr;
export const secretOut = withSecret.stdout;
export const invoked = command.local.runOutput({ command: "echo invoked $WORD", environment: { WORD: word } }).stdout;
export const flakyOut = flaky.stdout;
`;

let dir: string;
let env: Record<string, string>;

async function pulumi(args: string[], reject = true) {
  const r = await execa("pulumi", args, { cwd: dir, env, reject: false, all: true, extendEnv: false });
  if (reject && r.exitCode !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.exitCode}:\n${r.all}`);
  return r;
}

const outputs = async () => JSON.parse((await pulumi(["stack", "output", "--json", "--show-secrets"])).stdout);
const deletions = () => (existsSync(join(dir, "deletions.txt")) ? readFileSync(join(dir, "deletions.txt"), "utf8") : "");

beforeAll(async () => {
  const engine = await ensureEngine({ quiet: true });
  dir = mkdtempSync(join(tmpdir(), "engine-cmd-"));
  writeFileSync(join(dir, "Pulumi.yaml"), "name: enginecmd\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.ts\n");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "enginecmd", type: "module", private: true }));
  writeFileSync(join(dir, "index.ts"), program);
  symlinkSync(join(PROJECT_DIR, "node_modules"), join(dir, "node_modules"));
  mkdirSync(join(dir, ".state"));
  const base = {
    ...engineEnv(engine.binDir, withoutPulumiEnv(process.env)),
    PULUMI_HOME: join(dir, ".pulumi-home"),
    PULUMI_BACKEND_URL: `file://${join(dir, ".state")}`,
    PULUMI_CONFIG_PASSPHRASE: "engine-test",
  };
  env = await usePluginCache(engine, base);
  await pulumi(["stack", "init", "t"]);
  await pulumi(["config", "set", "--secret", "token", SECRET]);
}, 1_800_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("creates: outputs carry stdout/stderr, the invoke runs, a secret input makes stdout secret and is redacted from the log", async () => {
  const up = await pulumi(["up", "--yes"]);
  expect(await outputs()).toEqual({
    greetOut: "created hello",
    greetErr: "to-stderr",
    secretOut: `token is ${SECRET}`,
    invoked: "invoked hello",
    flakyOut: "fine",
  });
  expect(up.all).toContain("token is [secret]");
  expect(up.all).not.toContain(SECRET);
  expect(up.all).not.toMatch(/using pulumi-resource-command from \$PATH/);
  const plain = JSON.parse((await pulumi(["stack", "output", "--json"])).stdout);
  expect(plain.secretOut).toBe("[secret]");
  const stateFiles = readdirSync(join(dir, ".state"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  for (const f of stateFiles) expect(readFileSync(join(f.parentPath, f.name), "utf8")).not.toContain(SECRET);
}, 180_000);

it("an environment change previews as an update of that key only and runs `update` with the previous stdout", async () => {
  await pulumi(["config", "set", "word", "bonjour"]);
  const preview = await pulumi(["preview", "--json"]);
  const steps = JSON.parse(preview.stdout).steps as Array<{ op: string; urn: string; detailedDiff?: Record<string, { kind: string }> }>;
  const changed = steps.filter((s) => s.op !== "same");
  expect(changed.map((s) => [s.op, s.urn.split("::").pop()])).toEqual([["update", "greet"]]);
  expect(Object.keys(changed[0].detailedDiff ?? {})).toEqual(["environment.WORD"]);

  const before = deletions();
  await pulumi(["up", "--yes"]);
  const out = await outputs();
  expect(out.greetOut).toBe("updated bonjour after [created hello]");
  expect(out.greetErr).toBe("");
  expect(out.invoked).toBe("invoked bonjour");
  expect(deletions()).toBe(before);
}, 180_000);

it("a triggers change replaces: create runs again and the old delete runs from the stored state", async () => {
  await pulumi(["config", "set", "trigger", "t2"]);
  const preview = await pulumi(["preview", "--json"]);
  const ops = (JSON.parse(preview.stdout).steps as Array<{ op: string; urn: string }>)
    .filter((s) => s.urn.endsWith("::greet"))
    .map((s) => s.op);
  expect(ops).toContain("replace");
  await pulumi(["up", "--yes"]);
  expect((await outputs()).greetOut).toBe("created bonjour");
  expect(deletions()).toBe("deleted bonjour\n");
}, 180_000);

it("a failing command fails `up` with its exit status and output; the next `up` recovers", async () => {
  await pulumi(["config", "set", "fail", "true"]);
  const failed = await pulumi(["up", "--yes"], false);
  expect(failed.exitCode).not.toBe(0);
  expect(failed.all).toMatch(/exit status 3: running "echo about to fail; exit 3":\s+about to fail/);
  await pulumi(["config", "set", "fail", "false"]);
  await pulumi(["up", "--yes"]);
  expect((await outputs()).flakyOut).toBe("fine");
}, 180_000);

it("destroy runs each delete from the stored state", async () => {
  await pulumi(["destroy", "--yes"]);
  expect(deletions()).toBe("deleted bonjour\ndeleted bonjour\n");
  expect(JSON.parse((await pulumi(["stack", "output", "--json"])).stdout)).toEqual({});
}, 180_000);
