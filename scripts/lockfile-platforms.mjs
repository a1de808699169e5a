// Keeps package-lock.json installable with `npm ci` everywhere. The registry mirror our machines use lacks some
// other-platform builds of native optional packages (e.g. @unrs/resolver-binding-darwin-arm64, used by jest),
// so npm leaves them out of the lock, and `npm ci` then refuses the lock as out of sync. This adds a lock entry
// for each missing optional platform package, with the os/cpu its name states, so npm skips it on other
// platforms exactly as it would with a lock made against the full registry. Run after `npm install`.
// (Plain .mjs: it must run on the system Node before `npm ci` brings Node 24.)
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2] ?? "package-lock.json";
const lock = JSON.parse(readFileSync(file, "utf8"));
const OS = ["darwin", "linux", "win32", "freebsd", "android", "openharmony", "openbsd", "sunos", "aix", "netbsd"];
const CPU = ["arm64", "x64", "ia32", "arm", "loong64", "ppc64", "riscv64", "s390x", "wasm32", "mips64el"];
const platform = (name) => {
  const parts = name.split("/").pop().split("-");
  const os = OS.find((o) => parts.includes(o));
  const cpu = CPU.find((c) => parts.includes(c)) ?? (parts.includes("x86_64") ? "x64" : undefined);
  if (!os && !cpu) return undefined;
  const libc = parts.some((p) => /musl/.test(p)) ? "musl" : parts.some((p) => /gnu/.test(p)) ? "glibc" : undefined;
  return { ...(os ? { os: [os] } : {}), ...(cpu ? { cpu: [cpu] } : {}), ...(libc && os === "linux" ? { libc: [libc] } : {}) };
};
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    // npm resolves a dependency next to its dependent first, then up the tree
    const candidates = [];
    for (let base = path; ; base = base.slice(0, base.lastIndexOf("/node_modules/"))) {
      candidates.push(`${base ? base + "/" : ""}node_modules/${dep}`);
      if (!base.includes("/node_modules/")) {
        candidates.push(`node_modules/${dep}`);
        break;
      }
    }
    if (candidates.some((c) => lock.packages[c])) continue;
    const plat = platform(dep);
    if (!plat) continue;
    const at = path.includes("/node_modules/") || path === "" ? `node_modules/${dep}` : `node_modules/${dep}`;
    lock.packages[at] = { version: String(version).replace(/^[\^~=]/, ""), ...(entry.dev ? { dev: true } : {}), optional: true, ...plat };
    added++;
  }
}
if (added) {
  lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)));
  writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
}
console.log(`lockfile-platforms: added ${added} other-platform optional entries`);
