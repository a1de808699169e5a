"""vLLM's own judgement of `vllm serve` command lines, without a GPU: the `serve` subparser exactly as `vllm`'s CLI
main() builds it (FlexibleArgumentParser + ServeSubcommand → make_arg_parser), then the subcommand's validate()
(validate_parsed_serve_args) and AsyncEngineArgs.from_cli_args. Every warning is captured: Python warnings and
records at WARNING or above on vLLM's loggers. Names vLLM's parser accepts as free strings are looked up in its
registries (ToolParserManager, ReasoningParserManager, KV_CACHE_DTYPES).
The spec's env (HF_HUB_OFFLINE=1 for baked weights) makes vLLM resolve the model in the local Hugging Face cache, as
it does in the container; here HF_HOME is a temporary cache holding an empty snapshot of each model (the parser and
the engine args never open the files).
stdin: [{"label", "argv", "env"}]; stdout: one JSON result per case.
"""

import argparse
import contextlib
import io
import json
import logging
import os
import sys
import tempfile
import warnings
from pathlib import Path

CASES = json.load(sys.stdin)


def fake_hf_cache(cases: list[dict]) -> str:
    """An HF cache with a snapshot of every model/revision the command lines name, before huggingface_hub is imported."""
    home = tempfile.mkdtemp(prefix="hf-home-")
    for case in cases:
        argv = case["argv"]
        model = argv[2]
        revision = argv[argv.index("--revision") + 1] if "--revision" in argv else "main"
        repo = Path(home, "hub", "models--" + model.replace("/", "--"))
        commit = "0" * 40
        (repo / "refs").mkdir(parents=True, exist_ok=True)
        (repo / "refs" / revision).write_text(commit)
        (repo / "snapshots" / commit).mkdir(parents=True, exist_ok=True)
    return home


for case in CASES:
    os.environ.update({k: v for k, v in case.get("env", {}).items() if k != "HF_HOME"})
os.environ["HF_HOME"] = fake_hf_cache(CASES)

from vllm.config.cache import KV_CACHE_DTYPES
from vllm.engine.arg_utils import AsyncEngineArgs
from vllm.entrypoints.cli.serve import ServeSubcommand
from vllm.reasoning import ReasoningParser, ReasoningParserManager
from vllm.tool_parsers import ToolParser, ToolParserManager
from vllm.utils.argparse_utils import FlexibleArgumentParser


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")


def serve_parser() -> FlexibleArgumentParser:
    parser = FlexibleArgumentParser(description="vLLM CLI")
    subparsers = parser.add_subparsers(required=False, dest="subparser")
    ServeSubcommand().subparser_init(subparsers).set_defaults(dispatch_function=ServeSubcommand.cmd)
    return parser


def registry_class(manager_get, base, name):
    if not name:  # vLLM's reasoning-parser default is ""
        return None
    try:
        cls = manager_get(name)
    except Exception as e:  # noqa: BLE001 - the message is the verdict
        return f"error: {e}"
    return cls.__name__ if issubclass(cls, base) else f"error: {cls!r} is not a {base.__name__}"


def judge(case: dict) -> dict:
    argv = case["argv"]
    if argv[:2] != ["vllm", "serve"]:
        return {"label": case["label"], "error": f"not a `vllm serve` command line: {argv[:2]}"}
    handler = Collect()
    vllm_logger = logging.getLogger("vllm")
    vllm_logger.addHandler(handler)
    stderr = io.StringIO()
    result: dict = {"label": case["label"], "error": None}
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(stderr):
        warnings.simplefilter("always")
        try:
            args = serve_parser().parse_args(argv[1:])
            ServeSubcommand().validate(args)
            if args.model_tag is not None:  # what ServeSubcommand.cmd does before building the engine args
                args.model = args.model_tag
            engine = AsyncEngineArgs.from_cli_args(args)
            result["parsed"] = {
                "model": args.model_tag,  # engine.model is already the local snapshot path
                "served_model_name": engine.served_model_name,
                "revision": engine.revision,
                "max_model_len": engine.max_model_len,
                "max_num_seqs": engine.max_num_seqs,
                "gpu_memory_utilization": engine.gpu_memory_utilization,
                "kv_cache_dtype": engine.kv_cache_dtype,
                "tensor_parallel_size": engine.tensor_parallel_size,
                "limit_mm_per_prompt": engine.limit_mm_per_prompt,
                "enable_sleep_mode": engine.enable_sleep_mode,
                "enforce_eager": engine.enforce_eager,
                "trust_remote_code": engine.trust_remote_code,
                "host": args.host,
                "port": args.port,
                "enable_auto_tool_choice": args.enable_auto_tool_choice,
                "tool_call_parser": args.tool_call_parser,
                "reasoning_parser": args.reasoning_parser,
            }
            result["registry"] = {
                "tool_call_parser": registry_class(ToolParserManager.get_tool_parser, ToolParser, args.tool_call_parser),
                "reasoning_parser": registry_class(ReasoningParserManager.get_reasoning_parser, ReasoningParser, args.reasoning_parser),
                "kv_cache_dtype_known": engine.kv_cache_dtype in KV_CACHE_DTYPES,
            }
        except SystemExit as e:  # argparse's error(): usage + message on stderr, exit 2
            result["error"] = f"exit {e.code}: {stderr.getvalue().strip().splitlines()[-1] if stderr.getvalue().strip() else ''}"
        except Exception as e:  # noqa: BLE001
            result["error"] = f"{type(e).__name__}: {e}"
    vllm_logger.removeHandler(handler)
    result["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught] + handler.messages
    return result


if __name__ == "__main__":
    print(json.dumps([judge(c) for c in CASES]))
