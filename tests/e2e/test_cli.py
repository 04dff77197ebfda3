"""The AWS CLI (``aws kinesis ... --endpoint-url``) against kinesisd."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import DEFAULT_ACCOUNT, ServerTestCase, wait_gone, wait_status  # noqa: E402

AWS = shutil.which("aws")


@unittest.skipIf(AWS is None, "aws CLI not installed")
class AwsCliTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super(AwsCliTest, cls).setUpClass()
        cls.cfg_dir = tempfile.mkdtemp(prefix="kinesisd-e2e-aws-")
        cls.addClassCleanup(shutil.rmtree, cls.cfg_dir, True)
        for fname in ("config", "credentials"):
            open(os.path.join(cls.cfg_dir, fname), "w").close()

    def aws(self, *args, expect_rc=0):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "dummy-secret",
            "AWS_CONFIG_FILE": os.path.join(self.cfg_dir, "config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.cfg_dir, "credentials"),
            "AWS_PAGER": "",
            "AWS_EC2_METADATA_DISABLED": "true",
            "NO_PROXY": "127.0.0.1,localhost",
        })
        cmd = [AWS, "kinesis"] + list(args) + ["--endpoint-url", self.server.url,
                                                "--region", "us-east-1", "--output", "json"]
        proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(proc.returncode, expect_rc,
                         "%s\nstdout: %s\nstderr: %s" % (" ".join(cmd), proc.stdout, proc.stderr))
        out = proc.stdout.decode().strip()
        return (json.loads(out) if out else None), proc.stderr.decode()

    def test_full_lifecycle(self):
        name = self.new_name("cli")
        out, _ = self.aws("create-stream", "--stream-name", name, "--shard-count", "3")
        self.assertIsNone(out)  # CreateStream has an empty result
        k = self.kinesis
        wait_status(k, name, "ACTIVE")

        out, _ = self.aws("list-streams")
        self.assertIn(name, out["StreamNames"])
        self.assertIn(name, [s["StreamName"] for s in out.get("StreamSummaries", [])])

        out, _ = self.aws("describe-stream-summary", "--stream-name", name)
        summary = out["StreamDescriptionSummary"]
        self.assertEqual(summary["StreamName"], name)
        self.assertEqual(summary["StreamStatus"], "ACTIVE")
        self.assertEqual(summary["OpenShardCount"], 3)
        self.assertEqual(summary["StreamARN"],
                         "arn:aws:kinesis:us-east-1:%s:stream/%s" % (DEFAULT_ACCOUNT, name))

        out, _ = self.aws("list-shards", "--stream-name", name)
        self.assertEqual([s["ShardId"] for s in out["Shards"]],
                         ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"])
        self.assertEqual(out["Shards"][-1]["HashKeyRange"]["EndingHashKey"],
                         "340282366920938463463374607431768211455")

        out, _ = self.aws("delete-stream", "--stream-name", name)
        self.assertIsNone(out)
        wait_gone(k, name)
        out, _ = self.aws("list-streams")
        self.assertNotIn(name, out["StreamNames"])

    def test_error_exit_code_and_message(self):
        name = self.new_name("cli-missing")
        _, err = self.aws("describe-stream-summary", "--stream-name", name, expect_rc=254
                          if self._cli_major() >= 2 else 255)
        self.assertIn("ResourceNotFoundException", err)
        self.assertIn("Stream %s under account %s not found." % (name, DEFAULT_ACCOUNT), err)

    def test_list_shards_next_token(self):
        name = self.new_name("cli-page")
        k = self.kinesis
        k.create_stream(StreamName=name, ShardCount=5)
        wait_status(k, name, "ACTIVE")
        # --max-results / --next-token turn the CLI's own pagination off.
        out, _ = self.aws("list-shards", "--stream-name", name, "--max-results", "2")
        self.assertEqual([s["ShardId"] for s in out["Shards"]],
                         ["shardId-000000000000", "shardId-000000000001"])
        self.assertTrue(out.get("NextToken"))
        out, _ = self.aws("list-shards", "--next-token", out["NextToken"], "--max-results", "2")
        self.assertEqual([s["ShardId"] for s in out["Shards"]],
                         ["shardId-000000000002", "shardId-000000000003"])

    @staticmethod
    def _cli_major():
        proc = subprocess.run([AWS, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        text = proc.stdout.decode()
        try:
            return int(text.split("/")[1].split(".")[0])
        except (IndexError, ValueError):
            return 1


if __name__ == "__main__":
    unittest.main(verbosity=2)
