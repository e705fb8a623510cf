"""Harbor smoke test, run as a Job after a new Harbor chart version is deployed (upgrade.ts).

Checks what users of a registry notice first, through core's Service the way clients reach it:
  1. the API reports every component healthy and runs the expected Harbor release;
  2. a robot account pushes an image and pulls it back (manifest and blob digests verified);
  3. a pull through a proxy-cache project reaches the upstream registry (when one is declared).
The robot and its project exist only for the test: a system robot created by the admin, expiring
after a day even if the clean-up fails, and deleted with the project at the end.

Standard library only: it runs in Harbor's own `prepare` image of the same release. Exits 1 with
one line saying what failed, which fails the Job and with it the `pulumi up`.

Environment: HARBOR_URL, ADMIN_USERNAME, ADMIN_PASSWORD, SMOKE_PROJECT, EXPECT_VERSION (Harbor
release without the v), CA_FILE (optional), PROXY_PROJECT and PROXY_IMAGE (optional, path:tag).
"""

import base64
import hashlib
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

URL = os.environ["HARBOR_URL"].rstrip("/")
ADMIN = (os.environ.get("ADMIN_USERNAME", "admin"), os.environ["ADMIN_PASSWORD"])
PROJECT = os.environ["SMOKE_PROJECT"]
EXPECT_VERSION = os.environ.get("EXPECT_VERSION", "")
PROXY_PROJECT = os.environ.get("PROXY_PROJECT", "")
PROXY_IMAGE = os.environ.get("PROXY_IMAGE", "")
CA_FILE = os.environ.get("CA_FILE", "")
HEALTH_WAIT_SECONDS = int(os.environ.get("HEALTH_WAIT_SECONDS", "300"))
RETRY_SECONDS = float(os.environ.get("RETRY_SECONDS", "10"))
REPOSITORY = "smoke-test"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
PULL_TYPES = ", ".join(
    [
        OCI_MANIFEST,
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ]
)


class Failed(Exception):
    pass


# No cookie handling: a client that sends Harbor's `sid` cookie back is treated as a browser
# session and its writes need a CSRF token.
OPENER = urllib.request.build_opener(
    urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=CA_FILE or None))
)


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def call(method, path, headers=None, body=None, ok=(200,)):
    """One request; returns (status, headers, body bytes) or raises Failed naming it."""
    url = path if path.startswith("http") else URL + path
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with OPENER.open(request, timeout=120) as response:
            status, hdrs, data = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, hdrs, data = error.code, error.headers, error.read()
    except (urllib.error.URLError, OSError) as error:
        raise Failed(f"{method} {urllib.parse.urlsplit(url).path}: {error}") from error
    if status not in ok:
        raise Failed(f"{method} {urllib.parse.urlsplit(url).path}: HTTP {status} {data[:200]!r}")
    return status, hdrs, data


def api(method, path, payload=None, ok=(200,)):
    headers = {"Authorization": basic(*ADMIN), "Accept": "application/json"}
    body = None
    if payload is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(payload).encode()
    status, _, data = call(method, "/api/v2.0" + path, headers, body, ok)
    return status, (json.loads(data) if data.strip() else None)


def check_health():
    deadline = time.time() + HEALTH_WAIT_SECONDS
    while True:
        _, health = api("GET", "/health", ok=(200, 500))
        if health and health.get("status") == "healthy":
            break
        unhealthy = [c.get("name") for c in (health or {}).get("components", []) if c.get("status") != "healthy"]
        if time.time() >= deadline:
            raise Failed(f"Harbor is not healthy: {', '.join(map(str, unhealthy)) or 'no answer'}")
        time.sleep(RETRY_SECONDS)
    if EXPECT_VERSION:
        _, info = api("GET", "/systeminfo")
        running = str((info or {}).get("harbor_version", ""))
        if not (running == f"v{EXPECT_VERSION}" or running.startswith(f"v{EXPECT_VERSION}-")):
            raise Failed(f"Harbor runs {running or 'an unknown version'}, expected v{EXPECT_VERSION}")
    print(f"ok: every component healthy, Harbor {EXPECT_VERSION or 'version not checked'}", flush=True)


def ensure_project():
    status, _ = api("HEAD", "/projects?" + urllib.parse.urlencode({"project_name": PROJECT}), ok=(200, 404))
    if status == 404:
        # A small quota: the test pushes a few kilobytes.
        api(
            "POST",
            "/projects",
            {"project_name": PROJECT, "metadata": {"public": "false"}, "storage_limit": 1 << 30},
            ok=(201, 409),
        )


