"""pid-handson on JupyterHub: before a user's server starts, fetch (or create) their trainee identity
from the mock Handle server's class admin API and give them a home with their credentials and the lesson.

Imported by jupyterhub_config.py (the hook runs inside the hub). On Kubernetes the hub cannot write into
the user's volume, so the hook hands the credentials to the pod in its environment and the pod runs
`python3 pid_handson_hub.py materialise` (its start command) to write them and the notebooks.

On one machine (`npm run class`) the module also gives the hub its logins (ClassAuthenticator: each user's
own password, checked against the scrypt hashes `npm run class` keeps in the class folder) and its
spawner (ClassSpawner: each user's Jupyter server runs as a Unix user of their own, whose home nobody
else can read); the hook then writes the home as that user, never as root.

A user's home, on one machine and in a pod alike:
    <home>/credentials/   cred_file.json (certificate), cred_basic.json (password), ca.pem, PEM files
    <home>/notebooks/     the learner notebooks and their contents page README.md (instructors: also instructor/)
    <home>/dist, <home>/node_modules -> the package, as in a clone: the notebooks' `pid-handson/lesson`
                          is found in node_modules (the package's link to itself, made by its preparation)
"""
import asyncio
import base64
import hashlib
import hmac
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from jupyterhub.auth import Authenticator
from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Unicode, default

TRAINEE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
BUNDLE_ENV = "PID_HANDSON_BUNDLE"
# Set for materialise when the user is an instructor but their admin token has no business in that process.
INSTRUCTOR_ENV = "PID_HANDSON_INSTRUCTOR"
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
    """Writes the bundle's files into folder, readable by their owner only; returns cred_file.json's path."""
    os.makedirs(folder, mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    for file_name, text in bundle["files"].items():
        if not SAFE_FILE_NAME.match(file_name):
            raise TraineeIdentityError(f"the bundle names a file {file_name!r} that is not a plain file name; nothing written")
    for file_name, text in bundle["files"].items():
        path = os.path.join(folder, file_name)
        temporary = f"{path}.tmp"
        if os.path.lexists(temporary):
            os.unlink(temporary)
        # The password in cred_basic.json is as secret as the private key: every file is the owner's alone.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    return os.path.join(folder, "cred_file.json")


# ---- logins: each hub user's own password, kept as an scrypt hash -------------------------------------
# The class folder's hub-logins.json, written by `npm run class` (deploy/jupyterhub/class.cjs, which hashes
# in the same format with Node's crypto.scrypt): {"users": {"<name>": {"role": "trainee", "hash": "scrypt$N$r$p$salt$key"}}}.
LOGINS_FILE_NAME = "hub-logins.json"
SCRYPT_MAXMEM = 64 * 1024 * 1024


def hash_password(password, salt=None, n=16384, r=8, p=1):
    """The stored form of a password: scrypt with a random salt, parameters kept beside it."""
    salt = salt if salt is not None else os.urandom(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=SCRYPT_MAXMEM)
    return "$".join(["scrypt", str(n), str(r), str(p), base64.b64encode(salt).decode("ascii"), base64.b64encode(key).decode("ascii")])


# Checked when the user name is unknown, so that an unknown name costs the same time as a wrong password.
_UNKNOWN_USER_HASH = hash_password("no such user", salt=bytes(16))


def password_matches(stored, password):
    """Whether password is the one stored (constant-time comparison); False for anything malformed."""
    try:
        scheme, n, r, p, salt, key = str(stored).split("$")
        n, r, p = int(n), int(r), int(p)
        expected = base64.b64decode(key, validate=True)
        salt = base64.b64decode(salt, validate=True)
        secret = str(password).encode("utf-8")
    except (ValueError, TypeError, UnicodeError):
        return False
    # Parameters beyond these are not ours, and could make one login attempt cost the hub seconds of CPU.
    if scheme != "scrypt" or not (1024 <= n <= 1 << 17 and n & (n - 1) == 0 and 1 <= r <= 16 and 1 <= p <= 4 and 16 <= len(expected) <= 64):
        return False
    actual = hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, dklen=len(expected), maxmem=SCRYPT_MAXMEM)
    return hmac.compare_digest(actual, expected)


