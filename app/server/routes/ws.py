"""ws://HOST/ws/operations/{id}: live progress of one operation.

Authenticate with ?token=<access token> or by sending {"token": "<access token>"} first. The
server answers the operation's current state, then every update as devices report it, as JSON
{"operation_id", "status", "progress", "message"}, and closes after a final status. Close codes:
4401 not signed in, 4404 no such operation (another user's operations do not exist for you).
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from ..deps import user_from_token
from ..envelope import APIError
from ..models import Operation
from .operations import progress_message

router = APIRouter()
FINAL = {"completed", "failed", "cancelled"}
AUTH_TIMEOUT = 10.0


def _load(app, token: str, operation_id: str) -> dict | None:
    """The operation's progress message if the token is valid and the operation is the user's."""
    with app.state.sessions() as session:
        user = user_from_token(session, app.state.settings, token)
        op = session.get(Operation, operation_id)
        if op is None or op.user_id != user.id:
            return None
        return progress_message(op)


async def _first_message_token(ws: WebSocket) -> str:
    try:
        raw = await asyncio.wait_for(ws.receive_text(), AUTH_TIMEOUT)
        token = json.loads(raw).get("token")
    except (TimeoutError, ValueError, AttributeError):
        return ""
    return token if isinstance(token, str) else ""


@router.websocket("/ws/operations/{operation_id}")
async def operation_progress(ws: WebSocket, operation_id: str):
    await ws.accept()
    token = ws.query_params.get("token") or await _first_message_token(ws)
    if not token:
        await ws.close(code=4401, reason="not signed in")
        return
    try:
        state = await run_in_threadpool(_load, ws.app, token, operation_id)
    except APIError:
        await ws.close(code=4401, reason="not signed in")
        return
    if state is None:
        await ws.close(code=4404, reason="no such operation")
        return
    async with ws.app.state.bus.subscribe(operation_id) as messages:
        # Read the state again once subscribed: no update can fall between the two.
        try:
            state = await run_in_threadpool(_load, ws.app, token, operation_id) or state
        except APIError:
            await ws.close(code=4401, reason="not signed in")
            return
        await ws.send_json(state)
        if state["status"] in FINAL:
            await ws.close(code=1000)
            return

        async def forward():
            async for message in messages:
                await ws.send_json(message)
                if message.get("status") in FINAL:
                    return

        async def until_disconnect():
            with contextlib.suppress(WebSocketDisconnect):
                while True:
                    await ws.receive_text()

        tasks = [asyncio.create_task(forward()), asyncio.create_task(until_disconnect())]
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if tasks[0] in done:
            with contextlib.suppress(Exception):
                await ws.close(code=1000)
