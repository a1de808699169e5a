"""A fake `modal` CLI for tests, reproducing modal 1.6.4's behaviour and messages for what we use:
  deploy FILE [--name N] [-e ENV]   loads FILE with the REAL modal SDK (so invalid definitions fail as they
                                    would), records the app as deployed, prints modal's deploy summary
  app stop NAME [--yes] [-e ENV]    non-TTY without --yes aborts; a stopped app → "App is already stopped." exit 1
  app list [--json] [-e ENV]         JSON as modal/cli/app.py list_ prints it (display_table keys, tasks as a
                                    string, local ISO times, sorted by tasks then created_at, descending)
  container list [--json] [--app-id ID] [-e ENV]   as modal/cli/container.py list_ ("Pending" before start)
  secret create NAME [K=V…] [--from-json F] [--force] [-e ENV]; secret delete NAME [--yes] [--allow-missing]
Messages follow modal/cli/app.py, cli/utils.py (confirm_or_suggest_yes), cli/secret.py and __main__.py
("Error: …" on stderr, exit 1). State: $FAKE_MODAL_STATE/state.json. Test hooks (files in the state dir):
fail-next-deploy (its text becomes modal's error), calls.log (one JSON line per invocation); and the hidden
command `__containers APP RUNNING [PENDING] [-e ENV]`, which sets the app's containers as requests to its web
URL would (Modal starts them on demand; a stopped app has none).
"""

import contextlib
import fcntl
import hashlib
import importlib.util
import io
import json
import os
import re
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

STATE_DIR = Path(os.environ.get("FAKE_MODAL_STATE") or "/tmp/fake-modal-state")
STATE_FILE = STATE_DIR / "state.json"
WORKSPACE = os.environ.get("FAKE_MODAL_WORKSPACE", "fake-ws")


def load() -> dict:
    if STATE_FILE.exists():
        return json.loads(STATE_FILE.read_text())
    return {"apps": {}, "secrets": {}}


def save(state: dict) -> None:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = STATE_FILE.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(state, indent=2))
    tmp.replace(STATE_FILE)


def localized(ts: float | None) -> str | None:
    # modal/_utils/time_utils.py timestamp_to_localized_str(ts, isotz=True), what --json prints
    if not ts:
        return None
    return datetime.fromtimestamp(ts, tz=datetime.now().astimezone().tzinfo).isoformat(sep=" ", timespec="seconds")


def print_json(rows: list) -> None:
    # rich Console.print_json (modal's OutputManager): indent 2, non-ASCII kept, no colour without a terminal
    print(json.dumps(rows, indent=2, ensure_ascii=False))


def running(app: dict) -> list[dict]:
    return [c for c in app.get("containers", []) if c["started_at"]]


def error(msg: str, code: int = 1) -> None:
    sys.stderr.write(f"Error: {msg}\n")
    sys.exit(code)


def pop_flag(args: list[str], *names: str) -> bool:
    found = False
    for n in names:
        while n in args:
            args.remove(n)
            found = True
    return found


def pop_option(args: list[str], *names: str) -> str | None:
    for n in names:
        if n in args:
            i = args.index(n)
            if i + 1 >= len(args):
                error(f"Option '{n}' requires an argument.", 2)
            value = args[i + 1]
            del args[i : i + 2]
            return value
    return None


def key(env: str | None, name: str) -> str:
    return f"{env or 'main'}/{name}"


def label(app: str, fn: str) -> str:
    raw = re.sub(r"[^a-z0-9-]+", "-", f"{app}-{fn}".lower()).strip("-")
    if len(raw) > 63:  # modal truncates long labels and de-duplicates them with a hash
        raw = raw[:56] + "-" + hashlib.sha256(raw.encode()).hexdigest()[:6]
    return raw


def check_token() -> None:
    # like modal.config: env vars override the active profile of ~/.modal.toml (or MODAL_CONFIG_PATH)
    toml = Path(os.environ.get("MODAL_CONFIG_PATH") or Path.home() / ".modal.toml")
    in_file = toml.exists() and re.search(r"^\s*token_id\s*=", toml.read_text(), re.M)
    if not (os.environ.get("MODAL_TOKEN_ID") and os.environ.get("MODAL_TOKEN_SECRET")) and not in_file:
        error(
            "Token missing. Could not authenticate client. If you have token credentials, see modal.com/docs/sdk/py/latest/config"
            " for setup help. If you are a new user, register an account at modal.com, then run `modal token new`."
        )


