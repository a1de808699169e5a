"""Records what vLLM's OpenAI server streams for scripted model output: the fixtures the vLLM stub replays.

Everything between the HTTP request and the engine core is vLLM 0.33's own code, run in-process without a GPU:
`vllm serve`'s argument parser, build_app + init_app_state (routers, exception handlers, OpenAIServingChat, the
renderer that applies the chat template and checks lengths), AsyncLLM's InputProcessor and OutputProcessor
(incremental detokenizer, stop strings), the tool parsers (qwen3_coder, hermes) and the qwen3 reasoning parser, and
the scheduler's own stop rule (vllm.v1.core.sched.utils.check_stop). Only the model is scripted: a fake engine core
emits the token ids of a scripted text one per step, as a decode step does.

The tokenizer is built here (no download): a word-level `tokenizers` tokenizer whose vocabulary holds Qwen's
special and added tokens (<|im_start|>, <|im_end|>, <think>, </think>, <tool_call>, </tool_call>, …) and the words
of the scripted texts, saved with a ChatML chat template in the shape of Qwen3's.

Volatile fields are normalised so that a re-run is byte-identical: the request id (chatcmpl-…), tool-call ids and
`created`. The stub (tests/support/vllm-stub.ts) reproduces exactly what the fixtures hold.

usage: python record-fixtures.py OUT_DIR   (writes OUT_DIR/*.sse, OUT_DIR/errors.json, OUT_DIR/scenarios.json)
"""

import asyncio
import json
import logging
import os
import re
import sys
import tempfile
import warnings
from pathlib import Path

os.environ.setdefault("VLLM_TARGET_DEVICE", "cpu")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("VLLM_LOGGING_LEVEL", "ERROR")
warnings.filterwarnings("ignore")

OUT = Path(sys.argv[1])

# ---------------------------------------------------------------------------------------------------------------
# Scenarios: the served model, the vLLM flags our stacks pass (components/endpoint-spec.ts), the request, and the
# text the scripted model "generates" (the engine adds <|im_end|> as EOS unless the scenario runs out of max_tokens).

CODER = {"name": "unsloth/Qwen3-Coder-Next-FP8-Dynamic", "flags": ["--enable-auto-tool-choice", "--tool-call-parser", "qwen3_coder"]}
SERA = {"name": "allenai/SERA-32B", "flags": ["--enable-auto-tool-choice", "--tool-call-parser", "hermes"]}
VLM = {"name": "Qwen/Qwen3-VL-32B-Thinking-FP8", "flags": ["--reasoning-parser", "qwen3"], "thinking": True}

READ_TOOL = {"type": "function", "function": {"name": "read_file", "description": "Read a file", "parameters": {
    "type": "object", "properties": {"path": {"type": "string"}, "limit": {"type": "integer"}}, "required": ["path"]}}}
