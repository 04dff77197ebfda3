"""End-to-end test harness for kinesisd.

Starts the real server binary (``KINESISD_BIN``, default
``<repo>/build/release/kinesisd``) on a free loopback port with a fresh
temporary data directory, and offers boto3 clients and a raw HTTP helper.

Nothing here mocks the server: every helper talks to the process over TCP on
127.0.0.1.
"""

import atexit
import datetime
import email.utils
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("KINESISD_BIN", os.path.join(REPO, "build", "release", "kinesisd"))
MODEL = os.path.join(REPO, "model", "kinesis-2013-12-02.json")
TARGET_PREFIX = "Kinesis_20131202."
JSON_CT = "application/x-amz-json-1.1"
DEFAULT_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-east-1"
HASH_SPACE = 2 ** 128
MAX_HASH_KEY = HASH_SPACE - 1

# Never let a proxy or a machine-wide AWS setting sit between the tests and
# the server under test.
_no_proxy = os.environ.get("NO_PROXY", "")
os.environ["NO_PROXY"] = ",".join(x for x in (_no_proxy, "127.0.0.1", "localhost") if x)
os.environ["no_proxy"] = os.environ["NO_PROXY"]
for _var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KINESIS", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
    os.environ.pop(_var, None)

_LIVE_SERVERS = set()


def _stop_all():
    for srv in list(_LIVE_SERVERS):
        try:
            srv.stop()
        except Exception:  # pragma: no cover - best effort at exit
            pass


atexit.register(_stop_all)


def unique_name(prefix="e2e"):
    """A random, valid stream name."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def amz_date(now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ")


def fake_authorization(region=DEFAULT_REGION, access_key="AKIDEXAMPLE", date=None):
    """A well-formed (but unverifiable) SigV4 Authorization header value."""
    day = (date or amz_date())[:8]
    return (
        "AWS4-HMAC-SHA256 Credential=%s/%s/%s/kinesis/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
        "Signature=%s" % (access_key, day, region, "0" * 64)
    )


def expected_hash_ranges(n):
    """AWS's even split of the 128-bit hash key space into n shards."""
    step = HASH_SPACE // n
    ranges = []
    for i in range(n):
        start = i * step
        end = MAX_HASH_KEY if i == n - 1 else (i + 1) * step - 1
        ranges.append((start, end))
    return ranges


class RawResponse(object):
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # http.client.HTTPMessage (case-insensitive)
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def _doc(self):
        try:
            doc = self.json()
        except ValueError:
            return {}
        return doc if isinstance(doc, dict) else {}

    @property
    def error_type(self):
        return self._doc().get("__type")

    @property
    def message(self):
        """``message``, or ``Message`` (SerializationException), or None."""
        doc = self._doc()
        return doc["message"] if "message" in doc else doc.get("Message")

    def __repr__(self):
        return "RawResponse(%d, %r, %r)" % (self.status, dict(self.headers), self.body[:2000])


class ServerStartError(RuntimeError):
    pass