def deploy(args: list[str]) -> None:
    name = pop_option(args, "--name")
    env = pop_option(args, "-e", "--env")
    pop_flag(args, "--stream-logs", "-m")
    if not args:
        error("Missing argument 'APP_REF'.", 2)
    check_token()
    hook = STATE_DIR / "fail-next-deploy"
    if hook.exists():
        msg = hook.read_text().strip()
        hook.unlink()
        error(msg)
    path = Path(args[0])
    spec = importlib.util.spec_from_file_location("deployed_app", path)
    module = importlib.util.module_from_spec(spec)
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            spec.loader.exec_module(module)
    except Exception as exc:  # modal prints the user's traceback and exits 1
        error(f"{type(exc).__name__}: {exc}")
    app = module.app
    app_name = name or app.name
    if not app_name:
        error("You need to specify an app name via --name or modal.App(name=...)")
    web = []
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        functions = dict(app.registered_functions)
        for cls_name, cls in app.registered_classes.items():
            functions.pop(f"{cls_name}.*", None)
            for method in ("serve",):
                functions[f"{cls_name}.{method}"] = cls
    for fn in functions:
        web.append(fn)
    state = load()
    k = key(env, app_name)
    spec_json = os.environ.get("ENDPOINT_SPEC")
    previous = state["apps"].get(k)
    unchanged = previous and previous["state"] == "deployed" and previous.get("spec") == spec_json
    state["apps"][k] = {
        "app_id": previous["app_id"] if previous and previous["state"] == "deployed" else "ap-" + uuid.uuid4().hex[:22],
        "description": app_name,
        "state": "deployed",
        "created_at": previous["created_at"] if previous and previous["state"] == "deployed" else time.time(),
        "stopped_at": None,
        "containers": previous.get("containers", []) if previous and previous["state"] == "deployed" else [],
        "environment": env or "main",
        "spec": spec_json,
        "deploys": (previous or {}).get("deploys", 0) + 1 if previous and previous["state"] == "deployed" else 1,
        "urls": {fn: f"https://{WORKSPACE}--{label(app_name, fn.replace('.', '-'))}.modal.run" for fn in web},
    }
    save(state)
    print("✓ Created objects.")
    print(f"├── 🔨 Created mount {path.resolve()}")
    for fn, url in state["apps"][k]["urls"].items():
        print(f"└── 🔨 Created web function {fn} => {url}")
    print("✓ Deployment skipped: no changes detected! ⏭️" if unchanged else "✓ App deployed in 2.417s! 🎉")
    print(f"\nView Deployment: https://modal.com/apps/{WORKSPACE}/{env or 'main'}/deployed/{app_name}")


def app_cmd(args: list[str]) -> None:
    sub = args.pop(0) if args else ""
    env = pop_option(args, "-e", "--env")
    state = load()
    if sub == "stop":
        yes = pop_flag(args, "--yes", "-y")
        if not args:
            error("Missing argument 'APP_IDENTIFIER'.", 2)
        check_token()
        app = state["apps"].get(key(env, args[0]))
        if app is None:
            error(f"Could not find a deployed app named '{args[0]}'.")
        if app["state"] == "stopped":
            sys.stderr.write(f"App is already stopped. (Stopped at {app['stopped_at']}).\n")
            sys.exit(1)
        if not yes:
            msg = f"Are you sure you want to stop App '{args[0]}'? No containers are currently running."
            if not sys.stdin.isatty():
                print(f"{msg} [y/N]: ")
                sys.stderr.write("Aborted: no interactive terminal detected. Rerun with --yes (-y) to skip confirmation.\n")
                sys.exit(1)
        app["state"] = "stopped"
        app["stopped_at"] = time.time()
        app["containers"] = []
        save(state)
        return
    if sub == "list":
        as_json = pop_flag(args, "--json")
        check_token()
        rows = [
            {
                "app_id": a["app_id"],
                "description": a["description"],
                "state": a["state"],
                "tasks": str(len(running(a))),
                "created_at": localized(a["created_at"]),
                "stopped_at": localized(a["stopped_at"]),
            }
            for a in state["apps"].values()
            if a["environment"] == (env or "main")
        ]
        rows.sort(key=lambda r: (int(r["tasks"]), r["created_at"]), reverse=True)
        if as_json:
            print_json(rows)
        else:
            for r in rows:
                print(f"{r['app_id']}  {r['description']}  {r['state']}  {r['tasks']}")
        return
    error(f"No such command '{sub}'.", 2)


