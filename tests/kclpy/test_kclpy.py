"""The Python KCL (amazon-kclpy and its MultiLangDaemon, KCL 3.x on java) consuming a kinesisd stream.

Each test starts, on 127.0.0.1: kinesisd with its default settings (AWS limits on), a moto server as the
DynamoDB that holds the KCL's lease table, and the MultiLangDaemon running record_processor.py. It puts records
before and while the KCL consumes, waits until the processor has seen every one of them byte for byte, and then
checks that the lease table in moto holds, for every shard, a checkpoint at that shard's last record.
``FanOut`` uses the KCL's default retrieval (enhanced fan-out: RegisterStreamConsumer + SubscribeToShard over
HTTP/2) against kinesisd's https:// endpoint, its certificate in a Java trust store; ``Polling`` uses GetRecords
over http://. Every process started here is stopped by its PID, also on failure.
"""

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))

from harness import Server, create_active  # noqa: E402

import boto3  # noqa: E402
from amazon_kclpy import kcl as _kcl  # noqa: E402  (fails loudly when amazon-kclpy is missing)

JAVA = shutil.which("java")
JARS = os.path.join(os.path.dirname(os.path.abspath(_kcl.__file__)), "jars")
REGION = "us-east-1"
CREDS = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "dummy-secret"}
DEADLINE_S = 90


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and not k.startswith("KINESISD_") and not k.startswith("JAVA_TOOL")}
    env.update(CREDS)
    env.update({"AWS_REGION": REGION, "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
    env.update(extra)
    return env


class Process(object):
    """A child process with its output in a file; stop() signals its PID (then its process group)."""

    def __init__(self, cmd, log_path, env, cwd):
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
                                     env=env, cwd=cwd, start_new_session=True)

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=15):
        if self.alive():
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        try:  # record processors the daemon started share its session's process group
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._log.close()

    def tail(self, n=6000):
        with open(self.log_path, "rb") as f:
            return f.read()[-n:].decode("utf-8", "replace")


