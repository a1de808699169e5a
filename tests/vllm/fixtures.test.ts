// tests/fixtures/vllm/ (what the vLLM stub replays) is exactly what vLLM's own server code produces now: the recorder
// runs again into a temp dir and every file must match byte for byte. When this fails after a vLLM bump, run
// `npm run vllm-fixtures` and review the diff (it is the change in vLLM's wire format).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VLLM_VERSION } from "../../lib/vllm-venv.ts";
import { describeVllm, runVllmPython } from "../support/vllm.ts";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "vllm");

describeVllm("vLLM stub fixtures against vLLM's server code", () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "vllm-fixtures-"));
    await runVllmPython([join(import.meta.dirname, "record-fixtures.py"), dir]);
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("the recorder writes the same set of files", () => {
    expect(readdirSync(dir).sort()).toEqual(readdirSync(FIXTURES).sort());
  });

  test.each(readdirSync(FIXTURES).sort())("%s is byte-identical to a fresh recording", (name) => {
    expect(readFileSync(join(dir, name), "utf8")).toBe(readFileSync(join(FIXTURES, name), "utf8"));
  });

  test("was recorded by the pinned vLLM", () => {
    expect(JSON.parse(readFileSync(join(FIXTURES, "scenarios.json"), "utf8")).vllmVersion).toBe(VLLM_VERSION);
  });
});
