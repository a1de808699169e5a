"""Loads components/modal/vllm_app.py with the real modal SDK and prints, as JSON, what the SDK's decorators
resolved for each function: the keyword arguments modal passes to _Function._from_local (the point where the
decorator stack has been folded into one function definition), plus the module's vllm argv.
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

warnings.simplefilter("ignore")
captured: dict[str, dict] = {}
original = _Function._from_local


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
    }
    return original(info, app, image, *args, **kwargs)


with mock.patch.object(_Function, "_from_local", staticmethod(capture)):
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "components/modal/vllm_app.py")
    spec = importlib.util.spec_from_file_location("vllm_app", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

print(json.dumps({"modal_version": modal.__version__, "app_name": module.app.name, "functions": captured, "argv": module.serve_argv()}))
