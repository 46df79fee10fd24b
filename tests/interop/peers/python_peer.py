#!/usr/bin/env python3
"""A real WebSocket peer for qtws's interop tests, built on python3-websockets (Debian 12: 10.4,
its asyncio "legacy" API). The command line, the script steps and the JSON event lines are the
ones every peer shares: see tests/interop/README.md.

    python_peer.py server [--mode echo|script|close] [--script JSON|FILE] [options]
    python_peer.py client URL [--script JSON|FILE] [options]
"""

import argparse
import asyncio
import hashlib
import http
import json
import os
import signal
import ssl
import sys

import websockets
from websockets.exceptions import ConnectionClosed


def emit(event):
    sys.stdout.write(json.dumps(event, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def pattern(kind, size):
    """The deterministic payload of a sized send: a..z repeated, or bytes 0..255 repeated."""
    if kind == "text":
        return "".join(chr(ord("a") + i % 26) for i in range(size))
    return bytes(i % 256 for i in range(size))


def message_event(message):
    data = message.encode() if isinstance(message, str) else bytes(message)
    event = {
        "type": "text" if isinstance(message, str) else "binary",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    if isinstance(message, str) and len(data) <= 125:
        event["content"] = message
    return event


def load_script(value):
    if value is None:
        return []
    text = value if value.lstrip().startswith("[") else open(value, encoding="utf-8").read()
    steps = json.loads(text)
    if not isinstance(steps, list):
        raise ValueError("a script is a JSON list of steps")
    return steps


class ExpectationFailed(Exception):
    pass


class Session:
    """One connection: a reader task logs and queues what arrives; the script pulls from it."""

    def __init__(self, ws, timeout):
        self.ws = ws
        self.timeout = timeout
        self.queue = asyncio.Queue()
        self.closed = asyncio.Event()

    async def read(self, echo):
        try:
            async for message in self.ws:
                emit(message_event(message))
                if echo:
                    await self.ws.send(message)
                else:
                    await self.queue.put(message)
        except ConnectionClosed:
            pass
        await self.ws.wait_closed()
        emit({"type": "close", "code": self.ws.close_code, "reason": self.ws.close_reason})
        self.closed.set()
        await self.queue.put(None)

    async def run(self, steps):
        for index, step in enumerate(steps, 1):
            try:
                await self.step(step)
            except ExpectationFailed as e:
                raise ExpectationFailed(f"step {index}: {e}") from None
            except asyncio.TimeoutError:
                raise ExpectationFailed(f"step {index}: timed out after {self.timeout} s") from None
        if not self.closed.is_set():
            await self.ws.close(1000)
            await asyncio.wait_for(self.closed.wait(), self.timeout)

    async def step(self, step):
        if step.get("send") == "raw":
            # Bytes straight onto the connection, past the library's framing: how a test makes
            # a real peer send frames no WebSocket library would (tests/support/badframes.h).
            self.ws.transport.write(bytes.fromhex(step["hex"]))
        elif "send" in step:
            await self.ws.send(payload(step, step["send"]))
        elif "ping" in step:
            waiter = await self.ws.ping(step["ping"].encode())
            await asyncio.wait_for(waiter, self.timeout)
            emit({"type": "pong", "content": step["ping"]})
        elif "close" in step:
            await self.ws.close(step["close"], step.get("reason", ""))
            await asyncio.wait_for(self.closed.wait(), self.timeout)
        elif step.get("expect") == "close":
            await asyncio.wait_for(self.closed.wait(), self.timeout)
            check_close(step, self.ws.close_code, self.ws.close_reason)
        elif step.get("expect") in ("text", "binary"):
            message = await asyncio.wait_for(self.queue.get(), self.timeout)
            if message is None:
                self.queue.put_nowait(None)
                raise ExpectationFailed(f"connection closed while expecting {step['expect']}")
            check_message(step, message)
        else:
            raise ExpectationFailed(f"unknown step {json.dumps(step)}")


def payload(step, kind):
    if "content" in step:
        return step["content"] if kind == "text" else step["content"].encode()
    if "hex" in step:
        data = bytes.fromhex(step["hex"])
        return data.decode() if kind == "text" else data
    return pattern(kind, step.get("size", 0))


def check_message(step, message):
    got = message_event(message)
    data = message.encode() if isinstance(message, str) else bytes(message)
    wanted = step["expect"]
    problems = []
    if got["type"] != wanted:
        problems.append(f"type {got['type']} instead of {wanted}")
    if "size" in step and got["size"] != step["size"]:
        problems.append(f"size {got['size']} instead of {step['size']}")
    if "sha256" in step and got["sha256"] != step["sha256"].lower():
        problems.append("sha256 differs")
    if "content" in step and data != step["content"].encode():
        problems.append("content differs")
    if "hex" in step and data != bytes.fromhex(step["hex"]):
        problems.append("bytes differ")
    if step.get("pattern") and data != _bytes(pattern(wanted, step.get("size", len(data)))):
        problems.append("not the size pattern")
    if problems:
        raise ExpectationFailed(f"expected {wanted}: " + ", ".join(problems))


def _bytes(value):
    return value.encode() if isinstance(value, str) else value


def check_close(step, code, reason):
    if "code" in step and code != step["code"]:
        raise ExpectationFailed(f"close code {code} instead of {step['code']}")
    if "reason" in step and reason != step["reason"]:
        raise ExpectationFailed(f"close reason {reason!r} instead of {step['reason']!r}")


def server_tls(args):
    if not args.cert:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.ca:  # mutual TLS: require a client certificate signed by this CA
        context.load_verify_locations(args.ca)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def client_tls(args):
    if not args.url.startswith("wss:"):
        return None
    context = ssl.create_default_context(cafile=args.ca) if args.ca else ssl.create_default_context()
    if args.cert:
        context.load_cert_chain(args.cert, args.key)
    return context


def common_options(args):
    options = {
        "compression": "deflate" if args.compression == "on" else None,
        "max_size": args.max_size,
    }
    if args.compression == "on" and args.deflate_no_context_takeover:
        # Both directions without context takeover (RFC 7692 §7.1.1): requested by a client,
        # required by a server; other parameters as websockets' "deflate" defaults.
        from websockets.extensions import permessage_deflate

        factory = (
            permessage_deflate.ServerPerMessageDeflateFactory
            if args.role == "server"
            else permessage_deflate.ClientPerMessageDeflateFactory
        )
        options["compression"] = None
        options["extensions"] = [
            factory(server_no_context_takeover=True, client_no_context_takeover=True)
        ]
    if args.subprotocol:
        options["subprotocols"] = args.subprotocol.split(",")
    return options


def open_event(ws):
    return {
        "type": "open",
        "path": ws.path,
        "subprotocol": ws.subprotocol,
        "compression": any(e.name == "permessage-deflate" for e in ws.extensions),
    }


async def serve(args):
    steps = load_script(args.script)
    if args.mode == "close":
        steps = [{"close": args.close_code, "reason": args.close_reason}]

    async def handler(ws, *_):
        emit(open_event(ws))
        session = Session(ws, args.timeout)
        reader = asyncio.create_task(session.read(echo=args.mode == "echo"))
        ok = True
        try:
            if args.mode != "echo":
                await session.run(steps)
        except (ExpectationFailed, ConnectionClosed) as e:
            emit({"type": "error", "message": str(e)})
            ok = False
            await ws.close(1000)
        await reader
        emit({"type": "done", "ok": ok})

    async def refuse(path, headers):
        # --refuse STATUS: every handshake is answered with this HTTP status instead of a 101.
        return (http.HTTPStatus(args.refuse), [("Content-Type", "text/plain")], b"refused by the peer\n")

    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with websockets.serve(
        handler,
        args.host,
        args.port,
        ssl=server_tls(args),
        process_request=refuse if args.refuse else None,
        **common_options(args),
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"listening on {port}", flush=True)
        await stop


async def connect(args):
    try:
        ws = await asyncio.wait_for(
            websockets.connect(args.url, ssl=client_tls(args), **common_options(args)),
            args.timeout,
        )
    except Exception as e:  # refused, TLS verification, handshake rejected: all are results
        emit({"type": "error", "message": f"connect failed: {type(e).__name__}: {e}"})
        return 1
    emit(open_event(ws))
    session = Session(ws, args.timeout)
    reader = asyncio.create_task(session.read(echo=False))
    ok = True
    try:
        await session.run(load_script(args.script))
    except (ExpectationFailed, ConnectionClosed) as e:
        emit({"type": "error", "message": str(e)})
        ok = False
        await ws.close(1000)
    await reader
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role", choices=["server", "client"])
    parser.add_argument("url", nargs="?", help="client: ws:// or wss:// URL")
    parser.add_argument("--mode", choices=["echo", "script", "close"], default="echo")
    parser.add_argument("--script", help="JSON list of steps, or a file holding one")
    parser.add_argument("--close-code", type=int, default=1000)
    parser.add_argument("--close-reason", default="")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--subprotocol", help="comma-separated subprotocols, in preference order")
    parser.add_argument("--compression", choices=["on", "off"], default="off")
    parser.add_argument(
        "--deflate-no-context-takeover",
        action="store_true",
        help="with --compression on: server_ and client_no_context_takeover",
    )
    parser.add_argument("--refuse", type=int, help="server: answer every handshake with STATUS")
    parser.add_argument("--max-size", type=int, default=64 * 1024 * 1024)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per step")
    parser.add_argument("--cert", help="PEM certificate (server: serve wss; client: present it)")
    parser.add_argument("--key", help="PEM private key of --cert")
    parser.add_argument("--ca", help="PEM CA (client: trust only it; server: require client certs)")
    args = parser.parse_args()
    if args.role == "client" and not args.url:
        parser.error("client needs a URL")
    if args.role == "server" and args.mode == "script" and args.script is None:
        parser.error("--mode script needs --script")
    if bool(args.cert) != bool(args.key):
        parser.error("--cert and --key go together")
    if args.role == "server":
        asyncio.run(serve(args))
        return 0
    signal.signal(signal.SIGTERM, lambda *_: os._exit(143))
    return asyncio.run(connect(args))


if __name__ == "__main__":
    sys.exit(main())
