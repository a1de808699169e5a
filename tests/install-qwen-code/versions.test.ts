// Version decisions and wrapper rendering (pure).
import { describe, expect, it } from "@jest/globals";
import { checkNodeVersion, decideQwen, EnvironmentError } from "../../runtime/install-qwen-code/qwen-install.ts";
import { onPath, renderWrapper, shellQuote } from "../../runtime/install-qwen-code/wrapper.ts";

describe("decideQwen", () => {
  it.each([
    [undefined, { action: "install", reason: "qwen is not on PATH" }],
    [{ path: "/b/qwen", version: "0.15.10" }, { action: "install", reason: "/b/qwen is 0.15.10, older than 0.24.4" }],
    [{ path: "/b/qwen", version: "0.24.3" }, { action: "install", reason: "/b/qwen is 0.24.3, older than 0.24.4" }],
    [{ path: "/b/qwen", version: "garbage" }, { action: "install", reason: "/b/qwen --version printed no version" }],
    [{ path: "/b/qwen", version: "0.24.4\n" }, { action: "use", path: "/b/qwen", version: "0.24.4" }],
    [{ path: "/b/qwen", version: "0.24.9" }, { action: "use", path: "/b/qwen", version: "0.24.9" }],
    [{ path: "/b/qwen", version: "0.26.0" }, { action: "use", path: "/b/qwen", version: "0.26.0", note: "qwen 0.26.0 is newer than the 0.24.4 these settings were verified with" }],
  ])("%j", (found, decision) => {
    expect(decideQwen(found)).toEqual(decision);
  });
});

describe("checkNodeVersion", () => {
  it.each(["v22.0.0", "v24.9.0", "v25.1.0"])("accepts %s", (version) => {
    expect(() => checkNodeVersion({ path: "/usr/bin/node", version })).not.toThrow();
  });
  it.each([
    [{ path: "/usr/bin/node", version: "v20.19.5" }, "qwen-code needs Node >= 22, but /usr/bin/node is v20.19.5"],
    [undefined, "Node.js was not found on PATH: qwen-code needs Node >= 22"],
  ])("refuses %j", (found, message) => {
    expect(() => checkNodeVersion(found)).toThrow(EnvironmentError);
    expect(() => checkNodeVersion(found)).toThrow(message);
  });
});

describe("renderWrapper", () => {
  it("quotes every value for sh, puts the checked qwen and node first on PATH once, and execs qwen with all arguments", () => {
    const text = renderWrapper({ baseUrl: "https://h/v1", apiKey: "k'ey$(x)", model: "m", pathPrefix: ["/q/bin", "/n/bin", "/q/bin"] });
    expect(text).toContain(`export OPENAI_API_KEY='k'\\''ey$(x)'`);
    expect(text).toContain(`PATH='/q/bin':'/n/bin':"$PATH"\nexport PATH\nexec qwen "$@"\n`);
    expect(text.startsWith("#!/bin/sh\n")).toBe(true);
    expect(text).not.toContain("MODAL_PROXY");
  });
  it("shellQuote", () => {
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
  it("onPath", () => {
    expect(onPath("/h/.local/bin", "/usr/bin:/h/.local/bin/")).toBe(true);
    expect(onPath("/h/.local/bin", "/usr/bin:/h/.local")).toBe(false);
    expect(onPath("/h/.local/bin", undefined)).toBe(false);
  });
});