BASH_TOOL = {"type": "function", "function": {"name": "bash", "description": "Run a command", "parameters": {
    "type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]}}}


def chat(content: str, **extra) -> dict:
    return {"messages": [{"role": "user", "content": content}], "stream": True,
            "stream_options": {"include_usage": True}, **extra}


SCENARIOS = [
    {"id": "coder-text", "server": CODER, "request": chat("Say hello.", tools=[READ_TOOL, BASH_TOOL]),
     "output": "Hello! How can I help with your code today?"},
    {"id": "coder-tool-call", "server": CODER, "request": chat("Show me package.json", tools=[READ_TOOL, BASH_TOOL]), "alsoUnstreamed": True,
     "output": "I'll read it.\n<tool_call>\n<function=read_file>\n<parameter=path>\npackage.json\n</parameter>\n"
               "<parameter=limit>\n40\n</parameter>\n</function>\n</tool_call>"},
    {"id": "coder-tool-calls", "server": CODER, "request": chat("List files, then read README.md", tools=[READ_TOOL, BASH_TOOL]),
     "output": "<tool_call>\n<function=bash>\n<parameter=command>\nls -la\n</parameter>\n</function>\n</tool_call>\n"
               "<tool_call>\n<function=read_file>\n<parameter=path>\nREADME.md\n</parameter>\n</function>\n</tool_call>"},
    {"id": "coder-length", "server": CODER, "request": chat("Write a long story.", max_tokens=8),
     "output": "Once upon a time there was a small program that wanted to compile without warnings."},
    {"id": "coder-stop-string", "server": CODER, "request": chat("Count to five.", stop=["4"]),
     "output": "1, 2, 3, 4, 5"},
    {"id": "coder-no-usage", "server": CODER, "request": {**chat("Say hi."), "stream_options": None},
     "output": "Hi."},
    {"id": "sera-tool-call", "server": SERA, "request": chat("Run the tests", tools=[BASH_TOOL]),
     "output": "<tool_call>\n{\"name\": \"bash\", \"arguments\": {\"command\": \"npm test -- --runInBand\"}}\n</tool_call>"},
    {"id": "sera-text", "server": SERA, "request": chat("What does ls do?", tools=[BASH_TOOL]),
     "output": "It lists the files in a directory."},
    {"id": "vlm-reasoning", "server": VLM, "request": chat("Describe the screenshot."), "alsoUnstreamed": True,
     "output": "The user wants a description. I see a terminal window.\n</think>\n\nA terminal showing npm test output with 3 passing tests."},
    {"id": "vlm-reasoning-length", "server": VLM, "request": chat("Describe it briefly.", max_tokens=6),
     "output": "Let me look at the pixels first, then answer.\n</think>\n\nA chart."},
]

# Length checks, from vLLM's renderer and serving code, on a small window so the prompts stay small.
ERROR_MAX_MODEL_LEN = 64
ERRORS = [
    {"id": "max-tokens-above-window", "request": {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 100}},
    {"id": "prompt-above-window", "request": {"messages": [{"role": "user", "content": "word " * 80}], "max_tokens": 10}},
    {"id": "prompt-fills-window", "request": None},  # filled in below once the template overhead is known
]
# prompt + max_tokens over the window, each alone within it: vLLM clamps max_tokens to the room (no error)
CLAMP = {"id": "clamped-max-tokens", "request": {"messages": [{"role": "user", "content": "word " * 20}], "max_tokens": 60,
                                                 "stream": True, "stream_options": {"include_usage": True}},
         "output": "word " * 80}

SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
ADDED = ["<think>", "</think>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>"]
SPLIT = r" ?[A-Za-z_]+| ?[0-9]| ?[^\sA-Za-z0-9_]+|\n+| +"

CHAT_TEMPLATE = (
    "{%- if tools %}{{ '<|im_start|>system\\n# Tools\\n\\n<tools>' }}{%- for t in tools %}{{ '\\n' + (t | tojson) }}"
    "{%- endfor %}{{ '\\n</tools><|im_end|>\\n' }}{%- endif %}"
    "{%- for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + (m.content or '') }}"
    "{%- for c in m.tool_calls or [] %}{{ '\\n<tool_call>\\n' + (c.function | tojson) + '\\n</tool_call>' }}{%- endfor %}"
    "{{ '<|im_end|>\\n' }}{%- endfor %}"
    "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- if thinking %}{{ '<think>\\n' }}{%- endif %}{%- endif %}"
)


def build_model_dir(root: Path, thinking: bool) -> Path:
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers

    d = root / ("thinking" if thinking else "instruct")
    d.mkdir(parents=True, exist_ok=True)
    pre = pre_tokenizers.Split(Regex(SPLIT), behavior="isolated")
    words: set[str] = {chr(c) for c in range(32, 127)} | {" " + chr(c) for c in range(33, 127)} | {"\n", "\n\n"}
    texts = [s["output"] for s in SCENARIOS] + [CLAMP["output"]]
    for t in texts:
        for piece in re.split(r"(<\|im_end\|>|</?think>|</?tool_call>)", t):
            words.update(w for w, _ in pre.pre_tokenize_str(piece))
    vocab = {tok: i for i, tok in enumerate(SPECIAL + ADDED + ["<unk>"])}
    for w in sorted(words):
        vocab.setdefault(w, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre
    tok.decoder = decoders.Fuse()
    # Qwen's tokenizer: the ChatML markers are special (skipped when decoding), the think/tool tags are not
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in SPECIAL])
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in ADDED])
    tok.save(str(d / "tokenizer.json"))
    template = CHAT_TEMPLATE.replace("{%- if thinking %}", "{%- if true %}" if thinking else "{%- if false %}")
    (d / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast", "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
        "unk_token": "<unk>", "model_max_length": 131072, "chat_template": template,
    }))
    (d / "config.json").write_text(json.dumps({
        "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_size": 64, "intermediate_size": 128,
        "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 32,
        "vocab_size": len(vocab), "max_position_embeddings": 131072, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
        "torch_dtype": "bfloat16", "tie_word_embeddings": True, "eos_token_id": vocab["<|im_end|>"],
        "bos_token_id": None, "pad_token_id": vocab["<|endoftext|>"],
    }))
    return d


