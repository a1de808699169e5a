// The pure parts of `npm run status`: which Modal app belongs to an endpoint, what its containers cost now
// (the GPU table's price × GPUs per container × started containers), the table, and the option and modal
// output checks. The whole command against the real engine and the fake modal CLI: tests/integration/status.test.ts.
import { buildEndpoint } from "../../components/endpoint-spec.ts";
import { parseGpu } from "../../components/gpus.ts";
import { checkKey } from "../../runtime/status/key-check.ts";
import { parseStatusOptions } from "../../runtime/status/main.ts";
import { readModalState, type AppRow, type ContainerRow, type ModalRunner } from "../../runtime/status/modal-state.ts";
import { appFor, endpointStatus, renderStatus } from "../../runtime/status/report.ts";

const spec = (gpu: string) => buildEndpoint("coder", { model: "allenai/SERA-32B", gpu, maxModelLen: 16384 }, { project: "cas", stack: "t", hasApiKey: true }).spec;
const app = (over: Partial<AppRow> = {}): AppRow => ({ app_id: "ap-1", description: "cas-t-coder", state: "deployed", tasks: "0", created_at: "2026-12-04 10:00:00+00:00", stopped_at: null, ...over });
const container = (start: string, appId = "ap-1"): ContainerRow => ({ container_id: `ta-${Math.random()}`, app_id: appId, app_name: "cas-t-coder", start_time: start });
const OUTPUT = { baseUrl: "https://ws--cas-t-coder-serve.modal.run/v1", model: "allenai/SERA-32B" };

describe("endpointStatus", () => {
  it("bills started containers only: price × GPUs per container × warm containers", () => {
    const s = endpointStatus({
      name: "coder",
      spec: spec("H200:2"),
      enabled: true,
      output: OUTPUT,
      modal: { apps: [app()], containers: [container("2026-12-04 10:01:00+00:00"), container("2026-12-04 10:02:00+00:00"), container("2026-12-04 10:03:00+00:00"), container("Pending"), container("2026-12-04 10:04:00+00:00", "ap-other")] },
    });
    expect(s).toMatchObject({ deployed: "deployed", gpu: "H200:2", usdPerGpuHour: 2 * parseGpu("H200").type.usdPerHour, warmContainers: 3, pendingContainers: 1, usdPerHourNow: 27.24, url: OUTPUT.baseUrl });
  });

  it("prefers the deployed app of that name over a stopped one, else the latest stopped", () => {
    const stopped = app({ app_id: "ap-old", state: "stopped", created_at: "2026-12-04 11:00:00+00:00", stopped_at: "2026-12-04 12:00:00+00:00" });
    expect(appFor([stopped, app()], "cas-t-coder")?.app_id).toBe("ap-1");
    const older = app({ app_id: "ap-older", state: "stopped", created_at: "2026-12-01 11:00:00+00:00" });
    expect(appFor([older, stopped], "cas-t-coder")?.app_id).toBe("ap-old");
    expect(appFor([app({ description: "cas-t-coder-2" })], "cas-t-coder")).toBeUndefined();
  });

  it("says when the stack and Modal disagree", () => {
    const missing = endpointStatus({ name: "coder", spec: spec("H100"), enabled: true, output: OUTPUT, modal: { apps: [], containers: [] } });
    expect(missing).toMatchObject({ deployed: "not deployed", usdPerHourNow: 0, notes: ["in the stack outputs, but Modal lists no such app: run `npm run up` again"] });
    const orphan = endpointStatus({ name: "coder", spec: spec("H100"), enabled: true, modal: { apps: [app()], containers: [] } });
    expect(orphan.notes).toEqual(["deployed on Modal but not in the stack outputs"]);
  });

  it("a Modal error leaves state and cost unknown, not zero", () => {
    const rows = ["coder", "vlm"].map((name) => endpointStatus({ name, spec: spec("A10"), enabled: true, modal: { problem: "modal app list failed: Error: Token missing." } }));
    expect(rows[0]).toMatchObject({ deployed: "unknown" });
    expect(rows[0]!.usdPerHourNow).toBeUndefined();
    const text = renderStatus("t", rows).split("\n");
    expect(text[2]).toMatch(/^coder +unknown +- +A10:1 \(\$1\.10\/h warm\) +\? +\? +not checked \(--check-keys\)$/);
    expect(text).toContain("  coder, vlm: modal app list failed: Error: Token missing.");
    expect(text.at(-1)).toBe("now: $0.00/hour for 0 warm container(s) (some endpoints unknown); $0 once scaled to zero");
  });

  it("shows the key check's result", () => {
    const row = (result: "works" | "fails" | "skipped", detail: string) => endpointStatus({ name: "coder", spec: spec("L4"), enabled: true, output: OUTPUT, modal: { apps: [app()], containers: [] }, key: { result, detail } });
    const text = renderStatus("t", [row("works", "200"), row("fails", "answered 401"), row("skipped", "needs proxy auth")]);
    expect(text).toContain("works (200)");
    expect(text).toContain("FAILS: answered 401");
    expect(text).toContain("not checked: needs proxy auth");
  });
});