class Server(object):
    """One kinesisd process on 127.0.0.1 with its own temp dir."""

    def __init__(self, extra_args=(), env=None, create_ms=200, delete_ms=200, update_ms=200,
                 shard_limit=None, initialize_streams=None, region=None, account_id=None,
                 data_dir=None):
        self.extra_args = list(extra_args)
        self.extra_env = dict(env or {})
        self.create_ms = create_ms
        self.delete_ms = delete_ms
        self.update_ms = update_ms
        self.shard_limit = shard_limit
        self.initialize_streams = initialize_streams
        self.region = region
        self.account_id = account_id
        self.tmp = tempfile.mkdtemp(prefix="kinesisd-e2e-")
        self.data_dir = data_dir or os.path.join(self.tmp, "data")
        self.port_file = os.path.join(self.tmp, "port")
        self.log_path = os.path.join(self.tmp, "server.log")
        self.proc = None
        self.port = None
        self._clients = {}
        self._log = None

    # -- lifecycle ---------------------------------------------------------
    def command(self):
        cmd = [BIN, "--listen", "127.0.0.1:0", "--port-file", self.port_file,
               "--data-dir", self.data_dir,
               "--create-stream-ms", str(self.create_ms),
               "--delete-stream-ms", str(self.delete_ms),
               "--update-stream-ms", str(self.update_ms),
               "--log-level", "warn"]
        if self.shard_limit is not None:
            cmd += ["--shard-limit", str(self.shard_limit)]
        if self.initialize_streams is not None:
            cmd += ["--initialize-streams", self.initialize_streams]
        if self.region is not None:
            cmd += ["--region", self.region]
        if self.account_id is not None:
            cmd += ["--account-id", self.account_id]
        return cmd + self.extra_args

    def start(self, timeout=20.0):
        if not os.path.exists(BIN):
            raise ServerStartError("kinesisd binary not found at %s (set KINESISD_BIN)" % BIN)
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("KINESISD_") and k != "INITIALIZE_STREAMS"}
        env.update(self.extra_env)
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, env=env, cwd=self.tmp)
        _LIVE_SERVERS.add(self)
        self._clients = {}
        deadline = time.monotonic() + timeout
        self.port = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerStartError("kinesisd exited with %s during start-up:\n%s"
                                       % (self.proc.returncode, self.log_tail()))
            if self.port is None:
                try:
                    with open(self.port_file) as f:
                        text = f.read().strip()
                    if text.isdigit() and 0 < int(text) < 65536:
                        self.port = int(text)
                except OSError:
                    pass
            if self.port is not None and self._healthy():
                return self
            time.sleep(0.02)
        self.stop()
        raise ServerStartError("kinesisd did not become healthy within %.0fs:\n%s"
                               % (timeout, self.log_tail()))

    def _healthy(self):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", "/health")
                resp = conn.getresponse()
                resp.read()
                return resp.status == 200
            finally:
                conn.close()
        except OSError:
            return False

    def _reap(self, sig, timeout):
        if self.proc is None:
            return None
        # Drop idle keep-alive connections first so a graceful stop need not wait on them.
        for client in self._clients.values():
            try:
                client.close()
            except Exception:
                pass
        self._clients = {}
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        rc = self.proc.returncode
        if self._log is not None:
            self._log.close()
            self._log = None
        _LIVE_SERVERS.discard(self)
        return rc

    def terminate(self, timeout=5.0):
        """SIGTERM, SIGKILL after ``timeout``; returns the exit code. Keeps the temp dir."""
        return self._reap(signal.SIGTERM, timeout)

    def kill9(self):
        """SIGKILL (simulated crash); keeps the data dir."""
        return self._reap(signal.SIGKILL, 10.0)

    def restart(self, timeout=20.0):
        """Stop gracefully if running, then start again on the same data dir."""
        self.terminate()
        return self.start(timeout=timeout)

    def stop(self):
        """Stop the process and delete the temp dir (unless KINESISD_E2E_KEEP=1)."""
        self.terminate()
        if os.environ.get("KINESISD_E2E_KEEP") != "1":
            shutil.rmtree(self.tmp, ignore_errors=True)

    def log_tail(self, n=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    # -- endpoints ---------------------------------------------------------
    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def https_url(self):
        return "https://127.0.0.1:%d" % self.port

    endpoint_url = url

    @property
    def cert_path(self):
        return os.path.join(self.data_dir, "tls", "cert.pem")

    @property
    def key_path(self):
        return os.path.join(self.data_dir, "tls", "key.pem")

    def client(self, region=DEFAULT_REGION, https=False):
        key = (region, https)
        if key not in self._clients:
            import boto3
            import botocore.config
            # total_max_attempts=1: no retries at all ({"max_attempts": 1} would still
            # allow one retry in botocore's legacy mode).
            cfg = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 1},
                                         connect_timeout=5, read_timeout=10)
            self._clients[key] = boto3.client(
                "kinesis", region_name=region,
                endpoint_url=self.https_url if https else self.url,
                aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="dummy-secret",
                verify=self.cert_path if https else None, config=cfg)
        return self._clients[key]

    # -- raw HTTP ----------------------------------------------------------
    def raw(self, target, body=None, headers=None, region=DEFAULT_REGION, method="POST",
            path="/", https=False, timeout=10):
        """Send one request with a fake (well-formed) SigV4 header.

        ``target``: an operation name (``"ListStreams"``), a full target
        (``"Foo.Bar"``) or None (no X-Amz-Target header). ``body``: dict/list
        (JSON-encoded), str, bytes or None. ``headers``: overrides; a value of
        None removes the default header.
        """
        if isinstance(body, (dict, list)):
            payload = json.dumps(body).encode("utf-8")
        elif isinstance(body, str):
            payload = body.encode("utf-8")
        elif body is None:
            payload = b"{}" if method == "POST" else b""
        else:
            payload = body
        date = amz_date()
        hdrs = {"Content-Type": JSON_CT, "X-Amz-Date": date,
                "Authorization": fake_authorization(region, date=date)}
        if target is not None:
            hdrs["X-Amz-Target"] = target if "." in target else TARGET_PREFIX + target
        for k, v in (headers or {}).items():
            for existing in [h for h in hdrs if h.lower() == k.lower()]:
                del hdrs[existing]
            if v is not None:
                hdrs[k] = v
        if https:
            ctx = ssl.create_default_context(cafile=self.cert_path)
            conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout, context=ctx)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=payload, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return RawResponse(resp.status, resp.reason, resp.msg, data)
        finally:
            conn.close()

    def call(self, op, body=None, region=DEFAULT_REGION):
        """Raw call that must succeed; returns the decoded JSON body."""
        resp = self.raw(op, body if body is not None else {}, region=region)
        if resp.status != 200:
            raise AssertionError("%s failed: %r" % (op, resp))
        return resp.json() if resp.body else {}