# ---------------------------------------------------------------------------------------------------------------
# The scripted engine core: AsyncLLM talks to it instead of an EngineCore process.

class ScriptedCore:
    """Stands where AsyncMPClient would: takes EngineCoreRequests, returns one token per request per step."""

    def __init__(self, vllm_config, tokenizer):
        self.max_model_len = vllm_config.model_config.max_model_len
        self.tokenizer = tokenizer
        self.script: list[int] = []
        self.running: dict[str, tuple] = {}
        self.queue: asyncio.Queue = asyncio.Queue()
        self.engine_ranks_managed = [0]
        self.resources = type("Resources", (), {"engine_dead": False})()

    def set_output(self, text: str) -> None:
        # what the model "samples": the text's tokens, then EOS (the scheduler stops on it, or on max_tokens first)
        self.script = self.tokenizer.encode(text, add_special_tokens=False) + [self.tokenizer.eos_token_id]

    async def add_request_async(self, request) -> None:
        from vllm.v1.request import Request

        self.running[request.request_id] = (Request.from_engine_core_request(request, None), list(self.script))
        asyncio.get_running_loop().call_soon(self._step)

    def _step(self) -> None:
        from vllm.v1.core.sched.utils import check_stop
        from vllm.v1.engine import EngineCoreOutput, EngineCoreOutputs

        outputs = []
        for rid, (req, script) in list(self.running.items()):
            token = script.pop(0)
            req.append_output_token_ids(token)
            stopped = check_stop(req, self.max_model_len)  # the scheduler's own rule: EOS, stop ids, max_tokens
            outputs.append(EngineCoreOutput(request_id=rid, new_token_ids=[token],
                                            finish_reason=req.get_finished_reason() if stopped else None,
                                            stop_reason=req.stop_reason if stopped else None))
            if stopped:
                del self.running[rid]
        self.queue.put_nowait(EngineCoreOutputs(outputs=outputs))
        if self.running:
            asyncio.get_running_loop().call_soon(self._step)

    async def get_output_async(self):
        return await self.queue.get()

    async def abort_requests_async(self, request_ids) -> None:
        for rid in request_ids:
            self.running.pop(rid, None)

    async def get_supported_tasks_async(self):
        return ("generate",)

    async def is_sleeping_async(self) -> bool:
        return False

    def dp_engines_running(self) -> bool:
        return False

    def shutdown(self, *a, **k) -> None:
        pass


async def serve(server: dict, max_model_len: int, root: Path):
    """vLLM's app for `vllm serve MODEL_DIR --served-model-name NAME --max-model-len N <flags>`, scripted core."""
    from vllm.engine.arg_utils import AsyncEngineArgs
    from vllm.entrypoints.cli.serve import ServeSubcommand
    from vllm.entrypoints.launchers.api_server.app_state import init_app_state
    from vllm.entrypoints.launchers.app import build_app
    from vllm.utils.argparse_utils import FlexibleArgumentParser
    from vllm.v1.engine import async_llm, core_client

    model_dir = build_model_dir(root, bool(server.get("thinking")))
    parser = FlexibleArgumentParser(prog="vllm")
    sub = parser.add_subparsers(dest="subparser")
    ServeSubcommand().subparser_init(sub)
    args = parser.parse_args(["serve", str(model_dir), "--served-model-name", server["name"],
                              "--max-model-len", str(max_model_len), *server["flags"]])
    ServeSubcommand().validate(args)
    args.model = args.model_tag  # what ServeSubcommand.cmd does before building the engine args
    vllm_config = AsyncEngineArgs.from_cli_args(args).create_engine_config()

    cores = []

    def make_client(vllm_config, executor_class, log_stats, *a, renderer=None, **k):
        cores.append(ScriptedCore(vllm_config, renderer.tokenizer))
        return cores[-1]

    core_client.EngineCoreClient.make_async_mp_client = staticmethod(make_client)
    engine = async_llm.AsyncLLM(vllm_config, executor_class=None, log_stats=False)
    tasks = await engine.get_supported_tasks()
    app = build_app(args, tasks, engine.model_config)
    await init_app_state(engine, app.state, args, tasks)
    return app, cores[0], engine


