// Claude Code tool results → what SWE-agent's tools print (tools/edit_anthropic/bin/str_replace_editor).
// Expected texts are written out by hand from SWE-agent's code, including its snippet window arithmetic.
import { catN, expandTabs, parseNumberedLines } from "../../runtime/proxy/dialects/swe-agent/cat-n.ts";
import type { SweCall } from "../../runtime/proxy/dialects/swe-agent/calls.ts";
import { FileKnowledge } from "../../runtime/proxy/dialects/swe-agent/file-knowledge.ts";
import { NO_OUTPUT, renderToolResult, stripSystemReminders } from "../../runtime/proxy/dialects/swe-agent/results.ts";

const CWD = "/home/dev/project";
const F = "/testbed/f.txt";
const view = (viewRange?: number[]): SweCall => ({
  name: "str_replace_editor",
  args: viewRange ? { command: "view", path: F, view_range: viewRange } : { command: "view", path: F },
});
const replace = (old_str: string, new_str: string): SweCall => ({ name: "str_replace_editor", args: { command: "str_replace", path: F, old_str, new_str } });
const ok = (text: string) => ({ text, isError: false });
const err = (text: string) => ({ text, isError: true });
const REVIEW = "Review the changes and make sure they are as expected. Edit the file again if necessary.";
const HEAD = `The file ${F} has been edited. Here's the result of running \`cat -n\` on a snippet of ${F}:\n`;

/** Claude Code 2.1.330's Read output for lines first..: `N\tline` (unpadded). */
function readOutput(lines: string[], first = 1): string {
  return lines.map((l, i) => `${first + i}\t${l}`).join("\n");
}
const TWENTY = Array.from({ length: 20 }, (_, i) => `l${i + 1}`);
const TWENTY_FILE = [...TWENTY, ""]; // the file ends in a newline: Read shows an empty 21st line

describe("cat -n rendering", () => {
  it("numbers lines right-aligned to 6 with a tab, header and trailing newline", () => {
    expect(catN("a\nb", "/testbed/x")).toBe("Here's the result of running `cat -n` on /testbed/x:\n     1\ta\n     2\tb\n");
    expect(catN("z", "/testbed/x", 1234567)).toBe("Here's the result of running `cat -n` on /testbed/x:\n1234567\tz\n");
  });
  it("expands tabs like Python's str.expandtabs", () => {
    expect(expandTabs("a\tb")).toBe("a       b");
    expect(expandTabs("abcdefgh\tx\n\ty")).toBe("abcdefgh        x\n        y");
  });
  it("clips long views with SWE-agent's <response clipped> note", () => {
    const out = catN("x".repeat(20000), "/testbed/big");
    expect(out).toContain("<response clipped><NOTE>To save on context only part of this file has been shown to you.");
    expect(out.length).toBeLessThan(16500);
  });
  it("parses both Read formats and refuses text that is not numbered lines", () => {
    expect(parseNumberedLines("1\ta\n2\t")).toEqual({ first: 1, lines: ["a", ""] });
    expect(parseNumberedLines("     7\u2192x\n     8\u2192y")).toEqual({ first: 7, lines: ["x", "y"] });
    expect(parseNumberedLines("1\ta\n2")).toEqual({ first: 1, lines: ["a", ""] }); // trimmed before a reminder
    expect(parseNumberedLines("1\n2\ta")).toBeUndefined();
    expect(parseNumberedLines("File does not exist.")).toBeUndefined();
    expect(parseNumberedLines("1\ta\n3\tb")).toBeUndefined();
  });
});

