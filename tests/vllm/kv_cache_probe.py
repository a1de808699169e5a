# vLLM's own KV-cache accounting for a local config.json, without a GPU: the numbers the capacity planner must match.
# stdin: JSON list of cases {dir, maxModelLen, kvCacheDtype, tensorParallel, prefixCaching, gdnFlashinferPrefill,
# availableBytes}; stdout: one JSON list of results.
#
# Everything is vLLM 0.33's code except what a GPU decides at start-up, which the case states:
# - the attention backend (FlashAttention: kernel blocks in multiples of 16 for head sizes 128/256 off Blackwell);
# - whether Gated-DeltaNet prefill runs on FlashInfer (Hopper, qwen_gdn_linear_attn._resolve_gdn_prefill_backend),
#   which makes each GDN layer export prefill checkpoints aligned to FLASHINFER_GDN_CHECKPOINT_ALIGNMENT and keep
#   one extra state block (num_prefill_checkpoint_blocks=1).
# The CPU platform's own block-size rules (128-token blocks, fp32 GDN state) are not applied: we want the GPU's.
import json
import sys
from dataclasses import replace

from vllm.engine.arg_utils import EngineArgs
from vllm.model_executor.layers.mamba import abstract as mamba_abstract
from vllm.model_executor.models import ModelRegistry
from vllm.model_executor.models.config import HybridAttentionMambaModelConfig
from vllm.platforms.interface import Platform
from vllm.utils.torch_utils import STR_DTYPE_TO_TORCH_DTYPE
from vllm.v1.attention.backends.flash_attn import FlashAttentionBackend
from vllm.v1.attention.backends.gdn_attn import FLASHINFER_GDN_CHECKPOINT_ALIGNMENT
from vllm.v1.attention.backends.registry import MambaAttentionBackendEnum
from vllm.v1.attention.backends.utils import get_supported_kv_cache_layouts, resolve_kv_cache_layout
from vllm.v1.attention.selector import get_mamba_attn_backend
from vllm.v1.core.kv_cache_config_builder import get_kv_cache_config_builder
from vllm.v1.core.kv_cache_planning import (
    _max_memory_usage_bytes_from_groups,
    _pool_bytes_per_block_from_builder,
    get_global_kv_cache_groups,
    get_kv_cache_configs,
)
from vllm.v1.core.kv_cache_utils import get_max_concurrency_for_kv_cache_config
from vllm.v1.kv_cache_interface import FullAttentionSpec, MambaSpec, get_kv_quant_mode


class CudaLike(Platform):
    """The base Platform's block alignment, with the attention backend a CUDA GPU would pick for these layers."""

    @classmethod
    def _find_non_ssm_backends(cls, vllm_config):
        return [FlashAttentionBackend]


