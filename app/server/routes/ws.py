"""ws://HOST/ws/operations/{id}: live progress of one operation.

Authenticate with ?token=<access token> or by sending {"token": "<access token>"} first. The
server answers the operation's current state, then every update as devices report it, as JSON
{"operation_id", "status", "progress", "message"}, and closes after a final status. Close codes:
4400 malformed first frame (binary, not a JSON object, too large or too deeply nested), 4401 not
signed in, or the sign-in ended (signed out, password changed, token expired) while the socket
was open, 4404 no such operation (another user's operations do not exist for you), 4429 too many
requests (the handshake counts in the rate limit).
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from ..deps import user_and_claims
from ..envelope import APIError
from ..models import Operation
from .operations import progress_message

router = APIRouter()
FINAL = {"completed", "failed", "cancelled"}
AUTH_TIMEOUT = 10.0
MAX_FIRST_FRAME = 8192
MALFORMED = object()


def _load(app, token: str, operation_id: str) -> tuple[dict | None, float]:
    """The operation's progress message (None: not the user's) and when the token expires, if
    the token and its sign-in are valid (else APIError)."""
    with app.state.sessions() as session:
        user, claims = user_and_claims(session, app.state.settings, token)
        op = session.get(Operation, operation_id)
        expires = float(claims.get("exp") or 0)
        if op is None or op.user_id != user.id:
            return None, expires
        return progress_message(op), expires


async def _first_message_token(ws: WebSocket):
    """The token of the first frame: "" when none came in time, MALFORMED for a frame that is
    not a small JSON object (binary, deep nesting, garbage)."""
    try:
        message = await asyncio.wait_for(ws.receive(), AUTH_TIMEOUT)
    except TimeoutError:
        return ""
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    if not isinstance(text, str) or len(text) > MAX_FIRST_FRAME:
        return MALFORMED
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return MALFORMED
    if not isinstance(data, dict):
        return MALFORMED
    token = data.get("token")
    return token if isinstance(token, str) else ""


async def _until_disconnect(ws: WebSocket) -> None:
    """Read (and ignore) what the client sends, text or binary, until it goes."""
    while (await ws.receive())["type"] != "websocket.disconnect":
        pass


async def _until_signed_out(ws: WebSocket, token: str, operation_id: str, expires: float) -> str:
    """Return (a close reason) when the token expires or its sign-in ends."""
    settings = ws.app.state.settings
    recheck = float(settings.ws_recheck)
    while True:
        left = expires - settings.clock()
        if left <= 0:
            return "sign-in expired"
        await asyncio.sleep(min(left, recheck))
        if expires - settings.clock() <= 0:
            return "sign-in expired"
        try:
            await run_in_threadpool(_load, ws.app, token, operation_id)
        except APIError:
            return "signed out"


@router.websocket("/ws/operations/{operation_id}")
async def operation_progress(ws: WebSocket, operation_id: str):
    await ws.accept()
    try:
        token = ws.query_params.get("token") or await _first_message_token(ws)
    except WebSocketDisconnect:
        return
    if token is MALFORMED:
        await ws.close(code=4400, reason="malformed first frame")
        return
    if not token:
        await ws.close(code=4401, reason="not signed in")
        return
    try:
        state, expires = await run_in_threadpool(_load, ws.app, token, operation_id)
    except APIError:
        await ws.close(code=4401, reason="not signed in")
        return
    if state is None:
        await ws.close(code=4404, reason="no such operation")
        return
    async with ws.app.state.bus.subscribe(operation_id) as messages:
        # Read the state again once subscribed: no update can fall between the two.
        try:
            state = (await run_in_threadpool(_load, ws.app, token, operation_id))[0] or state
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

        tasks = [asyncio.create_task(forward()), asyncio.create_task(_until_disconnect(ws)),
                 asyncio.create_task(_until_signed_out(ws, token, operation_id, expires))]
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            if tasks[0] in done:
                await ws.close(code=1000)
            elif tasks[2] in done and not tasks[2].exception():
                await ws.close(code=4401, reason=tasks[2].result())
