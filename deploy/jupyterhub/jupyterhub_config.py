# JupyterHub for a pid-handson class on one machine: the mock Handle server as a hub-managed service, one
# Jupyter server per user running as a Unix user of their own (a private home each under the class
# folder), a password of their own for each user, and a pre_spawn_hook that gives each trainee their own
# identity, credentials and notebooks.
#
# Started by `npm run class` (deploy/jupyterhub/class.cjs), which sets the PID_HANDSON_* variables below
# and writes the class's logins. The same hook runs on Kubernetes (deploy/kubernetes/values.yaml); with
# DockerSpawner only the spawner lines change (the hook's remote_home mode, as on Kubernetes).
import hashlib
import os
import shutil
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import pid_handson_hub  # noqa: E402


def setting(name, default=None):
    value = os.environ.get(name, "")
    if value == "" and default is None:
        raise SystemExit(f"jupyterhub_config.py: {name} is not set (start the hub with `npm run class`, which sets it)")
    return value or default


def names(value):
    return [name.strip() for name in value.split(",") if name.strip()]


c = get_config()  # noqa: F821 (provided by JupyterHub)

package_root = os.path.abspath(setting("PID_HANDSON_ROOT", os.path.join(here, "..", "..")))
class_dir = os.path.abspath(setting("PID_HANDSON_CLASS_DIR"))
hub_ip = setting("PID_HANDSON_HUB_IP", "127.0.0.1")
hub_port = int(setting("PID_HANDSON_HUB_PORT", "8000"))
mock_port = int(setting("PID_MOCK_PORT"))
admin_token = setting("PID_MOCK_ADMIN_TOKEN")
mock_url = f"http://127.0.0.1:{mock_port}"
instructors = names(setting("PID_HANDSON_INSTRUCTORS", "instructor"))
trainees = names(setting("PID_HANDSON_USERS", ","))

# ---- the hub's own state (users, cookie secret) lives in the class folder, so a restart resumes ----
c.JupyterHub.bind_url = f"http://{hub_ip}:{hub_port}/"
c.JupyterHub.db_url = f"sqlite:///{os.path.join(class_dir, 'jupyterhub.sqlite')}"
c.JupyterHub.cookie_secret_file = os.path.join(class_dir, "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = os.path.join(class_dir, "jupyterhub-proxy.pid")
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(setting('PID_HANDSON_PROXY_API_PORT', str(hub_port + 1)))}"
c.JupyterHub.hub_port = int(setting("PID_HANDSON_HUB_API_PORT", str(hub_port + 2)))

# ---- who may log in: each user with their own password; hub admins are the class's instructors only --
c.JupyterHub.authenticator_class = pid_handson_hub.ClassAuthenticator
c.ClassAuthenticator.logins_file = os.path.join(class_dir, pid_handson_hub.LOGINS_FILE_NAME)
c.Authenticator.admin_users = set(instructors)
c.Authenticator.allowed_users = set(trainees) | set(instructors)
# Names become home folders and Unix user names: no "/", no leading dot.
c.Authenticator.username_pattern = r"^[a-z0-9][a-z0-9._-]{0,39}$"

# ---- the mock Handle server starts and stops with the hub; /services/pid-mock/ is its live page ----
services = [
    {
        "name": "pid-mock",
        "url": mock_url,
        "command": [
            setting("PID_HANDSON_NODE", shutil.which("node") or "node"),
            os.path.join(package_root, "bin", "pid-mock.cjs"),
            "serve",
            "--host", "127.0.0.1",
            "--port", str(mock_port),
            "--data", os.path.join(class_dir, "mock-data"),
        ],
        # The service gets JUPYTERHUB_SERVICE_PREFIX, which pid-mock serve takes as its --base-path.
        # The live page's login names where the instructor finds the token: npm run class keeps it in class.json.
        "environment": {
            "PID_MOCK_ADMIN_TOKEN": admin_token,
            "PID_MOCK_ADMIN_TOKEN_SOURCE": f'{os.path.join(class_dir, "class.json")} ("adminToken")',
            # Every hub user's identity name is kept from the first request on: a trainee spawned early cannot
            # take a later one's name (21.T12995/carol) before carol's first login provisions it.
            "PID_MOCK_RESERVED_NAMES": ",".join(sorted({pid_handson_hub.trainee_name(user) for user in set(trainees) | set(instructors)})),
            "PATH": os.environ.get("PATH", ""),
        },
        "display": True,
        # One login for instructors: the mock's instructor pages send a browser without a session through
        # the hub's OAuth (mock-server/instructor/hub-login.ts) and open the board for hub admins only. The
        # mock derives the same callback from JUPYTERHUB_SERVICE_PREFIX; no confirmation page, as the
        # service is part of the class.
        "oauth_redirect_uri": "/services/pid-mock/_admin/hub-login/callback",
        "oauth_no_confirm": True,
    }
]
# Every user may go through the service's OAuth (admins already may), so that a trainee who follows the
# Services link gets the mock's own "this page is for the class's instructors", not the hub's bare 403.
roles = [{"name": "user", "scopes": ["self", "access:services!service=pid-mock"]}]
hub_api_token = setting("PID_HANDSON_HUB_API_TOKEN", "-")
if hub_api_token != "-":
    # For scripts (and the tests): create users and start servers through the hub's REST API.
    services.append({"name": "class-admin", "api_token": hub_api_token, "display": False})
    roles.append({"name": "class-admin", "scopes": ["admin:users", "admin:servers", "tokens", "list:users"], "services": ["class-admin"]})

