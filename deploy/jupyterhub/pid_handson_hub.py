"""pid-handson on JupyterHub: before a user's server starts, fetch (or create) their trainee identity
from the mock Handle server's class admin API and give them a home with their credentials and the lesson.

Imported by jupyterhub_config.py (the hook runs inside the hub). On Kubernetes the hub cannot write into
the user's volume, so the hook hands the credentials to the pod in its environment and the pod runs
`python3 pid_handson_hub.py materialise` (its start command) to write them and the notebooks.

A user's home, on one machine and in a pod alike:
    <home>/credentials/   cred_file.json (certificate), cred_basic.json (password), ca.pem, PEM files
    <home>/notebooks/     the learner notebooks and their contents page README.md (instructors: also instructor/)
    <home>/dist, <home>/node_modules -> the package, as in a clone: the notebooks' `pid-handson/lesson`
                          is found in node_modules (the package's link to itself, made by its preparation)
"""
import asyncio
import base64
import hashlib
import json
import os
import re
import shutil
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

TRAINEE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
BUNDLE_ENV = "PID_HANDSON_BUNDLE"
# Written by the server for every bundle; anything else in "files" is refused rather than written.
SAFE_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class TraineeIdentityError(RuntimeError):
    """The trainee's credentials could not be obtained: the spawn must fail rather than start without them."""


def trainee_name(username):
    """The class API's name for a hub user.

    Names that already fit the API's alphabet (and are lower case, as JupyterHub normalises them) stay as
    they are, so the sheet and the hub agree. Others (e-mail addresses, non-ASCII, over 40 characters)
    are spelt with the allowed characters plus a digest of the original, so two users never share one.
    """
    if TRAINEE_NAME.match(username) and username == username.lower():
        return username
    spelt = re.sub(r"[^a-z0-9._-]+", "-", username.lower()).strip("-._")[:31] or "user"
    digest = hashlib.sha256(username.encode("utf-8")).hexdigest()[:8]
    return f"{spelt}-{digest}"


class ClassAdmin:
    """The mock server's class admin API (docs/class-admin-api.md), with the instructor's token."""

    def __init__(self, url, token, wait_seconds=10.0):
        if not token:
            raise TraineeIdentityError("PID_MOCK_ADMIN_TOKEN is not set: the hub cannot ask the mock Handle server for trainee identities")
        self.url = url.rstrip("/")
        self.token = token
        self.wait_seconds = wait_seconds

    def ensure_trainee(self, name, credentials_folder):
        """PUT /_admin/class/trainees/{name}: the trainee's bundle, created on first call."""
        body = json.dumps({"credentialsFolder": credentials_folder}).encode("utf-8")
        target = f"{self.url}/_admin/class/trainees/{urllib.parse.quote(name, safe='')}"
        request = urllib.request.Request(
            target,
            data=body,
            method="PUT",
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json", "Accept": "application/json"},
        )
        # The mock starts with the hub; a first login in the same second may find it still starting.
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                with urllib.request.urlopen(request, timeout=15) as response:
                    bundle = json.loads(response.read().decode("utf-8"))
                    break
            except urllib.error.HTTPError as error:
                raise TraineeIdentityError(
                    f"the mock Handle server refused the identity of trainee {name!r}: HTTP {error.code} {_handle_message(error)}"
                ) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                if time.monotonic() >= deadline:
                    reason = getattr(error, "reason", error)
                    raise TraineeIdentityError(
                        f"cannot reach the mock Handle server at {self.url} to get the credentials of trainee {name!r} ({reason}); "
                        "is the pid-mock service running? The server was not started, so that nobody works without credentials."
                    ) from None
                time.sleep(0.5)
        files = bundle.get("files") if isinstance(bundle, dict) else None
        if not isinstance(files, dict) or "cred_file.json" not in files:
            raise TraineeIdentityError(f"the mock Handle server answered for trainee {name!r} without credential files (no files.cred_file.json)")
        return bundle


def _handle_message(error):
    """The server's explanation: the Handle-shaped message, else the start of whatever it sent."""
    try:
        text = error.read().decode("utf-8", "replace")
    except Exception:
        return ""
    try:
        body = json.loads(text)
        return str(body.get("message") or body.get("error") or "") if isinstance(body, dict) else text[:200]
    except ValueError:
        return text.strip()[:200]


def write_credentials(bundle, folder):
    """Writes the bundle's files into folder (private keys readable by the owner only); returns cred_file.json's path."""
    os.makedirs(folder, mode=0o700, exist_ok=True)
    for file_name, text in bundle["files"].items():
        if not SAFE_FILE_NAME.match(file_name):
            raise TraineeIdentityError(f"the bundle names a file {file_name!r} that is not a plain file name; nothing written")
    for file_name, text in bundle["files"].items():
        path = os.path.join(folder, file_name)
        temporary = f"{path}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if "privkey" in file_name else 0o644)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    return os.path.join(folder, "cred_file.json")


