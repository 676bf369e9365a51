"""Helpers the load scripts share: a node's resident memory and JSON calls to its API."""
import http.client
import urllib.parse


def rss_mib(pid):
    """Resident memory of process `pid`, in MiB, from /proc."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def connect(url, timeout=120):
    """A keep-alive HTTP connection to the node at `url`."""
    parsed = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)


def request(connection, method, path, body=None):
    """(status, body bytes) of one request; a body is sent as JSON."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()