# ---- the class's compile service: one process compiles every trainee's cells (lesson/kernel/compile-service.ts) --
# so that no kernel loads TypeScript itself. It runs as nobody and reads only the installation; a kernel finds
# it through PID_HANDSON_COMPILE_SERVICE (a Linux abstract socket named after this class folder) and compiles
# itself whenever the service cannot answer.
compile_service = None
if setting("PID_HANDSON_CLASS_COMPILE_SERVICE", "off") == "on":
    compile_service = "@pid-handson-compile-" + hashlib.sha256(class_dir.encode()).hexdigest()[:16]
    services.append(
        {
            "name": "compile",
            "command": [
                setting("PID_HANDSON_NODE", shutil.which("node") or "node"),
                os.path.join(package_root, "dist", "lesson", "kernel", "compile-service.js"),
                "--socket", compile_service,
                "--root", package_root,
            ],
            "user": "nobody" if os.geteuid() == 0 else "",
            "environment": {"PATH": os.environ.get("PATH", "")},
            "display": False,
        }
    )
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles

# ---- one Jupyter server per user: a local process as their own Unix user, in their own 0700 home ------
c.JupyterHub.spawner_class = pid_handson_hub.ClassSpawner
c.ClassSpawner.home_dir_template = os.path.join(class_dir, "homes", "{username}")
c.ClassSpawner.system_user_prefix = setting("PID_HANDSON_UNIX_PREFIX", "pid-")
c.Spawner.notebook_dir = "~/notebooks"
c.Spawner.default_url = "/tree"
# tslab (TypeScript) is the kernel every notebook opens with.
c.Spawner.args = ["--MappingKernelManager.default_kernel_name=tslab"]
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "NODE_PATH"]
jupyter_path = os.path.join(class_dir, "jupyter")
snapshot_file = setting("PID_HANDSON_KERNEL_SNAPSHOT_FILE", "-")
pid_handson_hub.write_kernel_spec(jupyter_path, package_root, snapshot=None if snapshot_file == "-" else snapshot_file)
c.Spawner.environment = {"JUPYTER_PATH": jupyter_path}
if compile_service:
    c.Spawner.environment["PID_HANDSON_COMPILE_SERVICE"] = compile_service

# ---- the class's size on this machine (npm run class's options; docs/class-on-one-machine.md) --------
# A spawn beyond the limit is answered "too many users trying to log in, try again in a few seconds".
c.JupyterHub.concurrent_spawn_limit = int(setting("PID_HANDSON_SPAWN_LIMIT", "100"))
c.JupyterHub.active_server_limit = int(setting("PID_HANDSON_ACTIVE_LIMIT", "0"))
# Under a spawn storm on two cores a server takes far longer than alone: the hub must not give up on it.
c.Spawner.http_timeout = int(setting("PID_HANDSON_START_TIMEOUT", "120"))
c.Spawner.start_timeout = int(setting("PID_HANDSON_START_TIMEOUT", "120"))
c.Spawner.args += pid_handson_hub.culling_args(int(setting("PID_HANDSON_CULL_IDLE_SECONDS", "0")))
mem_limit = int(setting("PID_HANDSON_MEM_LIMIT", "0"))
if mem_limit:
    # LocalProcessSpawner only passes mem_limit on as MEM_LIMIT; ClassSpawner enforces it with a cgroup.
    c.Spawner.mem_limit = mem_limit
c.Spawner.pre_spawn_hook = pid_handson_hub.make_pre_spawn_hook(
    mock_url=mock_url,
    admin_token=admin_token,
    package_root=package_root,
    instructors=instructors,
    wait_seconds=float(setting("PID_HANDSON_MOCK_WAIT", "20")),
)