def create_robot():
    access_push = [{"resource": "repository", "action": a} for a in ("push", "pull")]
    permissions = [{"kind": "project", "namespace": PROJECT, "access": access_push}]
    if PROXY_PROJECT:
        permissions.append(
            {"kind": "project", "namespace": PROXY_PROJECT, "access": [{"resource": "repository", "action": "pull"}]}
        )
    _, robot = api(
        "POST",
        "/robots",
        {
            "name": f"smoke-{int(time.time())}",
            "description": "harbor-platform smoke test (deleted at its end)",
            "level": "system",
            "duration": 1,
            "disable": False,
            "permissions": permissions,
        },
        ok=(201,),
    )
    return robot


def token(robot, scope):
    query = urllib.parse.urlencode({"service": "harbor-registry", "scope": scope})
    _, _, data = call("GET", f"/service/token?{query}", {"Authorization": basic(robot["name"], robot["secret"])})
    value = json.loads(data).get("token") or json.loads(data).get("access_token")
    if not value:
        raise Failed(f"no token for {scope}")
    return {"Authorization": f"Bearer {value}"}


def rebase(location):
    """The registry's upload Location, on HARBOR_URL (it may name a host this pod does not reach)."""
    parts = urllib.parse.urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def digest_of(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def push_blob(repo, auth, data):
    digest = digest_of(data)
    status, _, _ = call("HEAD", f"/v2/{repo}/blobs/{digest}", auth, ok=(200, 404))
    if status == 200:
        return digest
    _, headers, _ = call("POST", f"/v2/{repo}/blobs/uploads/", auth, b"", ok=(202,))
    location = rebase(headers["Location"])
    separator = "&" if "?" in location else "?"
    call(
        "PUT",
        f"{location}{separator}digest={urllib.parse.quote(digest)}",
        {**auth, "Content-Type": "application/octet-stream"},
        data,
        ok=(201,),
    )
    return digest


def push_and_pull(robot):
    repo = f"{PROJECT}/{REPOSITORY}"
    tag = f"run-{int(time.time())}"
    layer = os.urandom(2048)
    config = json.dumps(
        {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [digest_of(layer)]}}
    ).encode()
    auth = token(robot, f"repository:{repo}:pull,push")
    layer_digest = push_blob(repo, auth, layer)
    config_digest = push_blob(repo, auth, config)
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": config_digest,
                "size": len(config),
            },
            "layers": [
                {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": len(layer)}
            ],
        }
    ).encode()
    call("PUT", f"/v2/{repo}/manifests/{tag}", {**auth, "Content-Type": OCI_MANIFEST}, manifest, ok=(201,))
    # Pull it back with a pull-only token.
    auth = token(robot, f"repository:{repo}:pull")
    _, headers, pulled = call("GET", f"/v2/{repo}/manifests/{tag}", {**auth, "Accept": OCI_MANIFEST})
    if digest_of(pulled) != digest_of(manifest):
        raise Failed(f"pulled manifest of {repo}:{tag} differs from the pushed one")
    if headers.get("Docker-Content-Digest", digest_of(pulled)) != digest_of(manifest):
        raise Failed(f"registry names a different digest for {repo}:{tag}")
    _, _, blob = call("GET", f"/v2/{repo}/blobs/{layer_digest}", auth)
    if digest_of(blob) != layer_digest:
        raise Failed(f"pulled layer of {repo}:{tag} does not match its digest")
    print(f"ok: {robot['name']} pushed and pulled {repo}:{tag}", flush=True)


def pull_through_proxy(robot):
    path, _, tag = PROXY_IMAGE.rpartition(":")
    repo = f"{PROXY_PROJECT}/{path}"
    auth = token(robot, f"repository:{repo}:pull")
    # The proxy fetches from upstream on the first pull; a few tries ride out a slow upstream.
    for attempt in range(3):
        try:
            call("GET", f"/v2/{repo}/manifests/{tag}", {**auth, "Accept": PULL_TYPES})
            break
        except Failed:
            if attempt == 2:
                raise
            time.sleep(RETRY_SECONDS)
    print(f"ok: pulled {repo}:{tag} through the proxy cache", flush=True)


def clean_up(robot):
    quoted = urllib.parse.quote(REPOSITORY, safe="")
    steps = [("DELETE", f"/projects/{PROJECT}/repositories/{quoted}")]
    if robot:
        steps.append(("DELETE", f"/robots/{robot['id']}"))
    steps.append(("DELETE", f"/projects/{PROJECT}"))
    for method, path in steps:
        try:
            api(method, path, ok=(200, 404))
        except Failed as error:
            print(f"warning: clean-up {error}", flush=True)


def main():
    robot = None
    project = False
    try:
        check_health()
        ensure_project()
        project = True
        robot = create_robot()
        push_and_pull(robot)
        if PROXY_PROJECT and PROXY_IMAGE:
            pull_through_proxy(robot)
    except Failed as error:
        print(f"smoke test FAILED: {error}", flush=True)
        return 1
    finally:
        if project:
            clean_up(robot)
    print("smoke test passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
