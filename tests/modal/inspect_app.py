"""Loads components/modal/vllm_app.py with the real modal SDK and prints, as JSON, what the SDK's decorators
resolved for each function: the keyword arguments modal passes to _Function._from_local (the point where the
decorator stack has been folded into one function definition), plus the module's vllm argv, plus the function
image's build steps: the Dockerfile commands the SDK's own dockerfile functions produce for the latest image
builder version, base layer first (what Modal's builder would be sent, computed without a network call).
Usage: ENDPOINT_SPEC='{...}' python inspect_app.py
"""

import importlib.util
import json
import sys
import warnings
from pathlib import Path
from unittest import mock

import modal
from modal._functions import _Function
from modal._image import LATEST_IMAGE_BUILDER_VERSION, _Image

warnings.simplefilter("ignore")
captured: dict[str, dict] = {}
original = _Function._from_local
BUILDER_VERSION = LATEST_IMAGE_BUILDER_VERSION

# Every Image layer is made by _Image._from_args(dockerfile_function=…, base_images=…); keep those arguments on it.
created: list[_Image] = []
original_from_args = _Image._from_args
original_from_loader = _Image._from_loader


def from_args(**kwargs):
    image = original_from_args(**kwargs)
    image._inspect_args = kwargs
    created.append(image)
    return image


def from_loader(load, rep, *args, **kwargs):
    image = original_from_loader(load, rep, *args, **kwargs)
    if rep.startswith("Image.from_registry("):
        # with add_python, from_registry has just made a single-layer image, the registry image and a split image
        # on it, and its loader picks one of the two by builder version
        image._inspect_variants = {"single": created[-3], "split": created[-1]}
    return image


def layers(image: _Image) -> list[dict]:
    out = []
    while image is not None:
        if hasattr(image, "_inspect_variants"):
            # the same choice from_registry's loader makes
            image = image._inspect_variants["split" if BUILDER_VERSION > "2025.06" else "single"]
            continue
        args = image._inspect_args
        spec = args["dockerfile_function"](BUILDER_VERSION) if args.get("dockerfile_function") else None
        out.append({"commands": list(spec.commands) if spec else [], "secrets": len(args.get("secrets") or []), "gpu": bool(args.get("gpu_config") and args["gpu_config"].gpu_type)})
        image = (args.get("base_images") or {}).get("base")
    return list(reversed(out))


def capture(info, app, image, *args, **kwargs):
    webhook = kwargs.get("webhook_config")
    captured[info.function_name] = {
        "gpu": kwargs.get("gpu"),
        "scaledown_window": kwargs.get("scaledown_window"),
        "min_containers": kwargs.get("min_containers"),
        "max_containers": kwargs.get("max_containers"),
        "max_concurrent_inputs": kwargs.get("max_concurrent_inputs"),
        "timeout": kwargs.get("timeout"),
        "enable_memory_snapshot": kwargs.get("enable_memory_snapshot"),
        "experimental_options": kwargs.get("experimental_options"),
        "env": kwargs.get("env"),
        "secrets": len(kwargs.get("secrets") or []),
        "volumes": sorted(str(k) for k in (kwargs.get("volumes") or {})),
        "web_server_port": webhook.web_server_port if webhook else None,
        "web_server_startup_timeout": webhook.web_server_startup_timeout if webhook else None,
        "requires_proxy_auth": webhook.requires_proxy_auth if webhook else None,
        "image": {"builder_version": BUILDER_VERSION, "layers": layers(image)},
    }
    return original(info, app, image, *args, **kwargs)


with (
    mock.patch.object(_Function, "_from_local", staticmethod(capture)),
    mock.patch.object(_Image, "_from_args", staticmethod(from_args)),
    mock.patch.object(_Image, "_from_loader", staticmethod(from_loader)),
):
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "components/modal/vllm_app.py")
    spec = importlib.util.spec_from_file_location("vllm_app", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

print(json.dumps({"modal_version": modal.__version__, "app_name": module.app.name, "functions": captured, "argv": module.serve_argv()}))