describe("options and modal's output", () => {
  it("rejects what it does not know, by name", () => {
    expect(() => parseStatusOptions(["--stak", "dev"])).toThrow("Unknown option '--stak'");
    expect(() => parseStatusOptions(["--timeout", "soon"])).toThrow('--timeout: "soon" is not a positive number of seconds');
    expect(parseStatusOptions(["--check-keys", "--timeout", "90"])).toEqual({ stack: "dev", checkKeys: true, json: false, help: false, timeoutMs: 90_000 });
  });

  it("passes -e ENV and names a modal failure or another JSON shape", async () => {
    const seen: string[][] = [];
    const runner = (answers: Record<string, { exitCode: number; stdout: string; stderr: string }>): ModalRunner => async (args) => {
      seen.push([...args]);
      return answers[args.slice(0, 2).join(" ")]!;
    };
    const ok = { exitCode: 0, stdout: "[]", stderr: "" };
    await expect(readModalState("staging", runner({ "app list": ok, "container list": ok }))).resolves.toEqual({ apps: [], containers: [] });
    expect(seen).toEqual([["app", "list", "--json", "-e", "staging"], ["container", "list", "--json", "-e", "staging"]]);
    await expect(readModalState(undefined, runner({ "app list": { exitCode: 1, stdout: "", stderr: "Error: Token missing. Could not authenticate client.\n" } }))).rejects.toThrow(
      "modal app list failed: Error: Token missing. Could not authenticate client.",
    );
    await expect(readModalState(undefined, runner({ "app list": { exitCode: 0, stdout: '[{"App ID": "ap-1"}]', stderr: "" } }))).rejects.toThrow(
      "`modal app list --json` printed rows of another shape: 0.app_id:",
    );
  });
});

describe("checkKey", () => {
  const proxied = buildEndpoint("vlm", { model: "allenai/SERA-32B", gpu: "H100", maxModelLen: 16384, requiresProxyAuth: true }, { project: "cas", stack: "t", hasApiKey: true }).spec;
  const seen: Array<Record<string, string>> = [];
  const fetchSpy: typeof fetch = async (_url, init) => {
    seen.push(Object.fromEntries(new Headers(init?.headers).entries()));
    return new Response('{"object":"list","data":[]}', { status: 200 });
  };

  it("an endpoint behind Modal proxy auth is not asked without the proxy token (the request would only be refused)", async () => {
    const k = await checkKey(proxied, { ...OUTPUT, apiKey: "sk-1" }, { env: {}, fetch: fetchSpy, onProgress: () => {} });
    expect(k).toEqual({ result: "skipped", detail: "the endpoint requires Modal proxy auth: set MODAL_PROXY_TOKEN_ID and MODAL_PROXY_TOKEN_SECRET" });
    expect(seen).toEqual([]);
  });

  it("sends the stack's key and the proxy token", async () => {
    const k = await checkKey(proxied, { ...OUTPUT, apiKey: "sk-1" }, { env: { MODAL_PROXY_TOKEN_ID: "wk-1", MODAL_PROXY_TOKEN_SECRET: "ws-1" }, fetch: fetchSpy, onProgress: () => {} });
    expect(k.result).toBe("works");
    expect(seen.at(-1)).toEqual({ authorization: "Bearer sk-1", "modal-key": "wk-1", "modal-secret": "ws-1" });
  });
});
