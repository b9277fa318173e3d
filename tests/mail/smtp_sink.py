#!/usr/bin/env python3
"""A real SMTP server for the mail tests (Debian python3-aiosmtpd), on 127.0.0.1 and a free port.

Each message it accepts is written to --dir as msg-<n>.eml (the raw message) and msg-<n>.json (what Python's
`email` package parses out of it: headers, the MIME tree, the decoded text, HTML and attachment), each file
written under a temporary name and renamed, so a test polling the folder never reads half a file. The port is
written to --port-file once the server listens.

Behaviour, for the failure tests:
  --fail-first K   answer 451 (try again later) to the DATA of the first K messages
  --reject         answer 550 to every DATA
  --delay S        wait S seconds after writing a message before answering 250 (a slow relay: a sender killed
                   meanwhile never hears that its message was accepted)
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import socket
import sys

from aiosmtpd.smtp import SMTP


def describe(raw: bytes) -> dict:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = []
    text = html = None
    attachments = []
    for part in msg.walk():
        ctype = part.get_content_type()
        parts.append(ctype)
        if part.is_multipart():
            continue
        if part.get_filename():
            content = part.get_content()
            if isinstance(content, bytes):
                content = content.decode("utf-8", "replace")
            attachments.append({"filename": part.get_filename(), "type": ctype, "content": content})
        elif ctype == "text/plain" and text is None:
            text = part.get_content()
        elif ctype == "text/html" and html is None:
            html = part.get_content()
    return {
        "subject": str(msg["subject"]),
        "from": str(msg["from"]),
        "to": str(msg["to"]),
        "date": str(msg["date"]),
        "message_id": str(msg["message-id"]),
        "content_type": msg.get_content_type(),
        "parts": parts,
        "text": text,
        "html": html,
        "attachments": attachments,
    }


class Handler:
    def __init__(self, args):
        self.args = args
        self.count = 0

    def write(self, name: str, data: bytes) -> None:
        tmp = os.path.join(self.args.dir, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.args.dir, name))

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        n = self.count
        if self.args.reject:
            return "550 5.7.1 Delivery not authorized, message refused"
        if n <= self.args.fail_first:
            return "451 4.3.0 Mail server temporarily rejected message"
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        summary = describe(raw)
        summary["envelope_from"] = envelope.mail_from
        summary["envelope_to"] = list(envelope.rcpt_tos)
        self.write(f"msg-{n}.json", json.dumps(summary, ensure_ascii=False).encode("utf-8"))
        self.write(f"msg-{n}.eml", raw)
        if self.args.delay > 0:
            await asyncio.sleep(self.args.delay)
        return "250 2.0.0 OK: queued"


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--reject", action="store_true")
    p.add_argument("--delay", type=float, default=0.0)
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    handler = Handler(args)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, decode_data=False, enable_SMTPUTF8=True, hostname="sink.test"), sock=sock)
    port = sock.getsockname()[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(port))
    os.rename(tmp, args.port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