def container_cmd(args: list[str]) -> None:
    sub = args.pop(0) if args else ""
    env = pop_option(args, "-e", "--env")
    if sub != "list":
        error(f"No such command '{sub}'.", 2)
    as_json = pop_flag(args, "--json")
    app_id = pop_option(args, "--app-id") or ""
    check_token()
    tasks = [
        {**c, "app_id": a["app_id"], "app_description": a["description"]}
        for a in load()["apps"].values()
        if a["environment"] == (env or "main") and (not app_id or a["app_id"] == app_id)
        for c in a.get("containers", [])
    ]
    tasks.sort(key=lambda t: t["started_at"] or 0, reverse=True)
    rows = [
        {"container_id": t["task_id"], "app_id": t["app_id"], "app_name": t["app_description"], "start_time": localized(t["started_at"]) or "Pending"}
        for t in tasks
    ]
    if as_json:
        print_json(rows)
    else:
        for r in rows:
            print(f"{r['container_id']}  {r['app_id']}  {r['app_name']}  {r['start_time']}")


def containers_hook(args: list[str]) -> None:
    env = pop_option(args, "-e", "--env")
    state = load()
    app = state["apps"].get(key(env, args[0]))
    if app is None or app["state"] != "deployed":
        error(f"no deployed app '{args[0]}' to start containers for")
    started, pending = int(args[1]), int(args[2]) if len(args) > 2 else 0
    now = time.time()
    app["containers"] = [
        {"task_id": "ta-" + uuid.uuid4().hex[:26].upper(), "started_at": now - 60 * (i + 1) if i < started else None, "enqueued_at": now - 60 * (i + 1)}
        for i in range(started + pending)
    ]
    save(state)


def secret_cmd(args: list[str]) -> None:
    sub = args.pop(0) if args else ""
    env = pop_option(args, "-e", "--env")
    state = load()
    if sub == "create":
        from_json = pop_option(args, "--from-json")
        force = pop_flag(args, "--force")
        check_token()
        name, pairs = args[0], args[1:]
        values = dict(p.split("=", 1) for p in pairs)
        if from_json:
            values.update(json.loads(Path(from_json).read_text()))
        if not values:
            error("You need to specify at least one key for your secret", 2)
        k = key(env, name)
        if k in state["secrets"] and not force:
            error(f"Secret '{name}' already exists. Use --force to overwrite.")
        # keep only a digest: the fake must not become a plaintext copy of test secrets
        state["secrets"][k] = {kk: hashlib.sha256(v.encode()).hexdigest() for kk, v in values.items()}
        save(state)
        print(f"Created a new secret '{name}' with the keys {', '.join(repr(x) for x in values)}")
        return
    if sub == "delete":
        allow_missing = pop_flag(args, "--allow-missing")
        yes = pop_flag(args, "--yes", "-y")
        check_token()
        k = key(env, args[0])
        if k not in state["secrets"]:
            if allow_missing:
                return
            error(f"Secret '{args[0]}' not found in environment '{env or 'main'}'")
        if not yes and not sys.stdin.isatty():
            sys.stderr.write("Aborted: no interactive terminal detected. Rerun with --yes (-y) to skip confirmation.\n")
            sys.exit(1)
        del state["secrets"][k]
        save(state)
        return
    error(f"No such command '{sub}'.", 2)


def web_url(args: list[str]) -> None:
    app_name, fn = args[0], args[1]
    env = args[2] if len(args) > 2 and args[2] else None
    check_token()
    app = load()["apps"].get(key(env, app_name))
    if app is None or app["state"] != "deployed":
        sys.stderr.write(f"modal.exception.NotFoundError: Lookup failed for Function '{fn}' from the '{app_name}' app: App '{app_name}' not found in environment '{env or 'main'}'.\n")
        sys.exit(1)
    print(app["urls"][fn])


def main() -> None:
    args = sys.argv[1:]
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    with open(STATE_DIR / "calls.log", "a") as log:
        log.write(json.dumps(args) + "\n")
    cmd = args.pop(0) if args else ""
    # Pulumi runs the endpoints' deploys in parallel: one invocation at a time reads-modifies-writes the state
    # (real Modal's server serialises them; without the lock two deploys lose one another's app or secret)
    with open(STATE_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        dispatch(cmd, args)


def dispatch(cmd: str, args: list[str]) -> None:
    {"deploy": deploy, "app": app_cmd, "container": container_cmd, "secret": secret_cmd, "__web_url": web_url, "__containers": containers_hook}.get(cmd, lambda a: error(f"No such command '{cmd}'.", 2))(args)


if __name__ == "__main__":
    main()
