"""One Modal app serving vLLM, built from a JSON spec (components/endpoint-spec.ts).

`modal deploy components/modal/vllm_app.py` runs with ENDPOINT_SPEC in the environment. Modal re-imports this
module inside the container, so the spec also travels to the container as a function env var and the same
definition is rebuilt there from the same JSON. Nothing here is generated: every knob comes from the spec.
Current Modal API only (min_containers / max_containers / scaledown_window / @modal.concurrent / @modal.web_server).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
import urllib.request

import modal

SPEC_ENV = "ENDPOINT_SPEC"


def load_spec() -> dict:
    raw = os.environ.get(SPEC_ENV)
    if not raw:
        raise RuntimeError(f"{SPEC_ENV} is not set: deploy through `node components/modal/deploy.ts deploy`")
    return json.loads(raw)


SPEC_JSON = os.environ.get(SPEC_ENV, "")
SPEC = load_spec()
SCALING = SPEC["scaling"]
PORT = SPEC["port"]


def serve_argv(spec: dict = SPEC) -> list[str]:
    """The exact `vllm serve` command line (the API key reaches vLLM as VLLM_API_KEY, never on argv)."""
    return list(spec["serve"]["argv"])


def build_image(spec: dict) -> modal.Image:
    # CUDA devel base (nvcc for FlashInfer's JIT) + FlashInfer's precompiled kernels: why, in VLLM_IMAGE
    # (components/endpoint-spec.ts). The CUDA image's entrypoint script only prints a banner: dropped, as Modal's examples do.
    image = (
        modal.Image.from_registry(spec["image"]["base"], add_python=spec["image"]["python"])
        .entrypoint([])
        .uv_pip_install(f"vllm=={spec['vllmVersion']}", "huggingface_hub[hf_transfer]")
        .run_commands(spec["image"]["kernels"])
        .env({"HF_HOME": spec["weights"]["hfHome"], "HF_HUB_ENABLE_HF_TRANSFER": "1"})
    )
    if spec["weights"]["mode"] == "image":
        # Bake the weights into a layer: the fastest cold start, rebuilt only when model/revision change.
        download = ["hf", "download", spec["model"]]
        if spec.get("revision"):
            download += ["--revision", spec["revision"]]
        image = image.run_commands(shlex.join(download), secrets=hf_secrets(spec))
    return image


def hf_secrets(spec: dict) -> list[modal.Secret]:
    name = spec["secrets"].get("hf")
    return [modal.Secret.from_name(name)] if name else []


def function_secrets(spec: dict) -> list[modal.Secret]:
    names = [spec["secrets"].get("apiKey"), spec["secrets"].get("hf")]
    return [modal.Secret.from_name(n) for n in names if n]


def volumes(spec: dict) -> dict[str, modal.Volume]:
    if spec["weights"]["mode"] != "volume":
        return {}
    return {spec["weights"]["hfHome"]: modal.Volume.from_name(spec["weights"]["volumeName"], create_if_missing=True)}


def container_env(spec: dict) -> dict[str, str]:
    # ENDPOINT_SPEC itself rides along so the container can rebuild this module's definition.
    return {**spec["serve"]["env"], SPEC_ENV: SPEC_JSON}


def start_vllm() -> subprocess.Popen:
    return subprocess.Popen(serve_argv(), env=os.environ.copy())


def local_request(path: str, method: str = "GET", body: bytes | None = None, timeout: float = 5.0) -> int:
    headers = {"Content-Type": "application/json"}
    if os.environ.get("VLLM_API_KEY"):
        headers["Authorization"] = f"Bearer {os.environ['VLLM_API_KEY']}"
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=body, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status


def wait_ready(deadline_s: float) -> None:
    start = time.monotonic()
    while time.monotonic() - start < deadline_s:
        try:
            if local_request("/health") == 200:
                return
        except OSError:
            pass
        time.sleep(1)
    raise TimeoutError(f"vLLM did not become healthy within {deadline_s:.0f}s")


app = modal.App(SPEC["appName"])

function_options = dict(
    image=build_image(SPEC),
    gpu=SPEC["gpu"],
    env=container_env(SPEC),
    secrets=function_secrets(SPEC),
    volumes=volumes(SPEC),
    scaledown_window=SCALING["scaledownWindow"],
    min_containers=SCALING["minContainers"],
    max_containers=SCALING.get("maxContainers"),
    timeout=SCALING["timeout"],
)
web_server = modal.web_server(PORT, startup_timeout=SCALING["startupTimeout"], requires_proxy_auth=SPEC["requiresProxyAuth"])
concurrent = modal.concurrent(max_inputs=SCALING["maxInputs"])

if not SPEC["fastBoot"]:

    @app.function(**function_options)
    @concurrent
    @web_server
    def serve() -> None:
        start_vllm()

else:
    # GPU memory snapshot: start and warm vLLM, put it to sleep (weights out of GPU memory), snapshot;
    # a restored container only wakes it up. Modal's documented vLLM pattern, with --enable-sleep-mode.
    @app.cls(**function_options, enable_memory_snapshot=True, experimental_options={"enable_gpu_snapshot": True})
    @concurrent
    class VllmServer:
        @modal.enter(snap=True)
        def start_and_sleep(self) -> None:
            self.process = start_vllm()
            wait_ready(SCALING["startupTimeout"])
            warm = json.dumps({"model": SPEC["servedModelName"], "messages": [{"role": "user", "content": "hi"}], "max_tokens": 8}).encode()
            for _ in range(3):
                local_request("/v1/chat/completions", "POST", warm, timeout=120)
            local_request("/sleep?level=1", "POST")

        @modal.enter(snap=False)
        def wake(self) -> None:
            local_request("/wake_up", "POST")

        @web_server
        def serve(self) -> None:
            pass
