"""What vLLM's own code says about FlashInfer's kernels and the fp8-KV attention backends, on a machine without a GPU.
Prints JSON. Usage: python flashinfer_probe.py CUDA_TOOLKIT_DIR COMPUTE_CAPABILITY×10…

- has_flashinfer: vllm.utils.flashinfer.has_flashinfer() with no CUDA toolkit and no flashinfer-cubin (a debian_slim
  image), with CUDA_HOME at a toolkit and ninja on PATH (the CUDA devel image), and with the cubin package present.
- fp8_kv: per compute capability, vLLM's attention selector (CudaPlatformBase.get_valid_backends) for the VL model's
  attention with fp8 KV, and what TritonAttentionImpl says when built for it. The platform reports the capability by
  patching; the rest is vLLM's code. FlashAttention is invalid here for another reason (its CUDA extension cannot load
  without a driver); on a GPU it takes fp8 KV on SM90/SM100 only (fa_utils.flash_attn_supports_kv_cache_dtype).
"""

import importlib.metadata
import json
import os
import sys
import types

import torch

toolkit = sys.argv[1]
venv_bin = os.path.dirname(sys.executable)
bare_path = "/usr/bin:/bin"  # no nvcc, no ninja


def has_flashinfer(env: dict[str, str]) -> bool:
    from vllm.utils import flashinfer

    for key in ("CUDA_HOME", "CUDA_PATH", "VLLM_HAS_FLASHINFER_CUBIN"):
        os.environ.pop(key, None)
    os.environ.update(env)
    flashinfer.has_flashinfer.cache_clear()
    flashinfer.has_flashinfer_cubin.cache_clear()
    return flashinfer.has_flashinfer()


report = {
    "torch_cuda": torch.version.cuda,
    "flashinfer_python": importlib.metadata.version("flashinfer-python"),
    "flashinfer_cubin_installed": importlib.util.find_spec("flashinfer_cubin") is not None,
    "usr_local_cuda": os.path.exists("/usr/local/cuda"),
    "has_flashinfer": {
        "bare": has_flashinfer({"PATH": bare_path}),
        "cuda_home": has_flashinfer({"PATH": f"{venv_bin}:{bare_path}", "CUDA_HOME": toolkit}),
        "cubin": has_flashinfer({"PATH": bare_path, "VLLM_HAS_FLASHINFER_CUBIN": "1"}),
    },
}

# vllm.platforms.cuda registers its custom ops from a CUDA extension at import; nothing here calls them
sys.modules["vllm._C_stable_libtorch"] = types.ModuleType("vllm._C_stable_libtorch")
from vllm.platforms import current_platform as platform  # noqa: E402
from vllm.platforms.interface import DeviceCapability  # noqa: E402

current = {"cap": DeviceCapability(8, 0)}


def cc() -> int:
    return current["cap"].to_int()


def as_int(c) -> int:
    return c if isinstance(c, int) else c[0] * 10 + c[1]


platform.get_device_capability = lambda device_id=0: current["cap"]
platform.is_cuda = lambda: True
platform.has_device_capability = lambda c, device_id=0: cc() >= as_int(c)
platform.is_device_capability = lambda c, device_id=0: cc() == as_int(c)
platform.is_device_capability_family = lambda c, device_id=0: cc() // 10 == c // 10
platform.get_device_name = lambda device_id=0: f"a GPU of compute capability {current['cap'].as_version_str()}"

from vllm.platforms.cuda import CudaPlatformBase  # noqa: E402
from vllm.v1.attention.backends.triton_attn import TritonAttentionImpl  # noqa: E402
from vllm.v1.attention.selector import AttentionSelectorConfig  # noqa: E402

config = AttentionSelectorConfig(head_size=128, dtype=torch.bfloat16, kv_cache_dtype="fp8", block_size=None)
report["fp8_kv"] = {}
for value in sys.argv[2:]:
    current["cap"] = DeviceCapability(int(value) // 10, int(value) % 10)
    valid, invalid = CudaPlatformBase.get_valid_backends(current["cap"], config)
    try:
        TritonAttentionImpl(num_heads=64, head_size=128, scale=128**-0.5, num_kv_heads=8, alibi_slopes=None, sliding_window=None, kv_cache_dtype="fp8")
        triton_error = None
    except ValueError as e:
        triton_error = str(e)
    report["fp8_kv"][value] = {
        "valid": [c.backend.name for c in sorted(valid, key=lambda c: c.priority)],
        "invalid": {k.name: v[1] for k, v in invalid.items()},
        "triton_error": triton_error,
    }
print(json.dumps(report))
