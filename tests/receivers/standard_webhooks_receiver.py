#!/usr/bin/env python3
"""A webhook receiver for the tests: verifies every delivery with the `standardwebhooks`
package (the specification's own library, not Tessera's code) and prints one JSON line per
request on stdout, flushed: {"id", "type", "data", "verifiedWith": [indices of SECRETs]}.

usage: standard_webhooks_receiver.py PORT SECRET [SECRET...]

Listens on 127.0.0.1:PORT only. Answers 204 to a delivery that verifies with at least one
SECRET, 400 (and "verifiedWith": []) to one that does not.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def main():
    port = int(sys.argv[1])
    hooks = [Webhook(secret) for secret in sys.argv[2:]]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {name: value for name, value in self.headers.items()}
            verified_with, payload = [], None
            for index, hook in enumerate(hooks):
                try:
                    payload = hook.verify(body, headers)
                    verified_with.append(index)
                except WebhookVerificationError:
                    pass
            if payload is None:
                payload = json.loads(body or b"null")
            print(
                json.dumps(
                    {
                        "id": headers.get("webhook-id"),
                        "type": payload.get("type") if isinstance(payload, dict) else None,
                        "data": payload.get("data") if isinstance(payload, dict) else None,
                        "verifiedWith": verified_with,
                    }
                ),
                flush=True,
            )
            self.send_response(204 if verified_with else 400)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", port), Handler)
    print(json.dumps({"listening": port}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