class ClassAuthenticator(Authenticator):
    """Each hub user logs in with their own password, from the class's hashed logins file.

    The file is read at each login, so a restart of `npm run class` that adds users or renews a password
    needs nothing else; a user missing from it cannot log in.
    """

    logins_file = Unicode("", help="hub-logins.json of the class folder (written by `npm run class`)").tag(config=True)

    def _users(self):
        with open(self.logins_file, encoding="utf-8") as source:
            users = json.load(source).get("users")
        if not isinstance(users, dict):
            raise ValueError("no \"users\" object")
        return users

    async def authenticate(self, handler, data):
        username = str((data or {}).get("username") or "").strip().lower()
        password = str((data or {}).get("password") or "")
        try:
            users = self._users()
        except (OSError, ValueError, AttributeError) as error:
            self.log.error("pid-handson: cannot read the class logins %s (%s); nobody can log in until it is fixed", self.logins_file, error)
            return None
        entry = users.get(username)
        stored = entry.get("hash") if isinstance(entry, dict) else None
        matches = await asyncio.to_thread(password_matches, stored or _UNKNOWN_USER_HASH, password)
        if not (matches and stored):
            return None
        # The file's role decides, at every login: a user taken off the instructors loses the admin rights.
        return {"name": username, "admin": entry.get("role") == "instructor"}


# ---- a Unix user per hub user, so that no trainee can read another's home -----------------------------
UNIX_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
UNIX_PREFIX = re.compile(r"^[a-z][a-z0-9_-]{0,11}$")
_useradd_lock = threading.Lock()


def system_user_name(username, prefix="pid-"):
    """The Unix user of a hub user: the prefix and the hub name when that is a valid Unix name of at most
    32 characters, else the prefix, the name spelt in the Unix alphabet and a digest (so two never share one).
    The prefix keeps hub names off the machine's own accounts (a trainee called "root" or "daemon")."""
    if not UNIX_PREFIX.match(prefix):
        raise ValueError(f"the Unix user prefix {prefix!r} must be a lower-case letter and up to 11 more of a-z, 0-9, _ and -")
    candidate = prefix + username
    if UNIX_NAME.match(candidate):
        return candidate
    spelt = re.sub(r"[^a-z0-9_-]+", "_", username.lower())[: 32 - len(prefix) - 9]
    return f"{prefix}{spelt}-{hashlib.sha256(username.encode('utf-8')).hexdigest()[:8]}"


def ensure_system_user(name, home, comment):
    """The Unix user (created with useradd when missing, its home given but not made); its pwd entry.

    A user of that name whose home is elsewhere belongs to another class folder or to the machine: it is
    refused rather than shared, since sharing a uid would let two trainees read each other's files."""
    with _useradd_lock:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            # Locked password, no home made here (the hook makes it 0700); a shell for Jupyter's terminals.
            command = ["useradd", "--no-create-home", "--home-dir", home, "--shell", "/bin/bash", "--user-group", "--comment", comment, name]
            for attempt in range(5):
                done = subprocess.run(command, capture_output=True, text=True, timeout=30)
                if done.returncode == 0 or attempt == 4 or "lock" not in done.stderr:
                    break
                time.sleep(0.2 * (attempt + 1))
            if done.returncode != 0:
                raise TraineeIdentityError(f"cannot create the Unix user {name!r} ({done.stderr.strip() or f'useradd exit {done.returncode}'}); the hub must run as root")
            entry = pwd.getpwnam(name)
    if entry.pw_uid == 0 or os.path.normpath(entry.pw_dir) != os.path.normpath(home):
        raise TraineeIdentityError(
            f"the Unix user {name!r} already exists with the home {entry.pw_dir}, not {home}: it belongs to another class "
            "or to this machine; give the class another --unix-prefix, or remove that user (userdel) if it is a former class's"
        )
    return entry


