"""Unit tests of the JupyterHub hook (deploy/jupyterhub/pid_handson_hub.py) against a real `pid-mock serve`
process on loopback, with JupyterHub's own SimpleLocalProcessSpawner and real files in a temporary folder.

Run: /usr/bin/python3 -m unittest discover -s test/hub -p 'test_*.py'  (test/hub/hook.test.ts does)
"""
import asyncio
import json
import logging
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import unittest
import uuid
from types import SimpleNamespace

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "deploy", "jupyterhub"))
import pid_handson_hub as hub  # noqa: E402
from jupyterhub.spawner import SimpleLocalProcessSpawner  # noqa: E402

TOKEN = "unit-test-admin-token-0123456789"
LEARNER_NOTEBOOKS = sorted(n for n in os.listdir(os.path.join(ROOT, "notebooks")) if n.endswith(".ipynb"))


class MockServer:
    """`node bin/pid-mock.cjs serve --port 0` with the admin token in its environment."""

    def __init__(self):
        self.data = tempfile.mkdtemp(prefix="pid-hub-mock-")
        env = dict(os.environ, PID_MOCK_ADMIN_TOKEN=TOKEN)
        self.process = subprocess.Popen(
            ["node", os.path.join(ROOT, "bin", "pid-mock.cjs"), "serve", "--data", self.data, "--port", "0", "--quiet"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        out = ""
        for line in self.process.stdout:
            out += line
            if line.strip() == "ready":
                break
        match = re.search(r"on port (\d+)", out)
        if not match:
            raise RuntimeError(f"pid-mock did not start:\n{out}\n{self.process.stderr.read()}")
        self.url = f"http://127.0.0.1:{match.group(1)}"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)
        self.process.stdout.close()
        self.process.stderr.close()
        shutil.rmtree(self.data, ignore_errors=True)


def read(path):
    with open(path, encoding="utf-8") as file:
        return file.read()


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class HubUser:
    def __init__(self, name, admin=False):
        self.name = name
        self.admin = admin
        self.url = f"/user/{name}/"


def spawner_for(classroom, name, admin=False):
    spawner = SimpleLocalProcessSpawner(user=HubUser(name, admin), home_dir_template=os.path.join(classroom, "homes", "{username}"))
    spawner.log = logging.getLogger(f"test-spawner-{name}")
    return spawner


class TraineeNameTest(unittest.TestCase):
    def test_names_in_the_alphabet_stay_as_they_are(self):
        for name in ["trainee01", "anna", "a.b_c-d", "x" * 40]:
            self.assertEqual(hub.trainee_name(name), name)

    def test_other_names_are_spelt_in_the_alphabet_and_stay_distinct(self):
        names = ["anna@uni.example", "anna-uni.example", "Anna", "zoë", "-lead", "y" * 41, "名前"]
        spelt = [hub.trainee_name(n) for n in names]
        for original, name in zip(names, spelt):
            self.assertRegex(name, r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$", original)
        self.assertEqual(len(set(n.lower() for n in spelt)), len(names))
        self.assertEqual(hub.trainee_name("anna@uni.example"), hub.trainee_name("anna@uni.example"))


class HubConfigTest(unittest.TestCase):
    def test_the_mock_service_is_told_every_hub_users_identity_name_before_anyone_logs_in(self):
        # A trainee spawned early must not take a later one's name (21.T12995/carol): the mock keeps the
        # roster's names from its first request on (pid-mock serve --reserve, PID_MOCK_RESERVED_NAMES).
        from traitlets.config import Config

        class_dir = tempfile.mkdtemp(prefix="pid-hub-config-")
        self.addCleanup(shutil.rmtree, class_dir, True)
        config = Config()
        path = os.path.join(ROOT, "deploy", "jupyterhub", "jupyterhub_config.py")
        environment = {
            "PID_HANDSON_CLASS_DIR": class_dir,
            "PID_MOCK_PORT": "18999",
            "PID_MOCK_ADMIN_TOKEN": TOKEN,
            "PID_HANDSON_USERS": "carol,dave.k,anna@uni.example",
            "PID_HANDSON_INSTRUCTORS": "lead",
        }
        saved = {name: os.environ.get(name) for name in environment}
        os.environ.update(environment)
        try:
            with open(path, encoding="utf-8") as source:
                exec(compile(source.read(), path, "exec"), {"get_config": lambda: config, "__file__": path, "__name__": "jupyterhub_config"})
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        service = next(s for s in config.JupyterHub.services if s["name"] == "pid-mock")
        announced = service["environment"]["PID_MOCK_RESERVED_NAMES"].split(",")
        self.assertEqual(sorted(announced), sorted(["carol", "dave.k", hub.trainee_name("anna@uni.example"), "lead"]))


class HookTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = MockServer()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def setUp(self):
        self.classroom = tempfile.mkdtemp(prefix="pid-hub-class-")
        self.addCleanup(shutil.rmtree, self.classroom, True)

    def hook(self, url=None, wait_seconds=5.0, **extra):
        return hub.make_pre_spawn_hook(mock_url=url or self.mock.url, admin_token=TOKEN, package_root=ROOT, wait_seconds=wait_seconds, **extra)

    def run_hook(self, spawner, **extra):
        with self.assertLogs(spawner.log, level="INFO") as logs:
            asyncio.run(self.hook(**extra)(spawner))
        return "\n".join(logs.output)

    def test_first_login_creates_the_identity_and_writes_a_home(self):
        spawner = spawner_for(self.classroom, "trainee01")
        log = self.run_hook(spawner)
        home = os.path.join(self.classroom, "homes", "trainee01")
        credentials = os.path.join(home, "credentials")
        self.assertEqual(spawner.environment["PID_CREDENTIALS"], os.path.join(credentials, "cred_file.json"))
        self.assertNotIn("PID_MOCK_ADMIN_TOKEN", spawner.environment)
        self.assertIn("trainee01 is trainee trainee01", log)
        self.assertIn("new", log)
        cred = json.loads(read(os.path.join(credentials, "cred_file.json")))
        basic = json.loads(read(os.path.join(credentials, "cred_basic.json")))
        self.assertRegex(basic["username"], r"(?i)^300:[^/]+/trainee01$")
        self.assertRegex(os.path.basename(cred["private_key"]), r"(?i)^trainee01_privkey\.pem$")
        # Key and certificate paths are absolute, in the user's own folder, and exist.
        for key in ("private_key", "certificate_only"):
            self.assertTrue(os.path.isabs(cred[key]), cred[key])
            self.assertEqual(os.path.dirname(cred[key]), credentials)
            self.assertTrue(os.path.isfile(cred[key]))
        key_file = [f for f in os.listdir(credentials) if f.endswith("_privkey.pem")][0]
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(credentials, key_file)).st_mode), 0o600)
        for name in ("cred_basic.json", "ca.pem"):
            self.assertTrue(os.path.isfile(os.path.join(credentials, name)))
        notebooks = os.path.join(home, "notebooks")
        self.assertEqual(sorted(n for n in os.listdir(notebooks) if n.endswith(".ipynb")), LEARNER_NOTEBOOKS)
        self.assertTrue(os.path.isfile(os.path.join(notebooks, "README.md")))
        self.assertFalse(os.path.exists(os.path.join(notebooks, "pid.ts")), "no helper file in the trainee's list")
        self.assertFalse(os.path.exists(os.path.join(notebooks, "instructor")), "trainees never get the instructor masters")
        # The home looks like a clone: the built package and node_modules (where `pid-handson/lesson` is found).
        self.assertTrue(os.path.isfile(os.path.join(notebooks, "..", "dist", "src", "index.js")))
        self.assertTrue(os.path.isdir(os.path.join(home, "node_modules", "tslab")))

    def test_second_login_keeps_the_identity_and_the_edits(self):
        first = spawner_for(self.classroom, "trainee02")
        self.run_hook(first)
        home = first.home_dir
        cred_before = read(os.path.join(home, "credentials", "cred_file.json"))
        basic_before = read(os.path.join(home, "credentials", "cred_basic.json"))
        edited = os.path.join(home, "notebooks", LEARNER_NOTEBOOKS[2])
        with open(edited, "w") as out:
            out.write('{"edited": "by the trainee"}')
        os.remove(os.path.join(home, "notebooks", LEARNER_NOTEBOOKS[0]))

        second = spawner_for(self.classroom, "trainee02")
        log = self.run_hook(second)
        self.assertIn("returning", log)
        self.assertEqual(read(os.path.join(home, "credentials", "cred_file.json")), cred_before)
        self.assertEqual(read(os.path.join(home, "credentials", "cred_basic.json")), basic_before)
        self.assertEqual(read(edited), '{"edited": "by the trainee"}')
        # A notebook the trainee deleted comes back fresh.
        self.assertTrue(os.path.isfile(os.path.join(home, "notebooks", LEARNER_NOTEBOOKS[0])))
        self.assertEqual(second.environment["PID_CREDENTIALS"], first.environment["PID_CREDENTIALS"])

    def test_two_users_get_two_identities(self):
        a, b = spawner_for(self.classroom, "anna"), spawner_for(self.classroom, "ben@uni.example")
        self.run_hook(a)
        self.run_hook(b)
        cred_a = json.loads(read(a.environment["PID_CREDENTIALS"]))
        cred_b = json.loads(read(b.environment["PID_CREDENTIALS"]))
        self.assertNotEqual(cred_a["private_key"], cred_b["private_key"])
        self.assertNotEqual(read(cred_a["private_key"]), read(cred_b["private_key"]))
        self.assertIn(hub.trainee_name("ben@uni.example"), json.dumps(cred_b))

    def test_hub_admins_are_instructors(self):
        spawner = spawner_for(self.classroom, "lead", admin=True)
        self.run_hook(spawner)
        self.assertEqual(spawner.environment["PID_MOCK_ADMIN_TOKEN"], TOKEN)
        masters = os.path.join(spawner.home_dir, "notebooks", "instructor")
        self.assertFalse(os.path.exists(os.path.join(masters, "pid.ts")))
        self.assertTrue(os.path.isfile(os.path.join(spawner.home_dir, "notebooks", "README.md")))
        self.assertEqual(len([n for n in os.listdir(masters) if n.endswith(".ipynb")]), len(LEARNER_NOTEBOOKS))

    def test_mock_unreachable_fails_the_spawn_with_a_clear_message(self):
        spawner = spawner_for(self.classroom, "trainee03")
        url = f"http://127.0.0.1:{closed_port()}"
        with self.assertLogs(spawner.log, level="ERROR") as logs, self.assertRaises(hub.TraineeIdentityError) as raised:
            asyncio.run(self.hook(url=url, wait_seconds=1.0)(spawner))
        message = str(raised.exception)
        self.assertIn("cannot reach the mock Handle server at " + url, message)
        self.assertIn("trainee03", message)
        self.assertIn(message, "\n".join(logs.output))
        self.assertNotIn("PID_CREDENTIALS", spawner.environment)
        self.assertFalse(os.path.exists(os.path.join(spawner.home_dir, "credentials")))

    def test_a_wrong_admin_token_fails_the_spawn_and_says_so(self):
        spawner = spawner_for(self.classroom, "trainee04")
        hook = hub.make_pre_spawn_hook(mock_url=self.mock.url, admin_token="wrong-token-0123456789", package_root=ROOT, wait_seconds=1.0)
        with self.assertLogs(spawner.log, level="ERROR"), self.assertRaises(hub.TraineeIdentityError) as raised:
            asyncio.run(hook(spawner))
        self.assertRegex(str(raised.exception), r"refused the identity of trainee 'trainee04': HTTP 40[13]")
        self.assertNotIn("PID_CREDENTIALS", spawner.environment)

    def test_remote_mode_hands_the_bundle_to_the_pod_which_materialises_it(self):
        spawner = spawner_for(self.classroom, "trainee05")
        self.run_hook(spawner, remote_home="/home/jovyan/work")
        self.assertEqual(spawner.environment["PID_CREDENTIALS"], "/home/jovyan/work/credentials/cred_file.json")
        self.assertFalse(os.path.exists(spawner.home_dir), "the hub writes nothing locally for a remote server")
        bundle = hub.decode_bundle(spawner.environment[hub.BUNDLE_ENV])
        self.assertIn("/home/jovyan/work/credentials/", bundle["files"]["cred_file.json"])
        # In the pod: the postStart command, as a real process.
        pod_home = os.path.join(self.classroom, "pod-home")
        env = dict(os.environ, **{hub.BUNDLE_ENV: spawner.environment[hub.BUNDLE_ENV]})
        env.pop("PID_MOCK_ADMIN_TOKEN", None)
        done = subprocess.run([sys.executable, hub.__file__, "materialise", pod_home, ROOT], env=env, capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(read(os.path.join(pod_home, "credentials", "cred_file.json")), bundle["files"]["cred_file.json"])
        self.assertTrue(os.path.isfile(os.path.join(pod_home, "notebooks", LEARNER_NOTEBOOKS[0])))
        env.pop(hub.BUNDLE_ENV)
        missing = subprocess.run([sys.executable, hub.__file__, "materialise", pod_home, ROOT], env=env, capture_output=True, text=True)
        self.assertEqual(missing.returncode, 1)
        self.assertIn("PID_HANDSON_BUNDLE is not set", missing.stderr)

    def test_the_kernel_spec_runs_this_packages_tslab_through_the_lessons_launcher(self):
        folder = hub.write_kernel_spec(os.path.join(self.classroom, "jupyter"), ROOT)
        spec = json.loads(read(os.path.join(folder, "kernel.json")))
        self.assertEqual(spec["argv"][1:], [os.path.join(ROOT, "dist", "lesson", "kernel", "launch.js"), "--config-path", "{connection_file}"])
        self.assertTrue(os.access(spec["argv"][0], os.X_OK), "argv[0] is an executable Node")
        self.assertTrue(os.path.isfile(spec["argv"][1]), "the launcher is built")
        self.assertNotIn("env", spec)

    def test_the_kernel_spec_with_a_snapshot_starts_node_from_it_without_node_options(self):
        folder = hub.write_kernel_spec(os.path.join(self.classroom, "jupyter"), ROOT, snapshot="/srv/typescript.blob")
        spec = json.loads(read(os.path.join(folder, "kernel.json")))
        self.assertEqual(spec["argv"][1:4], ["--snapshot-blob", "/srv/typescript.blob", os.path.join(ROOT, "dist", "lesson", "kernel", "launch.js")])
        self.assertEqual(spec["env"], {"NODE_OPTIONS": ""})

    def test_idle_culling_is_the_servers_own_and_off_at_zero(self):
        self.assertEqual(hub.culling_args(0), [])
        args = hub.culling_args(1800)
        self.assertIn("--MappingKernelManager.cull_idle_timeout=1800", args)
        self.assertIn("--MappingKernelManager.cull_interval=300", args)
        self.assertIn("--SingleUserNotebookApp.shutdown_no_activity_timeout=1800", args)
        self.assertIn("--MappingKernelManager.cull_interval=15", hub.culling_args(60))

    def test_a_memory_cgroup_is_none_where_no_controller_is_writable(self):
        self.assertIsNone(hub.memory_cgroup("pid-x", 900 * 1024 * 1024, roots=(os.path.join(self.classroom, "no-cgroup"),)))


class ClassAuthenticatorTest(unittest.TestCase):
    """The hub's check of each user's own password against the class's hashed logins file."""

    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="pid-hub-logins-")
        self.addCleanup(shutil.rmtree, self.folder, True)
        self.file = os.path.join(self.folder, hub.LOGINS_FILE_NAME)
        self.passwords = {"anna": "anna-Pass-1234", "ben": "ben-Pass-5678", "instructor": "lead-Pass-9012"}
        users = {
            name: {"role": "instructor" if name == "instructor" else "trainee", "hash": hub.hash_password(password)}
            for name, password in self.passwords.items()
        }
        with open(self.file, "w", encoding="utf-8") as out:
            json.dump({"users": users}, out)
        self.authenticator = hub.ClassAuthenticator(logins_file=self.file)

    def login(self, username, password):
        answer = asyncio.run(self.authenticator.authenticate(None, {"username": username, "password": password}))
        return answer and answer["name"]

    def test_each_user_logs_in_with_their_own_password_only(self):
        for user in self.passwords:
            for owner, password in self.passwords.items():
                self.assertEqual(self.login(user, password), user if owner == user else None, f"{user} with {owner}'s password")

    def test_the_role_in_the_file_decides_who_is_a_hub_admin(self):
        for user, password in self.passwords.items():
            answer = asyncio.run(self.authenticator.authenticate(None, {"username": user, "password": password}))
            self.assertEqual(answer["admin"], user == "instructor", user)

    def test_names_are_compared_as_the_hub_spells_them(self):
        self.assertEqual(self.login(" Anna ", self.passwords["anna"]), "anna")

    def test_unknown_users_malformed_entries_and_empty_passwords_are_refused(self):
        self.assertIsNone(self.login("carl", self.passwords["anna"]))
        self.assertIsNone(self.login("anna", ""))
        self.assertIsNone(self.login("", ""))
        with open(self.file, "w", encoding="utf-8") as out:
            json.dump({"users": {"anna": {"hash": "plain"}, "ben": "text", "__proto__": {"hash": None}}}, out)
        self.assertIsNone(self.login("anna", "plain"))
        self.assertIsNone(self.login("ben", "text"))

    def test_an_unreadable_logins_file_lets_nobody_in_and_says_why(self):
        os.remove(self.file)
        with self.assertLogs(self.authenticator.log, level="ERROR") as logs:
            self.assertIsNone(self.login("anna", self.passwords["anna"]))
        self.assertIn("cannot read the class logins", "\n".join(logs.output))