describe("str_replace_editor view", () => {
  it("a file view becomes SWE-agent's `cat -n` (reminders stripped, tabs expanded)", () => {
    const kb = new FileKnowledge();
    const out = renderToolResult(view(), ok("1\tdef add(a, b):\n2\t\treturn a - b\n3\t\n\n<system-reminder>\n<total_tokens>9 tokens left</total_tokens>\n</system-reminder>"), kb, CWD);
    expect(out).toBe(`Here's the result of running \`cat -n\` on ${F}:\n     1\tdef add(a, b):\n     2\t        return a - b\n     3\t\n`);
  });
  it("a ranged view keeps the file's line numbers", () => {
    const out = renderToolResult(view([5, 6]), ok("5\tl5\n6\tl6"), new FileKnowledge(), CWD);
    expect(out).toBe(`Here's the result of running \`cat -n\` on ${F}:\n     5\tl5\n     6\tl6\n`);
  });
  it("an empty file shows one empty numbered line, as SWE-agent does", () => {
    const out = renderToolResult(view(), ok("<system-reminder>Warning: the file exists but the contents are empty.</system-reminder>"), new FileKnowledge(), CWD);
    expect(out).toBe(`Here's the result of running \`cat -n\` on ${F}:\n     1\t\n`);
  });
  it("Claude Code's 'file unchanged since last read' is replaced by the content seen earlier", () => {
    const kb = new FileKnowledge();
    const first = renderToolResult(view(), ok(readOutput(TWENTY_FILE)), kb, CWD);
    const again = renderToolResult(view(), ok("File unchanged since last read. The content from the earlier Read tool_result in this conversation is still current — refer to that instead of re-reading."), kb, CWD);
    expect(again).toBe(first);
    const ranged = renderToolResult(view([3, 4]), ok("File unchanged since last read."), kb, CWD);
    expect(ranged).toBe(`Here's the result of running \`cat -n\` on ${F}:\n     3\tl3\n     4\tl4\n`);
  });
  it("a directory view (run as find) gets SWE-agent's listing header, paths under /testbed", () => {
    const call: SweCall = { name: "str_replace_editor", args: { command: "view", path: "/testbed" }, directory: true };
    const out = renderToolResult(call, ok(`${CWD}\n${CWD}/a.py\n${CWD}/src`), new FileKnowledge(), CWD);
    expect(out).toBe("Here's the files and directories up to 2 levels deep in /testbed, excluding hidden items:\n/testbed\n/testbed/a.py\n/testbed/src\n\n");
  });
  it("errors say the operation was not performed, with paths as the model knows them", () => {
    const out = renderToolResult(view(), err(`File does not exist. Note: your current working directory is ${CWD}.`), new FileKnowledge(), CWD);
    expect(out).toBe("ERROR: The operation was NOT performed. File does not exist. Note: your current working directory is /testbed.");
  });
});

describe("str_replace_editor create and str_replace", () => {
  it("create → 'File created successfully at: PATH' (Claude Code's suffix dropped)", () => {
    const call: SweCall = { name: "str_replace_editor", args: { command: "create", path: F, file_text: "x\n" } };
    expect(renderToolResult(call, ok(`File created successfully at: ${CWD}/f.txt (file state is current in your context — no need to Read it back)`), new FileKnowledge(), CWD))
      .toBe(`File created successfully at: ${F}`);
  });

  it("create over an existing file → SWE-agent's refusal (Claude Code refused too: not read yet)", () => {
    const call: SweCall = { name: "str_replace_editor", args: { command: "create", path: F, file_text: "x\n" } };
    expect(renderToolResult(call, err("<tool_use_error>File has not been read yet. Read it first before writing to it.</tool_use_error>"), new FileKnowledge(), CWD))
      .toBe(`File already exists at: ${F}. Cannot overwrite files using command \`create\`.`);
  });

  it("a successful edit shows SWE-agent's snippet: from replacement line − 4 to + 4 + new lines", () => {
    const kb = new FileKnowledge();
    renderToolResult(view(), ok(readOutput(TWENTY_FILE)), kb, CWD);
    // old_str starts on 0-based line 9 → SWE-agent shows lines 5..14 of the new file.
    const out = renderToolResult(replace("l10", "X\nY"), ok(`The file ${CWD}/f.txt has been updated successfully.`), kb, CWD);
    expect(out).toBe(
      HEAD + "     5\tl5\n     6\tl6\n     7\tl7\n     8\tl8\n     9\tl9\n    10\tX\n    11\tY\n    12\tl11\n    13\tl12\n    14\tl13\n" + REVIEW,
    );
    // A second edit is placed in the file as the first edit left it (one line longer).
    const second = renderToolResult(replace("l13", "Z"), ok("The file has been updated successfully."), kb, CWD);
    expect(second).toBe(HEAD + "     9\tl9\n    10\tX\n    11\tY\n    12\tl11\n    13\tl12\n    14\tZ\n    15\tl14\n    16\tl15\n    17\tl16\n" + REVIEW);
  });

  it("the snippet is clipped at the end of the file like SWE-agent's", () => {
    const kb = new FileKnowledge();
    renderToolResult({ name: "str_replace_editor", args: { command: "create", path: F, file_text: "a\nb\nc\n" } }, ok("File created"), kb, CWD);
    expect(renderToolResult(replace("c", "C"), ok("updated"), kb, CWD)).toBe(HEAD + "     1\ta\n     2\tb\n     3\tC\n" + REVIEW);
  });

  it("after a ranged view only the lines seen are shown", () => {
    const kb = new FileKnowledge();
    renderToolResult(view([8, 12]), ok(readOutput(TWENTY.slice(7, 12), 8)), kb, CWD);
    const out = renderToolResult(replace("l10", "X\nY"), ok("updated"), kb, CWD);
    expect(out).toBe(HEAD + "     8\tl8\n     9\tl9\n    10\tX\n    11\tY\n    12\tl11\n    13\tl12\n" + REVIEW);
  });

  it("without known content the edit is confirmed without a snippet", () => {
    expect(renderToolResult(replace("a", "b"), ok("updated"), new FileKnowledge(), CWD)).toBe(`The file ${F} has been edited. ${REVIEW}`);
  });

  it("a bash command naming the file makes its replayed lines untrusted", () => {
    const kb = new FileKnowledge();
    renderToolResult(view(), ok(readOutput(TWENTY_FILE)), kb, CWD);
    renderToolResult({ name: "bash", args: { command: "sed -i s/l3/L3/ /testbed/f.txt" } }, ok(""), kb, CWD);
    expect(renderToolResult(replace("l10", "x"), ok("updated"), kb, CWD)).toBe(`The file ${F} has been edited. ${REVIEW}`);
  });

  it.each([
    ["not found", "<tool_use_error>String to replace not found in file.\nString: nope</tool_use_error>", "nope", "x",
      `No replacement was performed, old_str \`nope\` did not appear verbatim in ${F}.`],
    ["identical", "<tool_use_error>No changes to make: old_string and new_string are exactly the same.</tool_use_error>", "same", "same",
      "No replacement was performed, old_str `same` is the same as new_str `same`."],
    ["not unique (content unknown)", "<tool_use_error>Found 2 matches of the string to replace, but replace_all is false. To replace all occurrences, set replace_all to true. To replace only one occurrence, please provide more context to uniquely identify the instance.\nString: l</tool_use_error>", "l", "x",
      "No replacement was performed. Multiple occurrences of old_str `l`. Please ensure it is unique"],
  ])("%s → SWE-agent's 'No replacement was performed' message", (_t, ccText, oldStr, newStr, expected) => {
    const out = renderToolResult(replace(oldStr, newStr), err(ccText), new FileKnowledge(), CWD);
    expect(out).toBe(expected);
  });

  it("not unique with the file known lists the lines, as SWE-agent does", () => {
    const kb = new FileKnowledge();
    renderToolResult(view(), ok(readOutput(["x = 1", "y = 2", "x = 1", ""])), kb, CWD);
    const out = renderToolResult(replace("x = 1", "z"), err("Found 2 matches of the string to replace, but replace_all is false."), kb, CWD);
    expect(out).toBe("No replacement was performed. Multiple occurrences of old_str `x = 1` in lines [1, 3]. Please ensure it is unique");
  });

  it("other refusals (e.g. the user declined) say the operation was not performed", () => {
    const out = renderToolResult(replace("a", "b"), err("The user doesn't want to proceed with this tool use."), new FileKnowledge(), CWD);
    expect(out).toBe("ERROR: The operation was NOT performed. The user doesn't want to proceed with this tool use.");
  });

  it("an editor call without a path (passed through, refused by Claude Code) says the path is required", () => {
    const call: SweCall = { name: "str_replace_editor", args: { command: "view" } };
    expect(renderToolResult(call, err("<tool_use_error>Error: No such tool available: str_replace_editor</tool_use_error>"), new FileKnowledge(), CWD))
      .toBe("ERROR: The operation was NOT performed. Parameter `path` is required: an absolute path such as /testbed/file.py.");
  });

  it("an editor command SERA was not offered gets SWE-agent's 'Unrecognized command'", () => {
    const call: SweCall = { name: "str_replace_editor", args: { command: "insert", path: F } };
    expect(renderToolResult(call, err("<tool_use_error>Error: No such tool available: str_replace_editor</tool_use_error>"), new FileKnowledge(), CWD))
      .toBe('Unrecognized command insert. The allowed commands for the str_replace_editor tool are: "view", "create", "str_replace"');
  });
});