class KclTestBase(object):
    retrieval_mode = None  # FANOUT or POLLING
    https = False  # the daemon's Kinesis endpoint: https:// (kinesisd's certificate in a Java trust store) or http://

    def setUp(self):
        self.assertIsNotNone(JAVA, "java is not installed (the MultiLangDaemon needs it): run scripts/deps")
        self.assertTrue(any(n.startswith("amazon-kinesis-client-multilang-") for n in os.listdir(JARS)),
                        "amazon-kclpy was installed without its MultiLangDaemon jars in %s" % JARS)
        self.tmp = tempfile.mkdtemp(prefix="kinesisd-kclpy-")
        if os.environ.get("KINESISD_E2E_KEEP") != "1":
            self.addCleanup(shutil.rmtree, self.tmp, True)
        self.server = Server(create_ms=500, delete_ms=500, update_ms=500)  # kinesisd's defaults
        self.addCleanup(self.server.stop)
        self.server.start()
        self.kinesis = self.server.client()
        self.start_moto()

    def start_moto(self, attempts=3):
        """moto's server on a free port; another port when that one was taken before moto bound it."""
        for attempt in range(attempts):
            self.ddb_port = free_port()
            self.moto = Process([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.ddb_port)],
                                os.path.join(self.tmp, "moto.log"), clean_env(), self.tmp)
            self.addCleanup(self.moto.stop)
            self.dynamodb = boto3.client("dynamodb", endpoint_url="http://127.0.0.1:%d" % self.ddb_port,
                                         region_name=REGION, aws_access_key_id=CREDS["AWS_ACCESS_KEY_ID"],
                                         aws_secret_access_key=CREDS["AWS_SECRET_ACCESS_KEY"])
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and self.moto.alive():
                try:
                    self.dynamodb.list_tables()
                    return
                except Exception:
                    time.sleep(0.2)
            self.moto.stop()
        self.fail("moto server did not answer ListTables:\n" + self.moto.tail())

    def wait_for(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.2)
        self.fail("no %s within %ds\n--- MultiLangDaemon log ---\n%s\n--- kinesisd log ---\n%s"
                  % (what, timeout, self.daemon.tail() if getattr(self, "daemon", None) else "",
                     self.server.log_tail()))

    def write_properties(self, stream, app):
        props = {
            "executableName": "%s %s" % (sys.executable, os.path.join(HERE, "record_processor.py")),
            "streamName": stream,
            "applicationName": app,
            "AwsCredentialsProvider": "DefaultCredentialsProvider",
            "processingLanguage": "python/3",
            "initialPositionInStream": "TRIM_HORIZON",
            "regionName": REGION,
            "kinesisEndpoint": self.server.https_url if self.https else self.server.url,
            "dynamoDBEndpoint": "http://127.0.0.1:%d" % self.ddb_port,
            "metricsLevel": "NONE",  # no CloudWatch here
            "retrievalMode": self.retrieval_mode,
            # Short timings so a lease is taken and records flow within seconds.
            "failoverTimeMillis": "2000",
            "leaseAssignmentIntervalMillis": "1000",
            "shardSyncIntervalMillis": "1000",
            "parentShardPollIntervalMillis": "1000",
            "idleTimeBetweenReadsInMillis": "250",  # AWS's 5 GetRecords calls per second and shard
            "taskBackoffTimeMillis": "250",
            "schedulerInitializationBackoffTimeMillis": "500",
            "listShardsBackoffTimeInMillis": "250",
            "workerMetricsReporterFreqInMillis": "1000",
        }
        path = os.path.join(self.tmp, "kcl.properties")
        with open(path, "w") as f:
            for k, v in props.items():
                f.write("%s = %s\n" % (k, v))
        return path

    def java_trust_options(self):
        """A PKCS#12 trust store holding only kinesisd's certificate, as JVM options."""
        keytool = shutil.which("keytool") or os.path.join(os.path.dirname(os.path.realpath(JAVA)), "keytool")
        store = os.path.join(self.tmp, "truststore.p12")
        subprocess.run([keytool, "-importcert", "-noprompt", "-alias", "kinesisd", "-file", self.server.cert_path,
                        "-keystore", store, "-storetype", "PKCS12", "-storepass", "changeit"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, timeout=60)
        return ["-Djavax.net.ssl.trustStore=" + store, "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-Djavax.net.ssl.trustStorePassword=changeit"]

    def start_daemon(self, properties):
        jars = sorted(os.path.join(JARS, n) for n in os.listdir(JARS) if n.endswith(".jar"))
        cmd = [JAVA] + (self.java_trust_options() if self.https else []) + [
            "-cp", ":".join(jars + [self.tmp]), "software.amazon.kinesis.multilang.MultiLangDaemon",
            "--properties-file", properties]
        self.out_path = os.path.join(self.tmp, "processor.jsonl")
        open(self.out_path, "w").close()
        self.daemon = Process(cmd, os.path.join(self.tmp, "daemon.log"),
                              clean_env(KCLPY_TEST_OUT=self.out_path, PYTHONDONTWRITEBYTECODE="1"), self.tmp)
        self.addCleanup(self.daemon.stop)

    def events(self):
        with open(self.out_path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.endswith("\n")]

    def put(self, stream, i):
        data = ("kclpy-%d:" % i).encode() + bytes(range(256)) + uuid.uuid4().bytes
        out = self.kinesis.put_record(StreamName=stream, PartitionKey="key-%d" % i, Data=data)
        return out["SequenceNumber"], {"shard": out["ShardId"], "key": "key-%d" % i, "data": data}

    def test_every_record_seen_and_checkpointed(self):
        stream = "kclpy-%s" % uuid.uuid4().hex[:8]
        app = "kclpy-app-%s" % uuid.uuid4().hex[:8]
        create_active(self.kinesis, stream, shards=2)
        sent = dict(self.put(stream, i) for i in range(20))  # before the KCL starts: read from TRIM_HORIZON
        self.start_daemon(self.write_properties(stream, app))

        def seen():
            if not self.daemon.alive():
                self.fail("MultiLangDaemon exited (%s):\n%s" % (self.daemon.proc.returncode, self.daemon.tail()))
            return {e["seq"] for e in self.events() if e["event"] == "record"}
        self.wait_for(lambda: len(seen() & set(sent)) >= 1, DEADLINE_S, "first record through the KCL")
        sent.update(self.put(stream, i) for i in range(20, 40))  # while the KCL consumes
        self.wait_for(lambda: set(sent) <= seen(), DEADLINE_S, "all %d records through the KCL" % len(sent))

        events = self.events()
        crashes = [e for e in events if e["event"] in ("crash", "checkpoint_error")]
        self.assertEqual(crashes, [], "record processor errors")
        delivered = {}  # shard -> sequence numbers in delivery order
        for e in (e for e in events if e["event"] == "record"):
            delivered.setdefault(e["shard"], []).append(int(e["seq"]))
            want = sent.get(e["seq"])
            self.assertIsNotNone(want, "the KCL delivered a record that was never put: %r" % e)
            self.assertEqual(e["shard"], want["shard"], e)
            self.assertEqual(e["key"], want["key"], e)
            self.assertEqual(base64.b64decode(e["data"]), want["data"], e)

        for shard, seqs in delivered.items():  # one worker, no lease moves: each record once, in order
            self.assertEqual(seqs, sorted(set(seqs)), "shard %s delivered out of order or twice" % shard)

        last = {}
        for seq, rec in sent.items():
            if rec["shard"] not in last or int(seq) > int(last[rec["shard"]]):
                last[rec["shard"]] = seq
        self.assertEqual(len(last), 2, "records went to one shard only: %r" % last)

        # Fan-out: the KCL registered a consumer named after the application (and so read by SubscribeToShard,
        # never GetRecords); polling: none.
        arn = self.kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
        consumers = {c["ConsumerName"]: c["ConsumerStatus"]
                     for c in self.kinesis.list_stream_consumers(StreamARN=arn)["Consumers"]}
        self.assertEqual(consumers, {app: "ACTIVE"} if self.retrieval_mode == "FANOUT" else {})

        def checkpoints():
            items = self.dynamodb.scan(TableName=app, ConsistentRead=True)["Items"]
            return {i["leaseKey"]["S"]: i.get("checkpoint", {}).get("S") for i in items}
        self.wait_for(lambda: all(checkpoints().get(s) == q for s, q in last.items()), 30,
                      "lease table checkpoints %r (have %r)" % (last, checkpoints()))


class FanOut(KclTestBase, unittest.TestCase):
    retrieval_mode = "FANOUT"
    https = True  # SubscribeToShard over HTTP/2 negotiated by ALPN


class Polling(KclTestBase, unittest.TestCase):
    retrieval_mode = "POLLING"


if __name__ == "__main__":
    unittest.main(verbosity=2)