def install_notebooks(package_root, home, instructor=False):
    """Copies the learner notebooks (and, for an instructor, the masters) into home/notebooks.

    A file already there is the user's (maybe edited): it is never overwritten. Returns what was copied.
    """
    copied = []
    folders = [("notebooks", "notebooks")] + ([("notebooks/instructor", "notebooks/instructor")] if instructor else [])
    for source_folder, target_folder in folders:
        source = os.path.join(package_root, source_folder)
        target = os.path.join(home, target_folder)
        os.makedirs(target, exist_ok=True)
        for entry in sorted(os.listdir(source)):
            if not (entry.endswith(".ipynb") or entry == "README.md"):
                continue
            destination = os.path.join(target, entry)
            if os.path.lexists(destination):
                continue
            shutil.copyfile(os.path.join(source, entry), destination)
            copied.append(os.path.join(target_folder, entry))
    for part in ("dist", "node_modules"):
        link = os.path.join(home, part)
        wanted = os.path.join(package_root, part)
        if os.path.islink(link) and os.readlink(link) != wanted:
            os.unlink(link)
        if not os.path.lexists(link):
            os.symlink(wanted, link)
    return copied


def prepare_home(home, package_root, bundle, instructor=False):
    """The whole home for one user; returns the environment their server needs."""
    credentials = write_credentials(bundle, os.path.join(home, "credentials"))
    install_notebooks(package_root, home, instructor)
    return {"PID_CREDENTIALS": credentials}


def write_kernel_spec(jupyter_path, package_root):
    """The lesson's kernel spec (tslab through dist/lesson/kernel/launch.js, which adds the advice after a
    restart), for JUPYTER_PATH (ahead of any other tslab on the machine)."""
    folder = os.path.join(jupyter_path, "kernels", "tslab")
    os.makedirs(folder, exist_ok=True)
    spec = {
        "argv": [shutil.which("node") or "node", os.path.join(package_root, "dist", "lesson", "kernel", "launch.js"), "--config-path", "{connection_file}"],
        "display_name": "TypeScript",
        "language": "typescript",
    }
    with open(os.path.join(folder, "kernel.json"), "w", encoding="utf-8") as out:
        json.dump(spec, out, indent=1)
    return folder


def encode_bundle(bundle):
    return base64.b64encode(json.dumps({"files": bundle["files"]}).encode("utf-8")).decode("ascii")


def decode_bundle(text):
    return json.loads(base64.b64decode(text.encode("ascii")).decode("utf-8"))


def make_pre_spawn_hook(mock_url, admin_token, package_root, remote_home=None, instructors=(), wait_seconds=10.0):
    """The Spawner.pre_spawn_hook.

    remote_home=None: the hub writes the home itself (local spawners, whose home_dir the hub can reach).
    remote_home="/home/jovyan/work": the server runs elsewhere (KubeSpawner); the bundle travels in the
    environment and the pod's start command (`materialise`) writes it to that folder.
    """
    instructors = {name.lower() for name in instructors}

    async def pre_spawn_hook(spawner):
        username = spawner.user.name
        name = trainee_name(username)
        instructor = bool(getattr(spawner.user, "admin", False)) or username.lower() in instructors
        home = remote_home or spawner.home_dir
        credentials_folder = os.path.join(home, "credentials")
        try:
            admin = ClassAdmin(mock_url, admin_token, wait_seconds)
            bundle = await asyncio.to_thread(admin.ensure_trainee, name, credentials_folder)
            if remote_home:
                environment = {BUNDLE_ENV: encode_bundle(bundle), "PID_CREDENTIALS": os.path.join(credentials_folder, "cred_file.json")}
            else:
                environment = await asyncio.to_thread(prepare_home, home, package_root, bundle, instructor)
        except TraineeIdentityError as error:
            message = f"pid-handson: no server for {username}: {error}"
            spawner.log.error(message)
            raise TraineeIdentityError(message) from None
        if instructor:
            environment["PID_MOCK_ADMIN_TOKEN"] = admin_token
        spawner.environment.update(environment)
        spawner.log.info(
            "pid-handson: %s is trainee %s (%s, %s)", username, name, bundle.get("passwordIdentity"), "new" if bundle.get("created") else "returning"
        )

    return pre_spawn_hook


def materialise(argv):
    """In the user's pod: writes the bundle from the environment and the notebooks into the home."""
    if len(argv) != 2:
        print("usage: pid_handson_hub.py materialise HOME PACKAGE_ROOT", file=sys.stderr)
        return 2
    home, package_root = argv
    text = os.environ.get(BUNDLE_ENV)
    if not text:
        print(f"pid_handson_hub.py: {BUNDLE_ENV} is not set; the hub's pre_spawn_hook did not run for this server", file=sys.stderr)
        return 1
    prepare_home(home, package_root, decode_bundle(text), instructor=bool(os.environ.get("PID_MOCK_ADMIN_TOKEN")))
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "materialise":
        sys.exit(materialise(sys.argv[2:]))
    print("usage: pid_handson_hub.py materialise HOME PACKAGE_ROOT", file=sys.stderr)
    sys.exit(2)