def normalise(text: str) -> str:
    """Fixed volatile fields: the request id → chatcmpl-fixture, tool-call ids → chatcmpl-tool-0, -1, … in order of
    appearance, created → 0, the config-hash part of system_fingerprint (it covers the temp model path) → 00000000."""
    tool_ids: dict[str, str] = {}

    def tool(m: re.Match) -> str:
        return tool_ids.setdefault(m.group(0), f"chatcmpl-tool-{len(tool_ids)}")

    text = re.sub(r"chatcmpl-tool-[0-9a-f]{8,}", tool, text)
    text = re.sub(r'"id":"chatcmpl-(?!tool-)[^"]+"', '"id":"chatcmpl-fixture"', text)
    text = re.sub(r'"created":\d+', '"created":0', text)
    return re.sub(r'"system_fingerprint":"(vllm-[^"]+)-[0-9a-f]{8}"', r'"system_fingerprint":"\1-00000000"', text)


async def post(app, body: dict, path: str = "/v1/chat/completions") -> tuple[int, str, str]:
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://vllm") as client:
        r = await client.post(path, json=body)
        return r.status_code, r.headers.get("content-type", ""), r.text


async def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="vllm-fixture-model-"))
    index = []
    apps: dict[str, tuple] = {}
    for s in SCENARIOS:
        server = s["server"]
        if server["name"] not in apps:
            apps[server["name"]] = await serve(server, 32768, root / server["name"].replace("/", "--"))
        app, core, _ = apps[server["name"]]
        core.set_output(s["output"])
        request = {k: v for k, v in {"model": server["name"], **s["request"]}.items() if v is not None}
        status, ctype, text = await post(app, request)
        assert status == 200 and ctype.startswith("text/event-stream"), (s["id"], status, text)
        (OUT / f"{s['id']}.sse").write_text(normalise(text))
        entry = {"id": s["id"], "model": server["name"], "flags": server["flags"], "request": request,
                 "modelOutput": s["output"], "file": f"{s['id']}.sse"}
        if s.get("alsoUnstreamed"):
            core.set_output(s["output"])
            status, ctype, text = await post(app, {**request, "stream": False, "stream_options": None})
            assert status == 200, (s["id"], status, text)
            (OUT / f"{s['id']}.json").write_text(normalise(text))
            entry["unstreamed"] = f"{s['id']}.json"
        index.append(entry)

    # context length: a coder server with a small window
    app, core, _ = await serve(CODER, ERROR_MAX_MODEL_LEN, root / "small-window")
    model = CODER["name"]
    status, _, text = await post(app, {"model": model, "messages": [{"role": "user", "content": "word"}]}, "/tokenize")
    overhead = json.loads(text)["count"] - 1  # the template around one one-token message
    fill = ERROR_MAX_MODEL_LEN - overhead  # "word" + " word" × (fill − 1) is `fill` tokens
    errors = []
    for e in ERRORS:
        body = e["request"] or {"messages": [{"role": "user", "content": "word" + " word" * (fill - 1)}], "max_tokens": 10}
        body = {"model": model, **body}
        status, ctype, text = await post(app, body)
        _, _, counted = await post(app, {"model": model, "messages": body["messages"]}, "/tokenize")
        errors.append({"id": e["id"], "maxModelLen": ERROR_MAX_MODEL_LEN, "promptTokens": json.loads(counted)["count"],
                       "maxTokens": body.get("max_tokens"), "status": status, "contentType": ctype, "body": text})
    status, _, text = await post(app, {"model": "no-such-model", "messages": [{"role": "user", "content": "hi"}]})
    errors.append({"id": "unknown-model", "model": "no-such-model", "status": status, "body": text})
    core.set_output(CLAMP["output"])
    body = {"model": model, **CLAMP["request"]}
    status, ctype, text = await post(app, body)
    assert status == 200, (status, text)
    (OUT / f"{CLAMP['id']}.sse").write_text(normalise(text))
    _, _, counted = await post(app, {"model": model, "messages": body["messages"]}, "/tokenize")
    index.append({"id": CLAMP["id"], "model": model, "flags": CODER["flags"], "request": body, "modelOutput": CLAMP["output"],
                  "file": f"{CLAMP['id']}.sse", "maxModelLen": ERROR_MAX_MODEL_LEN, "promptTokens": json.loads(counted)["count"]})
    (OUT / "errors.json").write_text(json.dumps(errors, indent=1) + "\n")
    (OUT / "scenarios.json").write_text(json.dumps({"vllmVersion": __import__("vllm").__version__, "scenarios": index}, indent=1) + "\n")


if __name__ == "__main__":
    logging.disable(logging.WARNING)
    asyncio.run(main())