def probe(case):
    args = EngineArgs(
        model=case["dir"],
        max_model_len=case["maxModelLen"],
        kv_cache_dtype=case["kvCacheDtype"],
        tensor_parallel_size=case.get("tensorParallel", 1),
        enable_prefix_caching=case.get("prefixCaching", True),
        skip_tokenizer_init=True,
    )
    cfg = args.create_engine_config()
    mc, cc, pc = cfg.model_config, cfg.cache_config, cfg.parallel_config
    kv_dtype = mc.dtype if cc.cache_dtype == "auto" else STR_DTYPE_TO_TORCH_DTYPE[cc.cache_dtype]
    attn_layers = mc.get_num_layers_by_block_type(pc, "attention")
    linear_layers = mc.get_num_layers_by_block_type(pc, "linear_attention") if mc.is_hybrid else 0

    flashinfer_gdn = bool(case.get("gdnFlashinferPrefill")) and cc.mamba_cache_mode == "align"
    cc.block_size = 16  # CacheConfig.DEFAULT_BLOCK_SIZE: what FlashAttention keeps before hybrid alignment
    model_cls, _ = ModelRegistry.resolve_model_cls(mc.architecture, model_config=mc)
    if mc.is_hybrid:
        cc.mamba_ssm_cache_dtype = "auto"  # the CPU platform forces fp32; on CUDA it stays the model dtype
        cc.mamba_block_size = None
        HybridAttentionMambaModelConfig.verify_and_update_config(cfg)
        saved = mamba_abstract.get_mamba_prefill_checkpoint_alignment
        mamba_abstract.get_mamba_prefill_checkpoint_alignment = lambda _c: (
            FLASHINFER_GDN_CHECKPOINT_ALIGNMENT if flashinfer_gdn else None
        )
        try:
            CudaLike._align_hybrid_block_size(cfg, FlashAttentionBackend)
        finally:
            mamba_abstract.get_mamba_prefill_checkpoint_alignment = saved
        if cc.mamba_block_size is None:
            cc.mamba_block_size = mc.max_model_len  # mamba_cache_mode "none": one state for the whole sequence

    attn = FullAttentionSpec(
        block_size=cc.block_size,
        num_kv_heads=mc.get_num_kv_heads(pc),
        head_size=mc.get_head_size(),
        dtype=kv_dtype,
        kv_quant_mode=get_kv_quant_mode(cc.cache_dtype),
    )
    specs = {f"model.layers.{i}.self_attn.attn": attn for i in range(attn_layers)}
    mamba = None
    if linear_layers:
        # MambaBase.get_kv_cache_spec + QwenGatedDeltaNet.get_kv_cache_spec, from the model class's classmethods
        mamba = MambaSpec(
            shapes=tuple(model_cls.get_mamba_state_shape_from_config(cfg)),
            dtypes=tuple(model_cls.get_mamba_state_dtype_from_config(cfg)),
            block_size=cc.mamba_block_size,
            page_size_padded=cc.mamba_page_size_padded,
            mamba_type=MambaAttentionBackendEnum.GDN_ATTN,
            mamba_cache_mode=cc.mamba_cache_mode,
            num_speculative_blocks=cfg.num_speculative_tokens,
        )
        if flashinfer_gdn:
            mamba = replace(
                mamba,
                num_prefill_checkpoint_blocks=1,
                prefill_checkpoint_alignment=mamba_abstract.get_mamba_prefill_checkpoint_grid(cfg),
            )
        specs.update({f"model.layers.{attn_layers + i}.linear_attn": mamba for i in range(linear_layers)})

    # what EngineCore does before sizing the cache: one layout every backend supports
    backends = [FlashAttentionBackend] + ([get_mamba_attn_backend(MambaAttentionBackendEnum.GDN_ATTN)] if mamba else [])
    resolve_kv_cache_layout(cfg, [[l.name for l in get_supported_kv_cache_layouts(backends)]], list(specs.values()))
    groups = get_global_kv_cache_groups(cfg, [specs])
    builder = get_kv_cache_config_builder(cfg)
    bytes_per_block = _pool_bytes_per_block_from_builder(builder, cfg, groups)
    per_sequence = _max_memory_usage_bytes_from_groups(builder, cfg, groups)
    out = {
        "attentionLayers": attn_layers,
        "linearLayers": linear_layers,
        "kvHeadsPerRank": mc.get_num_kv_heads(pc),
        "headSize": mc.get_head_size(),
        "modelDtype": str(mc.dtype).removeprefix("torch."),
        "kvBytesPerToken": attn_layers * replace(attn, block_size=1).page_size_bytes,
        "blockSize": cc.block_size,
        "mambaCacheMode": cc.mamba_cache_mode,
        "pageBytes": attn.page_size_bytes,
        "groups": [len(g.layer_names) for g in groups],
        "bytesPerBlock": bytes_per_block,
        "blocksPerSequence": per_sequence // bytes_per_block,
        "perSequenceBytes": per_sequence,
    }
    if mamba is not None:
        out["linearStateDtypes"] = [str(d).removeprefix("torch.") for d in mamba.dtypes]
        out["linearStateBytesPerLayer"] = mamba.state_content_size_bytes
        out["linearStateCopies"] = mamba.max_memory_usage_bytes(cfg) // mamba.page_size_bytes
        out["linearStateBytesPerSequence"] = (
            sum(1 for g in groups if isinstance(g.kv_cache_spec, MambaSpec)) * out["linearStateCopies"] * bytes_per_block
        )
    if "availableBytes" in case:
        try:
            [kv] = get_kv_cache_configs(cfg, [specs], [case["availableBytes"]], groups)
            out["numBlocks"] = kv.num_blocks
            out["maxConcurrency"] = get_max_concurrency_for_kv_cache_config(cfg, kv)
        except ValueError as e:
            out["error"] = str(e)
    return out


if __name__ == "__main__":
    print(json.dumps([probe(c) for c in json.load(sys.stdin)]))
