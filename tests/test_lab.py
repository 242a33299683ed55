"""`make lab`: JupyterLab on the project, where every notebook runs with its defaults.

Starts the JupyterLab server `make lab` starts (same executable, same root folder), then does
what an analyst's browser does: opens each notebook as a session, whose kernel the server
starts in the notebook's folder, and runs its code cells one by one over the kernel's
websocket. Only loopback is used.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
JUPYTER = Path(sys.executable).parent / "jupyter"
START_TIMEOUT_S = 90
CELL_TIMEOUT_S = 120


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Lab:
    def __init__(self, port: int, token: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.ws_base = f"ws://127.0.0.1:{port}"
        self.token = token

    def request(self, method: str, path: str, body: dict | None = None) -> object:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.base}{path}", data=data, method=method,
            headers={"Authorization": f"token {self.token}",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server as `make lab` starts it, isolated from the user's Jupyter config."""
    home = tmp_path_factory.mktemp("lab-home")
    port, token = _free_port(), secrets.token_hex(16)
    environment = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"),
                   "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
                   "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_PLATFORM_DIRS": "1"}
    log = (home / "lab.log").open("wb")
    server = subprocess.Popen(
        [str(JUPYTER), "lab", f"--ServerApp.root_dir={REPO}",
         "--LabApp.default_url=/lab/tree/notebooks", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
         *(["--allow-root"] if os.geteuid() == 0 else [])],  # as `make lab` does
        cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT)
    client = Lab(port, token)
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while True:
            try:
                client.request("GET", "/api/status")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n"
                                + (home / "lab.log").read_text(errors="replace")[-3000:])
                time.sleep(0.5)
        yield client
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_lab_serves_the_notebooks_with_the_projects_kernel(lab):
    specs = lab.request("GET", "/api/kernelspecs")
    assert specs["default"] == "python3"
    # the kernel runs in the .venv, where sitrep_analysis is installed
    kernel = lab.request("POST", "/api/kernels", {"name": "python3"})
    try:
        # printed as JSON: the kernel's repr of a tuple wraps long paths over two lines
        [result] = asyncio.run(_run_cells(lab, kernel["id"], [
            "import json, sys, sitrep_analysis\n"
            "print(json.dumps([sys.prefix, sitrep_analysis.__file__]))"]))
    finally:
        lab.request("DELETE", f"/api/kernels/{kernel['id']}")
    assert result["status"] == "ok", result
    assert json.loads(result["stdout"]) == [sys.prefix,
                                            str(REPO / "sitrep_analysis" / "__init__.py")]
    tree = lab.request("GET", "/api/contents/notebooks")
    assert {item["name"] for item in tree["content"]} >= {path.name for path in NOTEBOOKS}
    # and the lab front end itself is served
    with urllib.request.urlopen(f"{lab.base}/lab?token={lab.token}", timeout=30) as page:
        assert page.status == 200 and b"JupyterLab" in page.read()


async def _run_cells(lab: Lab, kernel_id: str, cells: list[str]) -> list[dict]:
    """Run ``cells`` in order on the kernel, as the notebook front end does; return, per cell,
    the reply status, the error if any, the MIME types of its outputs, the plain text of its
    result and what it printed."""
    from tornado.websocket import websocket_connect

    session = uuid.uuid4().hex
    connection = await websocket_connect(
        f"{lab.ws_base}/api/kernels/{kernel_id}/channels?session_id={session}&token={lab.token}")
    results = []
    try:
        for code in cells:
            message_id = uuid.uuid4().hex
            connection.write_message(json.dumps({
                "header": {"msg_id": message_id, "username": "test", "session": session,
                           "msg_type": "execute_request", "version": "5.3",
                           "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
                "parent_header": {}, "metadata": {}, "buffers": [], "channel": "shell",
                "content": {"code": code, "silent": False, "store_history": True,
                            "user_expressions": {}, "allow_stdin": False,
                            "stop_on_error": True}}))
            result = {"status": None, "error": None, "mimetypes": [], "text": None,
                      "stdout": ""}
            idle = False
            while result["status"] is None or not idle:
                raw = await asyncio.wait_for(connection.read_message(), CELL_TIMEOUT_S)
                if raw is None:
                    raise AssertionError("the kernel's websocket closed")
                message = json.loads(raw)
                if message.get("parent_header", {}).get("msg_id") != message_id:
                    continue
                kind, content = message["msg_type"], message["content"]
                if kind == "execute_reply":
                    result["status"] = content["status"]
                elif kind == "error":
                    result["error"] = f"{content['ename']}: {content['evalue']}"
                elif kind in ("display_data", "execute_result"):
                    result["mimetypes"].append(sorted(content["data"]))
                    if kind == "execute_result":
                        result["text"] = content["data"].get("text/plain")
                elif kind == "stream" and content.get("name") == "stdout":
                    result["stdout"] += content["text"]
                elif kind == "status" and content["execution_state"] == "idle":
                    idle = True
            results.append(result)
            if result["status"] != "ok":
                break
    finally:
        connection.close()
    return results


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_notebook_runs_in_lab_with_its_defaults(lab, notebook):
    node = nbformat.read(notebook, as_version=4)
    cells = [cell.source for cell in node.cells if cell.cell_type == "code"]
    relative = notebook.relative_to(REPO).as_posix()
    session = lab.request("POST", "/api/sessions", {
        "path": relative, "type": "notebook", "name": notebook.name,
        "kernel": {"name": node.metadata["kernelspec"]["name"]}})
    try:
        results = asyncio.run(_run_cells(lab, session["kernel"]["id"], cells))
    finally:
        lab.request("DELETE", f"/api/sessions/{session['id']}")
    failed = [(cells[index][:80], result) for index, result in enumerate(results)
              if result["status"] != "ok"]
    assert not failed, failed
    assert len(results) == len(cells)
    # figures come out as Plotly's own MIME type (JupyterLab draws it) with the offline HTML
    figures = [types for result in results for types in result["mimetypes"]
               if "application/vnd.plotly.v1+json" in types]
    assert figures and all("text/html" in types for types in figures)