# -- stream helpers -----------------------------------------------------------

def wait_status(client, name, status="ACTIVE", timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"]
        except client.exceptions.LimitExceededException:  # 20/s per account: poll again, as SDKs retry
            last = "(throttled)"
        if last == status:
            return
        time.sleep(interval)
    raise AssertionError("stream %s still %s after %.1fs (wanted %s)" % (name, last, timeout, status))


def wait_gone(client, name, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            client.describe_stream_summary(StreamName=name)
        except client.exceptions.ResourceNotFoundException:
            return
        except client.exceptions.LimitExceededException:  # 20/s per account: poll again, as SDKs retry
            pass
        time.sleep(interval)
    raise AssertionError("stream %s still exists after %.1fs" % (name, timeout))


def create_active(client, name, shards=1, **kwargs):
    """Create a stream (``shards=None`` for ON_DEMAND) and wait until ACTIVE."""
    if shards is not None:
        kwargs.setdefault("ShardCount", shards)
    client.create_stream(StreamName=name, **kwargs)
    wait_status(client, name, "ACTIVE")
    return name


def list_all_shards(client, **kwargs):
    pages = client.get_paginator("list_shards").paginate(**kwargs)
    return [s for page in pages for s in page["Shards"]]


def parse_http_date(value):
    return email.utils.parsedate_to_datetime(value)


class ServerTestCase(unittest.TestCase):
    """Starts one server per test class; override ``server_kwargs``."""

    server_kwargs = {}
    server = None

    @classmethod
    def setUpClass(cls):
        super(ServerTestCase, cls).setUpClass()
        cls.server = Server(**cls.server_kwargs)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    @property
    def kinesis(self):
        return self.server.client()

    def new_name(self, prefix="e2e"):
        return unique_name(prefix)

    def assertAwsError(self, resp, error_type, message=None, status=400, message_prefix=None,
                       message_contains=None):
        """Check a RawResponse carries the AWS JSON error shape."""
        self.assertEqual(resp.status, status, resp)
        header = resp.headers.get("x-amzn-ErrorType")
        self.assertIsNotNone(header, "missing x-amzn-ErrorType header: %r" % (resp,))
        self.assertEqual(header.split(":")[0], error_type, resp)
        self.assertEqual(resp.error_type, error_type, resp)
        self.assertCommonHeaders(resp)
        if message is not None:
            self.assertEqual(resp.message, message, resp)
        if message_prefix is not None:
            self.assertIsNotNone(resp.message, resp)
            self.assertTrue(resp.message.startswith(message_prefix),
                            "message %r does not start with %r" % (resp.message, message_prefix))
        if message_contains is not None:
            self.assertIsNotNone(resp.message, resp)
            self.assertIn(message_contains, resp.message)

    def assertCommonHeaders(self, resp):
        for h in ("x-amzn-RequestId", "x-amz-id-2", "Date"):
            self.assertTrue(resp.headers.get(h), "missing %s header: %r" % (h, resp))

    def assertClientError(self, ctx, code, message=None):
        """For ``with self.assertRaises(ClientError) as ctx`` blocks."""
        err = ctx.exception.response["Error"]
        self.assertEqual(err["Code"], code, ctx.exception.response)
        if message is not None:
            self.assertEqual(err.get("Message"), message, ctx.exception.response)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("harness.py is a library; run the test_*.py files")
