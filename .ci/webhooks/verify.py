"""Verifies Debrief's webhooks with the official Standard Webhooks library.

Starts a receiver on loopback, registers it as an endpoint of a running Debrief server,
makes changes (rotating the secret half-way), and checks every delivery with
`standardwebhooks.Webhook.verify`: all of them must verify, and during the rotation each
must verify under the old secret and under the new one alike.

Environment: DEBRIEF_URL (the server), DEBRIEF_ADMIN_TOKEN (an ADMIN's bearer token).
"""

import json
import os
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

URL = os.environ["DEBRIEF_URL"]
TOKEN = os.environ["DEBRIEF_ADMIN_TOKEN"]
CHANGES = 40
received = []
lock = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {name.lower(): value for name, value in self.headers.items()}
        with lock:
            received.append((headers, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def graphql(query, variables=None):
    request = urllib.request.Request(
        f"{URL}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.load(response)
    if answer.get("errors"):
        sys.exit(f"GraphQL errors: {answer['errors']}")
    return answer["data"]


def last_position():
    position, after = 0, None
    while True:
        page = graphql(
            "query($after: String) { events(first: 100, after: $after) "
            "{ edges { node { position } } pageInfo { endCursor hasNextPage } } }",
            {"after": after},
        )["events"]
        for edge in page["edges"]:
            position = edge["node"]["position"]
        if not page["pageInfo"]["hasNextPage"]:
            return position
        after = page["pageInfo"]["endCursor"]


def verifies(secret, headers, body):
    try:
        Webhook(secret).verify(body, headers)
        return True
    except WebhookVerificationError:
        return False


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook_url = f"http://127.0.0.1:{server.server_address[1]}/hooks"

    before = last_position()
    created = graphql(
        "mutation($url: String!) { webhookEndpointCreate(input: { url: $url, description: \"CI\" }) "
        "{ webhookEndpoint { id } secret userErrors { message } } }",
        {"url": hook_url},
    )["webhookEndpointCreate"]
    if created["userErrors"]:
        sys.exit(f"could not register the receiver: {created['userErrors']}")
    endpoint_id, old_secret = created["webhookEndpoint"]["id"], created["secret"]

    for n in range(CHANGES):
        if n == CHANGES // 2:
            rotated = graphql(
                "mutation($id: ID!) { webhookEndpointRotateSecret(input: { id: $id }) { secret } }",
                {"id": endpoint_id},
            )
            new_secret = rotated["webhookEndpointRotateSecret"]["secret"]
        graphql(
            "mutation($name: String!) { serviceCreate(input: { name: $name }) { service { id } } }",
            {"name": f"CI webhook check {time.time_ns()} {n}"},
        )
    graphql(
        "mutation($id: ID!) { webhookEndpointSendTest(input: { id: $id }) { webhookDelivery { id } } }",
        {"id": endpoint_id},
    )
    expected = last_position() - before + 1  # every event since, and the test message
    deadline = time.time() + 60
    while time.time() < deadline:
        with lock:
            if len(received) >= expected:
                break
        time.sleep(0.1)
    with lock:
        deliveries = list(received)

    verified = 0
    for headers, body in deliveries:
        signatures = headers.get("webhook-signature", "").split(" ")
        if len(signatures) == 2:
            ok = verifies(new_secret, headers, body) and verifies(old_secret, headers, body)
        else:
            # One signature: signed before the rotation, by the first secret alone (within
            # the 24 h overlap the new secret never signs alone).
            ok = verifies(old_secret, headers, body) and not verifies(new_secret, headers, body)
        verified += ok
        if not ok:
            print(f"did not verify: {headers.get('webhook-id')}", file=sys.stderr)
    during_rotation = sum(1 for h, _ in deliveries if len(h["webhook-signature"].split(" ")) == 2)
    print(
        f"standardwebhooks verified {verified} of {len(deliveries)} deliveries "
        f"({during_rotation} signed by both secrets); {expected} expected"
    )
    graphql(
        "mutation($id: ID!) { webhookEndpointDelete(input: { id: $id }) { deletedWebhookEndpointId } }",
        {"id": endpoint_id},
    )
    if len(deliveries) < expected or verified != len(deliveries) or during_rotation == 0:
        sys.exit("webhook verification failed")


if __name__ == "__main__":
    main()
