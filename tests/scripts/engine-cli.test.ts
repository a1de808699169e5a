// `npm run engine` prints what the README says it prints: the CLI's directory as the last line of stdout
// (scripts read it), the CLI's version and path on stderr. Needs the built engine (npm test's setup builds it).
import { jest } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { PROJECT_DIR } from "../../components/stack-config.ts";
import { withoutPulumiEnv } from "../support/project.ts";

jest.setTimeout(1_800_000); // a cold cache builds the engine

it("prints the dir of pulumi and its language host last on stdout, and the CLI's version and path on stderr", async () => {
  const r = await execa("npm", ["run", "--silent", "engine"], { cwd: PROJECT_DIR, env: withoutPulumiEnv(process.env), extendEnv: false, reject: false });
  expect(r.exitCode).toBe(0);
  const binDir = r.stdout.trim().split("\n").pop()!;
  // the command plugin is there too, or (an installed CLI's) in the plugin cache: engine-lib's validateBinDir
  for (const b of ["pulumi", "pulumi-language-nodejs"]) expect(existsSync(join(binDir, b))).toBe(true);
  const version = JSON.parse(readFileSync(join(PROJECT_DIR, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];
  expect((await execa(join(binDir, "pulumi"), ["version"])).stdout.trim()).toBe(`v${version}`);
  expect(r.stderr).toContain(`engine: pulumi v${version} at ${join(binDir, "pulumi")}`);
  // …which is how the README describes it
  const readme = readFileSync(join(PROJECT_DIR, "README.md"), "utf8").replace(/\s+/g, " ");
  expect(readme).toContain("`npm run engine` makes the Pulumi engine available and prints the directory of the `pulumi` CLI and its Node language host as the last line of stdout");
  expect(readme).toContain(`after \`engine: pulumi v${version} at <that dir>/pulumi\` on stderr`);
});
