// `npm ci` refuses a lock whose optional platform packages are missing (see scripts/lockfile-platforms.mjs).
import { readFileSync } from "node:fs";
import { execa } from "execa";

it("lists every optional dependency of every locked package, so npm ci accepts the lock", async () => {
  const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
  const missing: string[] = [];
  for (const [path, entry] of Object.entries<any>(lock.packages)) {
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
      const found = [`${path}/node_modules/${dep}`, `node_modules/${dep}`].some((p) => lock.packages[p.replace(/^\//, "")]);
      if (!found) missing.push(`${path} → ${dep}`);
    }
  }
  expect(missing).toEqual([]);
  const r = await execa("node", ["scripts/lockfile-platforms.mjs", "package-lock.json"], { reject: false });
  expect(r.stdout).toBe("lockfile-platforms: added 0 other-platform optional entries");
});
