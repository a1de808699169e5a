"""Runs the REAL modal 1.6.4 CLI (modal.__main__.main, the `modal` entry point) on the fake's state, with only the
server replaced: the client's AppList / TaskList calls answer protos built from $FAKE_MODAL_STATE/state.json.
What it prints is what `modal ARGS` prints against a workspace holding those apps and containers, so the fake
CLI's output can be compared with it byte for byte.

usage: python real_cli_json.py app list --json [-e ENV] | container list --json [--app-id ID] [-e ENV]
"""

import json
import os
import sys
from pathlib import Path

import modal.client
from modal.__main__ import main
from modal_proto import api_pb2

STATE = json.loads((Path(os.environ["FAKE_MODAL_STATE"]) / "state.json").read_text())
APP_STATES = {"deployed": api_pb2.APP_STATE_DEPLOYED, "stopped": api_pb2.APP_STATE_STOPPED}


def apps_in(env_name: str) -> list[dict]:
    return [a for a in STATE["apps"].values() if a["environment"] == (env_name or "main")]


class Stub:
    async def AppList(self, req: api_pb2.AppListRequest) -> api_pb2.AppListResponse:
        items = [
            api_pb2.AppListResponse.AppListItem(
                app_id=a["app_id"],
                description=a["description"],
                state=APP_STATES[a["state"]],
                created_at=a["created_at"],
                stopped_at=a["stopped_at"] or 0,
                n_running_tasks=sum(1 for c in a.get("containers", []) if c["started_at"]),
            )
            for a in apps_in(req.environment_name)
        ]
        return api_pb2.AppListResponse(apps=items)

    async def TaskList(self, req: api_pb2.TaskListRequest) -> api_pb2.TaskListResponse:
        tasks = [
            api_pb2.TaskStats(
                task_id=c["task_id"],
                app_id=a["app_id"],
                app_description=a["description"],
                started_at=c["started_at"] or 0,
                enqueued_at=c["enqueued_at"],
            )
            for a in apps_in(req.environment_name)
            if not req.app_id or a["app_id"] == req.app_id
            for c in a.get("containers", [])
        ]
        return api_pb2.TaskListResponse(tasks=tasks)


class Client:
    _stub = Stub()


async def from_env(*_args, **_kwargs):
    return Client()


modal.client._Client.from_env = from_env  # type: ignore[method-assign]
sys.argv = ["modal", *sys.argv[1:]]
main()