def make_private_home(home, uid, gid):
    """The home folder, owned by the user and closed to everyone else (0700).

    A home left by an earlier version (written by root, readable by all) is handed over to the user whole."""
    os.makedirs(os.path.dirname(home), exist_ok=True)
    try:
        os.mkdir(home, 0o700)
    except FileExistsError:
        pass
    info = os.lstat(home)
    if not stat.S_ISDIR(info.st_mode):
        raise TraineeIdentityError(f"the home {home} is not a folder (a link or a file); nothing written")
    if info.st_uid != uid:
        for folder, folders, files in os.walk(home):
            for entry in folders + files:
                os.lchown(os.path.join(folder, entry), uid, gid)
    os.lchown(home, uid, gid)
    os.chmod(home, 0o700)


def materialise_as(system_user, home, package_root, bundle, instructor):
    """Writes the home as its user (`materialise` in a process with their uid), so that nothing a trainee
    put into their home (a link to /etc/shadow in place of a notebook) can make root write elsewhere."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        BUNDLE_ENV: encode_bundle(bundle),
    }
    if instructor:
        environment[INSTRUCTOR_ENV] = "1"
    done = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "materialise", home, package_root],
        env=environment,
        cwd=home,
        preexec_fn=set_user_setuid(system_user, chdir=False),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise TraineeIdentityError(f"writing the home {home} as {system_user} failed: {(done.stderr or done.stdout).strip()[-500:]}")


class ClassSpawner(LocalProcessSpawner):
    """JupyterHub's local process spawner, with a Unix user of its own for each hub user (made on the
    first spawn) whose home is home_dir_template, rather than a system account of the same name."""

    home_dir_template = Unicode("", help="the user's home; {username} is the hub user's name").tag(config=True)
    system_user_prefix = Unicode("pid-", help="put before the hub name to make the Unix user's name").tag(config=True)

    @property
    def home_dir(self):
        return self.home_dir_template.format(username=self.user.name)

    @property
    def system_user(self):
        return system_user_name(self.user.name, self.system_user_prefix)

    def ensure_system_user(self):
        return ensure_system_user(self.system_user, self.home_dir, f"pid-handson {self.user.name}")

    def make_preexec_fn(self, name):
        become_user = set_user_setuid(self.system_user)
        procs = memory_cgroup(self.system_user, int(self.mem_limit)) if self.mem_limit else None
        if self.mem_limit and procs is None:
            self.log.warning("no writable memory cgroup on this machine: mem_limit for %s is advisory only", self.user.name)

        def preexec():
            # Joined as root before dropping to the user: the server and every kernel it starts stay inside.
            if procs:
                with open(procs, "w") as out:
                    out.write(str(os.getpid()))
            become_user()

        return preexec

    def user_env(self, env):
        env["USER"] = self.system_user
        env["HOME"] = self.home_dir
        env["SHELL"] = "/bin/bash"
        return env

    async def move_certs(self, paths):
        raise NotImplementedError("ClassSpawner does not support internal_ssl")


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


def write_kernel_spec(jupyter_path, package_root, snapshot=None):
    """The lesson's kernel spec (tslab through dist/lesson/kernel/launch.js, which adds the advice after a
    restart), for JUPYTER_PATH (ahead of any other tslab on the machine); with snapshot, the kernel starts
    from that Node start-up snapshot (lesson/kernel/launch.ts kernelSpec makes the same spec)."""
    folder = os.path.join(jupyter_path, "kernels", "tslab")
    os.makedirs(folder, exist_ok=True)
    node = shutil.which("node") or "node"
    launcher = [os.path.join(package_root, "dist", "lesson", "kernel", "launch.js"), "--config-path", "{connection_file}"]
    spec = {"argv": [node, *launcher], "display_name": "TypeScript", "language": "typescript"}
    if snapshot:
        # Node refuses a snapshot under other V8 flags than it was built with: no NODE_OPTIONS for the kernel.
        spec["argv"] = [node, "--snapshot-blob", snapshot, *launcher]
        spec["env"] = {"NODE_OPTIONS": ""}
    with open(os.path.join(folder, "kernel.json"), "w", encoding="utf-8") as out:
        json.dump(spec, out, indent=1)
    return folder


def culling_args(idle_seconds):
    """The single-user server's own idle culling (JupyterHub's idle-culler service is not packaged here):
    kernels idle that long with no notebook open on them stop, then a server with no kernels and no
    activity that long stops itself, and the hub sees it gone."""
    if idle_seconds <= 0:
        return []
    return [
        f"--MappingKernelManager.cull_idle_timeout={idle_seconds}",
        f"--MappingKernelManager.cull_interval={max(10, min(300, idle_seconds // 4))}",
        "--MappingKernelManager.cull_connected=False",
        f"--SingleUserNotebookApp.shutdown_no_activity_timeout={idle_seconds}",
    ]


MEMORY_CGROUP_ROOTS = ("/sys/fs/cgroup/memory", "/sys/fs/cgroup")


def memory_cgroup(name, limit_bytes, roots=MEMORY_CGROUP_ROOTS):
    """Makes (or reuses) the memory cgroup pid-handson/<name> with this limit; returns its cgroup.procs file,
    or None when this machine gives root no writable memory controller (then the limit stays advisory)."""
    for root in roots:
        v1 = os.path.exists(os.path.join(root, "memory.limit_in_bytes")) or root.endswith("/memory")
        limit_file = "memory.limit_in_bytes" if v1 else "memory.max"
        if not v1 and not os.path.exists(os.path.join(root, "cgroup.controllers")):
            continue
        folder = os.path.join(root, "pid-handson", name)
        try:
            os.makedirs(folder, exist_ok=True)
            if not v1:
                # cgroup v2 hands the memory controller down one level at a time.
                for parent in (root, os.path.dirname(folder)):
                    with open(os.path.join(parent, "cgroup.subtree_control"), "w") as out:
                        out.write("+memory")
            with open(os.path.join(folder, limit_file), "w") as out:
                out.write(str(limit_bytes))
        except OSError:
            continue
        return os.path.join(folder, "cgroup.procs")
    return None


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
        system_user = getattr(spawner, "system_user", None)
        try:
            admin = ClassAdmin(mock_url, admin_token, wait_seconds)
            bundle = await asyncio.to_thread(admin.ensure_trainee, name, credentials_folder)
            if remote_home:
                environment = {BUNDLE_ENV: encode_bundle(bundle), "PID_CREDENTIALS": os.path.join(credentials_folder, "cred_file.json")}
            elif system_user:
                entry = await asyncio.to_thread(spawner.ensure_system_user)
                await asyncio.to_thread(make_private_home, home, entry.pw_uid, entry.pw_gid)
                await asyncio.to_thread(materialise_as, system_user, home, package_root, bundle, instructor)
                environment = {"PID_CREDENTIALS": os.path.join(credentials_folder, "cred_file.json")}
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
            "pid-handson: %s is trainee %s (%s, %s%s)",
            username,
            name,
            bundle.get("passwordIdentity"),
            "new" if bundle.get("created") else "returning",
            f", Unix user {system_user}" if system_user else "",
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
    instructor = bool(os.environ.get("PID_MOCK_ADMIN_TOKEN")) or os.environ.get(INSTRUCTOR_ENV) == "1"
    prepare_home(home, package_root, decode_bundle(text), instructor=instructor)
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "materialise":
        sys.exit(materialise(sys.argv[2:]))
    print("usage: pid_handson_hub.py materialise HOME PACKAGE_ROOT", file=sys.stderr)
    sys.exit(2)