class SystemUserNameTest(unittest.TestCase):
    def test_hub_names_get_a_prefixed_valid_unix_name_and_stay_distinct(self):
        names = ["trainee01", "anna", "a.b", "a_b", "9lives", "x" * 40, "x" * 41]
        unix = [hub.system_user_name(n) for n in names]
        self.assertEqual(unix[0], "pid-trainee01")
        for name in unix:
            self.assertRegex(name, r"^[a-z_][a-z0-9_-]{0,31}$")
        self.assertEqual(len(set(unix)), len(names))
        self.assertEqual(hub.system_user_name("root", "cls-"), "cls-root")
        for prefix in ("", "Pid-", "1x", "a" * 13):
            with self.assertRaises(ValueError):
                hub.system_user_name("anna", prefix)


@unittest.skipUnless(os.geteuid() == 0 and shutil.which("useradd"), "needs root and useradd (the class hub runs as root)")
class ClassSpawnerHookTest(unittest.TestCase):
    """The hook with ClassSpawner: a real Unix user, the home written as that user."""

    @classmethod
    def setUpClass(cls):
        cls.mock = MockServer()
        cls.prefix = f"u{uuid.uuid4().hex[:6]}-"

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()
        for entry in pwd.getpwall():
            if entry.pw_name.startswith(cls.prefix):
                subprocess.run(["userdel", entry.pw_name], check=False)

    def setUp(self):
        self.classroom = tempfile.mkdtemp(prefix="pid-hub-class-")
        os.chmod(self.classroom, 0o711)
        self.addCleanup(shutil.rmtree, self.classroom, True)

    def spawner(self, name, admin=False):
        spawner = hub.ClassSpawner(
            user=HubUser(name, admin), home_dir_template=os.path.join(self.classroom, "homes", "{username}"), system_user_prefix=self.prefix
        )
        spawner.log = logging.getLogger(f"test-class-spawner-{name}")
        return spawner

    def run_hook(self, spawner):
        hook = hub.make_pre_spawn_hook(mock_url=self.mock.url, admin_token=TOKEN, package_root=ROOT, instructors=["lead"], wait_seconds=5.0)
        with self.assertLogs(spawner.log, level="INFO") as logs:
            asyncio.run(hook(spawner))
        return "\n".join(logs.output)

    def test_the_home_is_the_users_own_and_closed_to_others(self):
        spawner = self.spawner("anna")
        log = self.run_hook(spawner)
        entry = pwd.getpwnam(f"{self.prefix}anna")
        self.assertIn(f"Unix user {self.prefix}anna", log)
        self.assertEqual(entry.pw_dir, spawner.home_dir)
        self.assertGreaterEqual(entry.pw_uid, 1000)
        home = os.stat(spawner.home_dir)
        self.assertEqual((home.st_uid, stat.S_IMODE(home.st_mode)), (entry.pw_uid, 0o700))
        credentials = os.path.join(spawner.home_dir, "credentials")
        for name in os.listdir(credentials):
            info = os.stat(os.path.join(credentials, name))
            self.assertEqual((info.st_uid, stat.S_IMODE(info.st_mode)), (entry.pw_uid, 0o600), name)
        for folder, folders, files in os.walk(spawner.home_dir):
            for name in folders + files:
                self.assertEqual(os.lstat(os.path.join(folder, name)).st_uid, entry.pw_uid, os.path.join(folder, name))
        env = spawner.user_env({})
        self.assertEqual((env["USER"], env["HOME"]), (f"{self.prefix}anna", spawner.home_dir))
        self.assertNotIn("PID_MOCK_ADMIN_TOKEN", spawner.environment)

    def test_an_instructor_gets_the_masters_and_a_unix_user_of_their_own(self):
        spawner = self.spawner("lead", admin=True)
        self.run_hook(spawner)
        self.assertEqual(spawner.environment["PID_MOCK_ADMIN_TOKEN"], TOKEN)
        masters = os.path.join(spawner.home_dir, "notebooks", "instructor")
        self.assertEqual(len([n for n in os.listdir(masters) if n.endswith(".ipynb")]), len(LEARNER_NOTEBOOKS))
        self.assertEqual(os.stat(masters).st_uid, pwd.getpwnam(f"{self.prefix}lead").pw_uid)

    def test_links_a_trainee_plants_in_their_home_never_make_root_write_elsewhere(self):
        spawner = self.spawner("ben")
        self.run_hook(spawner)
        outside = os.path.join(self.classroom, "root-only.txt")
        with open(outside, "w", encoding="utf-8") as out:
            out.write("root's")
        os.chmod(outside, 0o600)
        credentials = os.path.join(spawner.home_dir, "credentials")
        # What a trainee could do between two spawns: links where the hook writes.
        os.symlink(outside, os.path.join(credentials, "cred_file.json.tmp"))
        os.remove(os.path.join(spawner.home_dir, "notebooks", LEARNER_NOTEBOOKS[0]))
        os.symlink(outside, os.path.join(spawner.home_dir, "notebooks", LEARNER_NOTEBOOKS[0]))
        # The next spawn writes as the trainee: the link in credentials/ is removed, not followed, and the
        # notebook link is left alone (a file already there is the trainee's); the file outside is untouched.
        self.run_hook(self.spawner("ben"))
        self.assertEqual(read(outside), "root's")
        self.assertEqual(os.stat(outside).st_uid, 0)
        self.assertFalse(os.path.lexists(os.path.join(credentials, "cred_file.json.tmp")))
        cred_file = os.lstat(os.path.join(credentials, "cred_file.json"))
        self.assertTrue(stat.S_ISREG(cred_file.st_mode))
        self.assertEqual(cred_file.st_uid, pwd.getpwnam(f"{self.prefix}ben").pw_uid)
        self.assertTrue(os.path.islink(os.path.join(spawner.home_dir, "notebooks", LEARNER_NOTEBOOKS[0])))

    def test_a_home_written_by_root_before_is_handed_to_its_user(self):
        spawner = self.spawner("dora")
        credentials = os.path.join(spawner.home_dir, "credentials")
        os.makedirs(credentials)
        os.chmod(spawner.home_dir, 0o755)
        with open(os.path.join(credentials, "cred_basic.json"), "w", encoding="utf-8") as out:
            out.write("{}")
        os.chmod(os.path.join(credentials, "cred_basic.json"), 0o644)
        os.makedirs(os.path.join(spawner.home_dir, "notebooks"))
        edited = os.path.join(spawner.home_dir, "notebooks", LEARNER_NOTEBOOKS[1])
        with open(edited, "w", encoding="utf-8") as out:
            out.write('{"edited": "before the upgrade"}')
        self.run_hook(spawner)
        uid = pwd.getpwnam(f"{self.prefix}dora").pw_uid
        self.assertEqual(stat.S_IMODE(os.stat(spawner.home_dir).st_mode), 0o700)
        for name in os.listdir(credentials):
            info = os.stat(os.path.join(credentials, name))
            self.assertEqual((info.st_uid, stat.S_IMODE(info.st_mode)), (uid, 0o600), name)
        self.assertEqual(os.stat(edited).st_uid, uid)
        self.assertEqual(read(edited), '{"edited": "before the upgrade"}')

    def test_a_unix_user_of_that_name_with_another_home_is_refused(self):
        first = self.spawner("carl")
        self.run_hook(first)
        elsewhere = tempfile.mkdtemp(prefix="pid-hub-other-class-")
        self.addCleanup(shutil.rmtree, elsewhere, True)
        second = hub.ClassSpawner(
            user=HubUser("carl"), home_dir_template=os.path.join(elsewhere, "homes", "{username}"), system_user_prefix=self.prefix
        )
        second.log = logging.getLogger("test-class-spawner-carl-2")
        with self.assertRaises(hub.TraineeIdentityError) as raised, self.assertLogs(second.log, level="ERROR"):
            asyncio.run(hub.make_pre_spawn_hook(mock_url=self.mock.url, admin_token=TOKEN, package_root=ROOT, wait_seconds=5.0)(second))
        self.assertIn("already exists with the home", str(raised.exception))
        self.assertFalse(os.path.exists(os.path.join(elsewhere, "homes", "carl", "credentials")))


if __name__ == "__main__":
    unittest.main()
