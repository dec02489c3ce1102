"""A terminal conversation with the running stack over the REST channel."""
from __future__ import annotations

import sys

import httpx


def run_terminal_chat(url: str, user: str | None, password: str | None) -> int:
    """Read lines from stdin, print the bot's replies; returns a process exit code."""
    with httpx.Client(base_url=url, timeout=30) as http:
        headers = {}
        try:
            if user:
                login = http.post("/api/auth/login", json={"username": user, "password": password or ""})
                if login.status_code != 200:
                    print(f"login failed: {login.json().get('detail')}", file=sys.stderr)
                    return 1
                headers["Authorization"] = f"Bearer {login.json()['token']}"
            start = http.post("/api/conversations", json={"channel": "cli"}, headers=headers)
        except httpx.ConnectError:
            print(f"cannot reach bankbot at {url}; start it with 'make run'", file=sys.stderr)
            return 1
        sender = start.json()["conversation_id"]
        print("Connected. Type your message (Ctrl-D to quit).")
        for line in sys.stdin:
            text = line.strip()
            if not text:
                continue
            reply = http.post("/webhooks/rest/webhook", json={"sender": sender, "message": text},
                              headers=headers)
            if reply.status_code != 200:
                print(f"! {reply.json().get('detail')}")
                continue
            for message in reply.json():
                print(f"bot> {message.get('text', '')}")
    return 0
