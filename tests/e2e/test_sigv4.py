"""SigV4 signature verification (--verify-signatures on --credentials AKID:SECRET,...) against real signers:
boto3 and the AWS CLI over HTTP/1.1 and HTTPS, the AWS SDK for JavaScript v3 over HTTP/2 (where the host is the
:authority pseudo-header), and hand-signed raw requests for the clock-skew errors."""

import datetime
import hashlib
import hmac
import http.client
import json
import os
import shutil
import subprocess
import sys
import time
import unittest

import boto3
import botocore.config
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import REPO, ServerTestCase, create_active  # noqa: E402

SECOND_KEY, SECOND_SECRET = "AKIDSECOND", "other/secret+with=odd chars"
OTHER_KEY, OTHER_SECRET, OTHER_ACCOUNT = "AKIDOTHERACCOUNT", "other-account-secret", "111122223333"
NODE = shutil.which("node")
JS_DIR = os.path.join(REPO, "tests", "js")


def sign(secret, access_key, method, host, body, target, when, region="us-east-1"):
    """A SigV4 Authorization for a Kinesis JSON request, computed here independently of botocore."""
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    headers = {"content-type": harness.JSON_CT, "host": host, "x-amz-date": amz_date, "x-amz-target": target}
    signed = ";".join(sorted(headers))
    canonical = "\n".join([method, "/", "", "".join("%s:%s\n" % (k, headers[k]) for k in sorted(headers)), signed,
                           hashlib.sha256(body).hexdigest()])
    scope = "%s/%s/kinesis/aws4_request" % (day, region)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (day, region, "kinesis", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        access_key, scope, signed, signature)
    return headers