describe("bash", () => {
  const bash = (command: string): SweCall => ({ name: "bash", args: { command } });
  it("output passes through with the working directory shown as /testbed", () => {
    expect(renderToolResult(bash("pwd"), ok(CWD), new FileKnowledge(), CWD)).toBe("/testbed");
  });
  it("a failing command did run: its output stays, with Claude Code's exit code line", () => {
    expect(renderToolResult(bash("exit 3"), err("Exit code 3\nboom"), new FileKnowledge(), CWD)).toBe("Exit code 3\nboom");
  });
  it("no output → SWE-agent's 'ran successfully' line", () => {
    expect(renderToolResult(bash("true"), ok(""), new FileKnowledge(), CWD)).toBe(NO_OUTPUT);
    expect(renderToolResult(bash("true"), ok("(No output)"), new FileKnowledge(), CWD)).toBe(NO_OUTPUT);
  });
  it("a refused command was not performed", () => {
    expect(renderToolResult(bash("rm -rf /"), err("Permission denied by user"), new FileKnowledge(), CWD))
      .toBe("ERROR: The operation was NOT performed. Permission denied by user");
  });
});

describe("stripSystemReminders", () => {
  it("removes reminder blocks wherever they are, keeping the text around them", () => {
    expect(stripSystemReminders("<system-reminder>\nctx\n</system-reminder>\n\nhello")).toBe("hello");
    expect(stripSystemReminders("out\n\n<system-reminder>\n<total_tokens>5</total_tokens>\n</system-reminder>")).toBe("out");
    expect(stripSystemReminders("a<system-reminder>x</system-reminder>b")).toBe("ab");
  });
});
