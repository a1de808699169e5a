// `npm run up [-- --stack NAME] [--yes]`: the main job — `pulumi up` on the embedded local backend
// (or PULUMI_BACKEND_URL), after the engine, the venv and the stack's API keys are in place.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { execa } from "execa";
import { modalCredentialsProblem } from "../components/modal/credentials.ts";
import { loadStackEndpointConfig, PROJECT_DIR } from "../components/stack-config.ts";
import { pulumiSetup } from "./pulumi-env.ts";

const { values, positionals } = parseArgs({ options: { stack: { type: "string", default: "dev" }, yes: { type: "boolean", short: "y", default: false } }, allowPositionals: true, strict: false });
const stack = String(values.stack);
const say = (s: string) => process.stderr.write(`${s}\n`);

// 1. Say what is missing before any long step: without Modal credentials nothing can be deployed.
const missing = modalCredentialsProblem(process.env);
if (missing) {
  say(`npm run up: ${missing}`);
  say(`  (\`npm run preview -- --stack ${stack}\` shows what would be deployed without credentials.)`);
  process.exit(1);
}

const endpoints = loadStackEndpointConfig(stack); // fails fast, naming the key, on invalid config
const { pulumi, env } = await pulumiSetup();
const run = (args: string[], input?: string) => execa(pulumi, args, { cwd: PROJECT_DIR, env, extendEnv: false, input, reject: false });

const selected = await run(["stack", "select", "--create", stack]);
if (selected.exitCode !== 0) {
  say(selected.stderr);
  process.exit(1);
}

// 2. API keys: generated once per stack and stored as Pulumi secrets (encrypted in Pulumi.<stack>.yaml).
const keys = ["coderApiKey", "vlmApiKey", ...(endpoints.sera ? ["seraApiKey"] : [])];
for (const key of keys) {
  const has = await run(["config", "get", key, "--stack", stack]);
  if (has.exitCode === 0) continue;
  const set = await run(["config", "set", "--secret", key, "--stack", stack], `sk-${randomBytes(24).toString("base64url")}`);
  if (set.exitCode !== 0) {
    say(set.stderr);
    process.exit(1);
  }
  say(`generated ${key} (a Pulumi secret of stack ${stack})`);
}

// 3. pulumi up, with pulumi's own progress display.
const yes = values.yes || !process.stdin.isTTY || process.env.CI ? ["--yes"] : [];
const up = await execa(pulumi, ["up", "--stack", stack, ...yes, ...positionals], { cwd: PROJECT_DIR, env, extendEnv: false, stdio: "inherit", reject: false });
if (up.exitCode === 0) {
  say(`\nDeployed. Next: \`npx install-qwen-code --stack ${stack}\` (qwen-code) or \`npx sera\` (Claude Code).`);
}
process.exit(up.exitCode ?? 1);