class SigV4VerificationTest(ServerTestCase):
    server_kwargs = {"extra_args": ["--throughput-limits", "off", "--verify-signatures", "on", "--credentials",
                                    "AKIDEXAMPLE:dummy-secret,%s:%s" % (SECOND_KEY, SECOND_SECRET)]}

    def client_with(self, key, secret, https=False):
        cfg = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 1})
        return boto3.client("kinesis", region_name="us-east-1",
                            endpoint_url=self.server.https_url if https else self.server.url,
                            aws_access_key_id=key, aws_secret_access_key=secret,
                            verify=self.server.cert_path if https else None, config=cfg)

    def test_boto3_signatures_verify_over_http_and_https(self):
        c = self.kinesis  # the harness's AKIDEXAMPLE / dummy-secret, which the server knows
        name = self.new_name("signed")
        create_active(c, name, shards=1)
        put = c.put_record(StreamName=name, PartitionKey="k", Data=b"\x00signed\xff")
        it = c.get_shard_iterator(StreamName=name, ShardId=put["ShardId"], ShardIteratorType="TRIM_HORIZON")
        self.assertEqual([r["Data"] for r in c.get_records(ShardIterator=it["ShardIterator"])["Records"]],
                         [b"\x00signed\xff"])
        second = self.client_with(SECOND_KEY, SECOND_SECRET, https=True)
        self.assertIn(name, second.list_streams()["StreamNames"])

    def test_wrong_secret_and_unknown_key(self):
        with self.assertRaises(ClientError) as ctx:
            self.client_with("AKIDEXAMPLE", "not-the-secret").list_streams()
        self.assertClientError(ctx, "InvalidSignatureException",
                               "The request signature we calculated does not match the signature you provided. "
                               "Check your AWS Secret Access Key and signing method. Consult the service "
                               "documentation for details.")
        with self.assertRaises(ClientError) as ctx:
            self.client_with("AKIDUNKNOWN", "x").list_streams()
        self.assertClientError(ctx, "UnrecognizedClientException",
                               "The security token included in the request is invalid.")
        # A well-formed but fake signature (what the shape-only mode accepts) is refused.
        resp = self.server.raw("ListStreams", {})
        self.assertEqual((resp.status, resp.error_type), (400, "InvalidSignatureException"))

    def test_a_changed_body_breaks_the_signature(self):
        body = b'{"Limit": 5}'
        host = "127.0.0.1:%d" % self.server.port
        now = datetime.datetime.now(datetime.timezone.utc)
        headers = sign("dummy-secret", "AKIDEXAMPLE", "POST", host, body, "Kinesis_20131202.ListStreams", now)
        for payload, status in ((body, 200), (b'{"Limit": 6}', 400)):
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
            try:
                conn.request("POST", "/", body=payload, headers=headers)
                resp = conn.getresponse()
                data = json.loads(resp.read() or b"{}")
            finally:
                conn.close()
            self.assertEqual(resp.status, status, data)
            if status == 400:
                self.assertEqual(data["__type"], "InvalidSignatureException")

    def test_clock_skew(self):
        host = "127.0.0.1:%d" % self.server.port
        body = b"{}"
        for minutes, prefix in ((-10, "Signature expired: "), (10, "Signature not yet current: ")):
            when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
            headers = sign("dummy-secret", "AKIDEXAMPLE", "POST", host, body, "Kinesis_20131202.ListStreams", when)
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
            try:
                conn.request("POST", "/", body=body, headers=headers)
                resp = conn.getresponse()
                data = json.loads(resp.read())
            finally:
                conn.close()
            self.assertEqual((resp.status, data["__type"]), (400, "InvalidSignatureException"))
            self.assertTrue(data["message"].startswith(prefix + when.strftime("%Y%m%dT%H%M%SZ")), data)

    def test_aws_cli(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"AWS_ACCESS_KEY_ID": SECOND_KEY, "AWS_SECRET_ACCESS_KEY": SECOND_SECRET,
                    "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
                    "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
        cmd = ["aws", "--endpoint-url", self.server.url, "kinesis", "list-streams", "--output", "json"]
        ok = subprocess.run(cmd, env=env, capture_output=True, timeout=60)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertIn("StreamNames", json.loads(ok.stdout))
        env["AWS_SECRET_ACCESS_KEY"] = "wrong"
        bad = subprocess.run(cmd, env=env, capture_output=True, timeout=60)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn(b"InvalidSignatureException", bad.stderr)

    @unittest.skipIf(NODE is None or not os.path.isdir(os.path.join(JS_DIR, "node_modules")),
                     "node or tests/js/node_modules missing")
    def test_js_sdk_over_http2(self):
        script = r"""
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
const out = {};
for (const [label, secret] of [['good', process.env.SECRET], ['bad', 'wrong']]) {
  const c = new KinesisClient({ endpoint: process.env.ENDPOINT, region: 'us-east-1',
    credentials: { accessKeyId: process.env.AKID, secretAccessKey: secret }, maxAttempts: 1 });
  try { await c.send(new ListStreamsCommand({})); out[label] = 'ok'; }
  catch (e) { out[label] = e.name; }
  c.destroy();
}
console.log(JSON.stringify(out));
"""
        path = os.path.join(JS_DIR, "_sigv4_probe.mjs")
        with open(path, "w") as f:
            f.write(script)
        self.addCleanup(os.unlink, path)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"ENDPOINT": self.server.url, "AKID": SECOND_KEY, "SECRET": SECOND_SECRET,
                    "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED": "true"})
        proc = subprocess.run([NODE, path], cwd=JS_DIR, env=env, capture_output=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(json.loads(proc.stdout.decode().strip().splitlines()[-1]),
                         {"good": "ok", "bad": "InvalidSignatureException"})


class ResourcePolicyEnforcementTest(ServerTestCase):
    """With verified callers, resource policies apply: an explicit Deny wins, and a caller of another account
    (a key listed as AKID:SECRET:ACCOUNT) needs an Allow."""
    server_kwargs = {"extra_args": ["--throughput-limits", "off", "--verify-signatures", "on", "--credentials",
                                    "AKIDEXAMPLE:dummy-secret,%s:%s:%s" % (OTHER_KEY, OTHER_SECRET, OTHER_ACCOUNT)]}

    def other(self):
        cfg = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 1})
        return boto3.client("kinesis", region_name="us-east-1", endpoint_url=self.server.url,
                            aws_access_key_id=OTHER_KEY, aws_secret_access_key=OTHER_SECRET, config=cfg)

    def test_cross_account_needs_an_allow_and_deny_wins(self):
        c, o = self.kinesis, self.other()
        name = self.new_name("pol")
        create_active(c, name, shards=1)
        arn = c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        with self.assertRaises(ClientError) as ctx:
            o.put_record(StreamARN=arn, PartitionKey="k", Data=b"x")
        self.assertClientError(ctx, "AccessDeniedException",
                               "User: arn:aws:iam::%s:root is not authorized to perform: kinesis:PutRecord on "
                               "resource: %s because no resource-based policy allows the kinesis:PutRecord action"
                               % (OTHER_ACCOUNT, arn))
        c.put_resource_policy(ResourceARN=arn, Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % OTHER_ACCOUNT},
                 "Action": ["kinesis:PutRecord", "kinesis:DescribeStreamSummary"], "Resource": arn},
                {"Effect": "Deny", "Principal": {"AWS": "000000000000"}, "Action": "kinesis:DeleteStream",
                 "Resource": "*"}]}))
        put = o.put_record(StreamARN=arn, PartitionKey="k", Data=b"from another account")
        self.assertEqual(put["ShardId"], "shardId-000000000000")
        with self.assertRaises(ClientError) as ctx:  # allowed to write, not to read
            o.get_shard_iterator(StreamARN=arn, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")
        self.assertClientError(ctx, "AccessDeniedException")
        # The owner reads as before, but its own policy denies it DeleteStream.
        it = c.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")
        self.assertEqual([r["Data"] for r in c.get_records(ShardIterator=it["ShardIterator"])["Records"]],
                         [b"from another account"])
        with self.assertRaises(ClientError) as ctx:
            c.delete_stream(StreamName=name)
        self.assertClientError(ctx, "AccessDeniedException",
                               "User: arn:aws:iam::000000000000:root is not authorized to perform: "
                               "kinesis:DeleteStream on resource: %s with an explicit deny in a resource-based "
                               "policy" % arn)
        c.delete_resource_policy(ResourceARN=arn)
        c.delete_stream(StreamName=name)

    def test_consumer_policy_lets_another_account_subscribe(self):
        c, o = self.kinesis, self.other()
        name = self.new_name("polc")
        create_active(c, name, shards=1)
        arn = c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        consumer = c.register_stream_consumer(StreamARN=arn, ConsumerName="shared")["Consumer"]["ConsumerARN"]
        for _ in range(100):
            if c.describe_stream_consumer(ConsumerARN=consumer)["ConsumerDescription"]["ConsumerStatus"] == "ACTIVE":
                break
            time.sleep(0.05)
        with self.assertRaises(ClientError) as ctx:
            o.describe_stream_consumer(ConsumerARN=consumer)
        self.assertClientError(ctx, "AccessDeniedException")
        c.put_resource_policy(ResourceARN=consumer, Policy=json.dumps({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT},
             "Action": ["kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard"], "Resource": consumer}]}))
        self.assertEqual(o.describe_stream_consumer(ConsumerARN=consumer)["ConsumerDescription"]["ConsumerName"],
                         "shared")
        c.put_record(StreamName=name, PartitionKey="k", Data=b"fanned out")
        out = o.subscribe_to_shard(ConsumerARN=consumer, ShardId="shardId-000000000000",
                                   StartingPosition={"Type": "TRIM_HORIZON"})
        try:
            for event in out["EventStream"]:
                records = event["SubscribeToShardEvent"]["Records"]
                self.assertEqual([r["Data"] for r in records], [b"fanned out"])
                break
        finally:
            out["EventStream"].close()


class SigV4ConfigurationTest(unittest.TestCase):
    def test_verification_needs_credentials(self):
        proc = subprocess.run([harness.BIN, "--verify-signatures", "on", "--listen", "127.0.0.1:0"],
                              capture_output=True, timeout=30)
        self.assertEqual(proc.returncode, 2)
        self.assertIn(b"--credentials", proc.stderr)
        proc = subprocess.run([harness.BIN, "--credentials", "no-colon", "--listen", "127.0.0.1:0"],
                              capture_output=True, timeout=30)
        self.assertEqual(proc.returncode, 2)


if __name__ == "__main__":
    unittest.main()
