"""Prints, as JSON, the names vLLM itself accepts: its tool parsers, reasoning parsers and KV-cache dtypes, read from
vLLM's registries (ToolParserManager, ReasoningParserManager, the CacheDType literal / KV_CACHE_DTYPES).
Run in the vLLM venv by `npm run vllm-names` (which writes components/vllm-names.json) and by tests/vllm/names.test.ts.
"""

import json
import typing

import vllm
from vllm.config.cache import KV_CACHE_DTYPES, CacheDType
from vllm.reasoning import ReasoningParserManager
from vllm.tool_parsers import ToolParserManager

# KV_CACHE_DTYPES mirrors the Literal plus what platform plugins register; on a plain install they are equal.
literal = list(typing.get_args(CacheDType))
if literal != KV_CACHE_DTYPES:
    raise SystemExit(f"CacheDType {literal} and KV_CACHE_DTYPES {KV_CACHE_DTYPES} differ: a plugin registered dtypes")

print(
    json.dumps(
        {
            "vllmVersion": vllm.__version__,
            "toolCallParsers": ToolParserManager.list_registered(),
            "reasoningParsers": ReasoningParserManager.list_registered(),
            "kvCacheDtypes": list(KV_CACHE_DTYPES),
        },
        indent=2,
    )
)
