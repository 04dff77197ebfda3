"""The AWS SDK for JavaScript v3 (@aws-sdk/client-kinesis, default HTTP/2 request handler) against kinesisd.

Starts the server with ``harness.Server`` and runs ``node --test`` on ``tests/js/`` (every ``*.test.mjs`` there:
``kinesis.test.mjs``, ``subscribe.test.mjs``) over ``http://`` (h2c with prior knowledge) and ``https://`` (ALPN
h2, the self-signed certificate trusted through NODE_EXTRA_CA_CERTS and KINESISD_CA). Also checks that a server
told to stop sends GOAWAY on an idle HTTP/2 session and exits cleanly.

Skipped only when ``node`` is not installed. Installs the npm packages with ``npm ci`` when
``tests/js/node_modules`` is missing (scripts/test does that already).
"""

import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import REPO, Server  # noqa: E402

JS_DIR = os.path.join(REPO, "tests", "js")
NODE = shutil.which("node")
NODE_TIMEOUT = 240


def _node_env(endpoint, ca=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KINESISD_") and not k.startswith("AWS_") and not k.startswith("NODE_")}
    env["KINESISD_ENDPOINT"] = endpoint
    if ca is not None:
        env["KINESISD_CA"] = ca
        env["NODE_EXTRA_CA_CERTS"] = ca
    # No machine-wide AWS configuration may leak into the SDK.
    env["AWS_CONFIG_FILE"] = os.devnull
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env["NO_COLOR"] = "1"
    # Node 20 is supported by the pinned SDK; its notice about future versions is noise in ctest's output.
    env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true"
    return env


def _ensure_node_modules():
    if os.path.isdir(os.path.join(JS_DIR, "node_modules")):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise AssertionError("tests/js/node_modules is missing and npm is not installed")
    proc = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=600)
    if proc.returncode != 0:
        raise AssertionError("npm ci in tests/js failed (%d):\n%s"
                             % (proc.returncode, proc.stdout.decode("utf-8", "replace")))


@unittest.skipIf(NODE is None, "node is not installed")
class JsSdkTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        super(JsSdkTest, cls).setUpClass()
        _ensure_node_modules()
        cls.server = Server(extra_args=["--throughput-limits", "off"])
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    def run_node_tests(self, endpoint, ca=None):
        cmd = [NODE, "--test", "--test-reporter=spec", JS_DIR]
        try:
            proc = subprocess.run(cmd, cwd=JS_DIR, env=_node_env(endpoint, ca), stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=NODE_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            out = (exc.output or b"").decode("utf-8", "replace")
            self.fail("node --test did not finish within %ds against %s:\n%s\n--- server log ---\n%s"
                      % (NODE_TIMEOUT, endpoint, out, self.server.log_tail()))
        out = proc.stdout.decode("utf-8", "replace")
        if proc.returncode != 0:
            self.fail("node --test failed (exit %d) against %s:\n%s\n--- server log ---\n%s"
                      % (proc.returncode, endpoint, out, self.server.log_tail()))
        # Keep the per-test lines in ctest's output on success too.
        sys.stderr.write(out)
        self.assertIsNone(self.server.proc.poll(), "server died during the JS tests")

    def test_sdk_over_http_h2c(self):
        self.run_node_tests(self.server.url)

    def test_sdk_over_https_alpn_h2(self):
        self.run_node_tests(self.server.https_url, ca=self.server.cert_path)


@unittest.skipIf(NODE is None, "node is not installed")
class Http2ShutdownTest(unittest.TestCase):
    """SIGTERM: an idle HTTP/2 session gets GOAWAY (NO_ERROR) and the server exits 0 without waiting on it."""

    def goaway_on_sigterm(self, https):
        srv = Server()
        self.addCleanup(srv.stop)
        srv.start()
        endpoint = srv.https_url if https else srv.url
        probe = subprocess.Popen([NODE, os.path.join(JS_DIR, "goaway_probe.mjs")], cwd=JS_DIR,
                                 env=_node_env(endpoint, srv.cert_path if https else None),
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            first = probe.stdout.readline().decode("utf-8", "replace").strip()
            if first != "ready":
                rest = probe.stdout.read().decode("utf-8", "replace")
                self.fail("probe did not get a ListStreams answer over HTTP/2 (%s): %s\n%s\n--- server log ---\n%s"
                          % (endpoint, first, rest, srv.log_tail()))
            rc = srv.terminate(timeout=8.0)
            out, _ = probe.communicate(timeout=20)
        finally:
            if probe.poll() is None:
                probe.kill()
                probe.wait()
        text = out.decode("utf-8", "replace").strip()
        self.assertEqual(rc, 0, "server exit code after SIGTERM with an idle HTTP/2 session (-9: it had to be "
                                "killed)\n--- server log ---\n%s" % srv.log_tail())
        try:
            result = json.loads(text.splitlines()[-1])
        except (ValueError, IndexError):
            self.fail("probe output: %r" % text)
        self.assertTrue(result.get("goaway"), "no GOAWAY before the connection ended: %r" % result)
        self.assertEqual(result.get("code"), 0, "GOAWAY error code: %r" % result)
        self.assertEqual(probe.returncode, 0, text)

    def test_goaway_on_sigterm_h2c(self):
        self.goaway_on_sigterm(https=False)

    def test_goaway_on_sigterm_h2_tls(self):
        self.goaway_on_sigterm(https=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
