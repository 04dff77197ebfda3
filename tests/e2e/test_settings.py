"""Stream settings and account operations: retention, enhanced monitoring, stream mode, max record size,
warm throughput, DescribeLimits, account settings; their errors, UPDATING -> ACTIVE, effects and durability."""

import datetime
import os
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (DEFAULT_ACCOUNT, ServerTestCase, create_active, wait_gone,  # noqa: E402
                     wait_status)

ALL_METRICS = ["IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
               "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded",
               "IteratorAgeMilliseconds"]
DAY_MS = 24 * 3600 * 1000


def not_active(name, state):
    return "Stream %s under account %s not ACTIVE, instead in state %s" % (name, DEFAULT_ACCOUNT, state)


def not_found(name):
    return "Stream %s under account %s not found." % (name, DEFAULT_ACCOUNT)


class SettingsTestCase(ServerTestCase):
    server_kwargs = {"create_ms": 300, "update_ms": 400}

    def summary(self, name):
        return self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]

    def arn(self, name):
        return self.summary(name)["StreamARN"]

    def call(self, op, body):
        return self.server.call(op, body)

    def error(self, op, body, error_type, message=None, **kw):
        self.assertAwsError(self.server.raw(op, body), error_type, message, **kw)

    def assertUpdatingThenActive(self, name):
        self.assertEqual(self.summary(name)["StreamStatus"], "UPDATING")
        wait_status(self.kinesis, name, "ACTIVE")


class RetentionTest(SettingsTestCase):

    def test_increase_and_decrease(self):
        name = create_active(self.kinesis, self.new_name("ret"))
        self.assertEqual(self.summary(name)["RetentionPeriodHours"], 24)
        self.kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
        self.assertUpdatingThenActive(name)
        self.assertEqual(self.summary(name)["RetentionPeriodHours"], 48)
        desc = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(desc["RetentionPeriodHours"], 48)
        # By ARN, up to the maximum.
        self.kinesis.increase_stream_retention_period(StreamARN=self.arn(name), RetentionPeriodHours=8760)
        self.assertUpdatingThenActive(name)
        self.kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
        self.assertUpdatingThenActive(name)
        self.assertEqual(self.summary(name)["RetentionPeriodHours"], 24)

    def test_same_value_is_accepted_and_changes_nothing(self):
        # AWS accepts it (terraform-provider-aws calls IncreaseStreamRetentionPeriod with 24 on every new stream).
        name = create_active(self.kinesis, self.new_name("ret"))
        self.kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
        self.kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
        self.assertEqual(self.summary(name)["StreamStatus"], "ACTIVE")

    def test_errors(self):
        name = create_active(self.kinesis, self.new_name("ret"))
        for op in ("IncreaseStreamRetentionPeriod", "DecreaseStreamRetentionPeriod"):
            self.error(op, {"StreamName": name, "RetentionPeriodHours": 23}, "InvalidArgumentException",
                       "Minimum allowed retention period is 24 hours. "
                       "Requested retention period (23 hours) is too short.")
            self.error(op, {"StreamName": name, "RetentionPeriodHours": 8761}, "InvalidArgumentException",
                       "Maximum allowed retention period is 8760 hours. "
                       "Requested retention period (8761 hours) is too long.")
            missing = self.new_name("missing")
            self.error(op, {"StreamName": missing, "RetentionPeriodHours": 48}, "ResourceNotFoundException",
                       not_found(missing))
            self.error(op, {"StreamName": name}, "ValidationException")
        self.error("DecreaseStreamRetentionPeriod", {"StreamName": name, "RetentionPeriodHours": 25},
                   "InvalidArgumentException",
                   "Requested retention period (25 hours) for stream %s can not be longer than existing "
                   "retention period (24 hours). Use IncreaseRetentionPeriod API." % name)
        self.call("IncreaseStreamRetentionPeriod", {"StreamName": name, "RetentionPeriodHours": 30})
        self.error("IncreaseStreamRetentionPeriod", {"StreamName": name, "RetentionPeriodHours": 40},
                   "ResourceInUseException", not_active(name, "UPDATING"))
        wait_status(self.kinesis, name, "ACTIVE")
        self.error("IncreaseStreamRetentionPeriod", {"StreamName": name, "RetentionPeriodHours": 25},
                   "InvalidArgumentException",
                   "Requested retention period (25 hours) for stream %s can not be shorter than existing "
                   "retention period (30 hours). Use DecreaseRetentionPeriod API." % name)
        self.assertEqual(self.summary(name)["RetentionPeriodHours"], 30)

    def test_not_active_while_creating(self):
        name = self.new_name("ret")
        self.kinesis.create_stream(StreamName=name, ShardCount=1)
        self.error("IncreaseStreamRetentionPeriod", {"StreamName": name, "RetentionPeriodHours": 48},
                   "ResourceInUseException", not_active(name, "CREATING"))


class MonitoringTest(SettingsTestCase):

    def test_enable_disable(self):
        k = self.kinesis
        name = create_active(k, self.new_name("mon"))
        out = k.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
        self.assertEqual(out["StreamName"], name)
        self.assertEqual(out["StreamARN"], self.arn(name))
        self.assertEqual(out["CurrentShardLevelMetrics"], [])
        self.assertEqual(out["DesiredShardLevelMetrics"], ["IncomingBytes"])
        self.assertUpdatingThenActive(name)
        desc = k.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(desc["EnhancedMonitoring"], [{"ShardLevelMetrics": ["IncomingBytes"]}])

        out = k.enable_enhanced_monitoring(StreamARN=self.arn(name), ShardLevelMetrics=["ALL"])
        self.assertEqual(out["CurrentShardLevelMetrics"], ["IncomingBytes"])
        self.assertEqual(out["DesiredShardLevelMetrics"], ALL_METRICS)
        wait_status(k, name, "ACTIVE")
        self.assertEqual(self.summary(name)["EnhancedMonitoring"], [{"ShardLevelMetrics": ALL_METRICS}])

        out = k.disable_enhanced_monitoring(StreamName=name,
                                            ShardLevelMetrics=["OutgoingBytes", "IncomingBytes"])
        self.assertEqual(out["CurrentShardLevelMetrics"], ALL_METRICS)
        rest = [m for m in ALL_METRICS if m not in ("OutgoingBytes", "IncomingBytes")]
        self.assertEqual(out["DesiredShardLevelMetrics"], rest)
        self.assertUpdatingThenActive(name)

        out = k.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
        self.assertEqual((out["CurrentShardLevelMetrics"], out["DesiredShardLevelMetrics"]), (rest, []))
        wait_status(k, name, "ACTIVE")
        self.assertEqual(self.summary(name)["EnhancedMonitoring"], [{"ShardLevelMetrics": []}])
        # Disabling what is off changes nothing.
        out = k.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingRecords"])
        self.assertEqual((out["CurrentShardLevelMetrics"], out["DesiredShardLevelMetrics"]), ([], []))
        self.assertEqual(self.summary(name)["StreamStatus"], "ACTIVE")

    def test_errors(self):
        name = create_active(self.kinesis, self.new_name("mon"))
        for op in ("EnableEnhancedMonitoring", "DisableEnhancedMonitoring"):
            missing = self.new_name("missing")
            self.error(op, {"StreamName": missing, "ShardLevelMetrics": ["ALL"]}, "ResourceNotFoundException",
                       not_found(missing))
            self.error(op, {"StreamName": name, "ShardLevelMetrics": ["Bogus"]}, "ValidationException")
            self.error(op, {"StreamName": name, "ShardLevelMetrics": []}, "ValidationException")
            self.error(op, {"ShardLevelMetrics": ["ALL"]}, "InvalidArgumentException")
        self.call("EnableEnhancedMonitoring", {"StreamName": name, "ShardLevelMetrics": ["OutgoingRecords"]})
        self.error("DisableEnhancedMonitoring", {"StreamName": name, "ShardLevelMetrics": ["ALL"]},
                   "ResourceInUseException", not_active(name, "UPDATING"))


class ModeAndLimitsTest(SettingsTestCase):
    # Counts, not rates: DescribeLimits is called far more often than its 1/s.
    server_kwargs = {"create_ms": 300, "update_ms": 400, "delete_ms": 1000, "shard_limit": 6,
                     "extra_args": ["--throughput-limits", "off"]}

    def limits(self, region="us-east-1"):
        """(ShardLimit, OpenShardCount, OnDemandStreamCount, OnDemandStreamCountLimit), the counts relative to
        what the region had when the test started (other tests of the class share the server)."""
        out = self.server.client(region=region).describe_limits()
        base = self.base.get(region, (0, 0))
        return (out["ShardLimit"], out["OpenShardCount"] - base[0], out["OnDemandStreamCount"] - base[1],
                out["OnDemandStreamCountLimit"])

    def setUp(self):
        self.base = {}
        for region in ("us-east-1", "us-west-2"):
            out = self.server.client(region=region).describe_limits()
            self.base[region] = (out["OpenShardCount"], out["OnDemandStreamCount"])

    def test_mode_switch_limits_and_counts(self):
        k = self.kinesis
        self.assertEqual(self.limits(), (6, 0, 0, 50))
        a = create_active(k, self.new_name("mode"), 4)
        self.assertEqual(self.limits(), (6, 4, 0, 50))
        b = create_active(k, self.new_name("mode"), None, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.assertEqual(self.limits(), (6, 4, 1, 50))
        self.assertEqual(self.limits("us-west-2"), (6, 0, 0, 50))

        # B has 4 shards: as PROVISIONED it would take the account to 8 > 6.
        resp = self.server.raw("UpdateStreamMode", {"StreamARN": self.arn(b),
                                                    "StreamModeDetails": {"StreamMode": "PROVISIONED"}})
        self.assertAwsError(resp, "LimitExceededException", message_prefix=(
            "This request would exceed the shard limit for the account %s in us-east-1. Current shard count "
            "for the account: %d. Limit: 6. Number of additional shards that would have resulted from this "
            "request: 4." % (DEFAULT_ACCOUNT, 4 + self.base["us-east-1"][0])))

        k.update_stream_mode(StreamARN=self.arn(a), StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.assertUpdatingThenActive(a)
        self.assertEqual(self.summary(a)["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})
        self.assertEqual(self.summary(a)["OpenShardCount"], 4)  # the shards stay as they are
        self.assertEqual(self.limits(), (6, 0, 2, 50))
        summaries = {s["StreamName"]: s for s in k.list_streams()["StreamSummaries"]}
        self.assertEqual(summaries[a]["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})

        k.update_stream_mode(StreamARN=self.arn(b), StreamModeDetails={"StreamMode": "PROVISIONED"})
        self.assertUpdatingThenActive(b)
        self.assertEqual(self.limits(), (6, 4, 1, 50))
        # The same mode again: accepted, nothing changes.
        k.update_stream_mode(StreamARN=self.arn(b), StreamModeDetails={"StreamMode": "PROVISIONED"})
        self.assertEqual(self.summary(b)["StreamStatus"], "ACTIVE")

        k.delete_stream(StreamName=b)
        self.error("UpdateStreamMode", {"StreamARN": self.arn(b), "StreamModeDetails": {"StreamMode": "ON_DEMAND"}},
                   "ResourceInUseException", not_active(b, "DELETING"))
        wait_gone(k, b)
        self.assertEqual(self.limits(), (6, 0, 1, 50))

    def test_mode_errors(self):
        name = create_active(self.kinesis, self.new_name("mode"), 1)
        arn = self.arn(name)
        self.error("UpdateStreamMode", {"StreamARN": arn, "StreamModeDetails": {"StreamMode": "PROVISIONED"},
                                        "WarmThroughputMiBps": 10}, "InvalidArgumentException",
                   "WarmThroughputMiBps can only be specified for a stream in ON_DEMAND mode.")
        self.error("UpdateStreamMode", {"StreamARN": arn, "StreamModeDetails": {"StreamMode": "FAST"}},
                   "ValidationException")
        self.error("UpdateStreamMode", {"StreamModeDetails": {"StreamMode": "ON_DEMAND"}}, "ValidationException")
        other = arn.replace("us-east-1", "eu-west-1")
        self.error("UpdateStreamMode", {"StreamARN": other, "StreamModeDetails": {"StreamMode": "ON_DEMAND"}},
                   "ResourceNotFoundException", not_found(name))
        self.call("UpdateStreamMode", {"StreamARN": arn, "StreamModeDetails": {"StreamMode": "ON_DEMAND"}})
        self.error("UpdateStreamMode", {"StreamARN": arn, "StreamModeDetails": {"StreamMode": "PROVISIONED"}},
                   "ResourceInUseException", not_active(name, "UPDATING"))
        # AWS allows two capacity-mode switches per rolling 24 hours; the refused call above did not count.
        self.assertUpdatingThenActive(name)
        self.call("UpdateStreamMode", {"StreamARN": arn, "StreamModeDetails": {"StreamMode": "PROVISIONED"}})
        self.assertUpdatingThenActive(name)
        resp = self.server.raw("UpdateStreamMode", {"StreamARN": arn, "StreamModeDetails": {"StreamMode": "ON_DEMAND"}})
        self.assertAwsError(resp, "LimitExceededException", message_contains="twice in the last 24 hours")


class RecordSizeAndWarmThroughputTest(SettingsTestCase):
    server_kwargs = {"create_ms": 300, "update_ms": 400, "extra_args": ["--throughput-limits", "off"]}

    def test_max_record_size_takes_effect(self):
        k = self.kinesis
        name = create_active(k, self.new_name("size"))
        big = os.urandom(1024 * 1024)  # with the partition key, one byte over 1024 KiB
        self.error("PutRecord", {"StreamName": name, "PartitionKey": "k", "Data": _b64(big)},
                   "InvalidArgumentException", message_contains="exceeds the maximum record size")
        self.error("UpdateMaxRecordSize", {"StreamARN": self.arn(name), "MaxRecordSizeInKiB": 1023},
                   "ValidationException")
        self.error("UpdateMaxRecordSize", {"StreamARN": self.arn(name), "MaxRecordSizeInKiB": 10241},
                   "ValidationException")
        k.update_max_record_size(StreamARN=self.arn(name), MaxRecordSizeInKiB=2048)
        self.error("UpdateMaxRecordSize", {"StreamARN": self.arn(name), "MaxRecordSizeInKiB": 4096},
                   "ResourceInUseException", not_active(name, "UPDATING"))
        wait_status(k, name, "ACTIVE")
        self.assertEqual(self.summary(name)["MaxRecordSizeInKiB"], 2048)
        k.put_record(StreamName=name, PartitionKey="k", Data=big)
        it = k.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        self.assertEqual([r["Data"] for r in k.get_records(ShardIterator=it)["Records"]], [big])
        missing = self.new_name("missing")
        self.error("UpdateMaxRecordSize", {"StreamName": missing, "MaxRecordSizeInKiB": 2048},
                   "ResourceNotFoundException", not_found(missing))

    def test_account_settings_and_warm_throughput(self):
        k = self.kinesis
        self.assertEqual(k.describe_account_settings()["MinimumThroughputBillingCommitment"],
                         {"Status": "DISABLED"})
        od = create_active(k, self.new_name("warm"), None, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        prov = create_active(k, self.new_name("warm"), 1)
        self.error("UpdateStreamWarmThroughput", {"StreamName": prov, "WarmThroughputMiBps": 100},
                   "InvalidArgumentException",
                   "WarmThroughputMiBps can only be specified for a stream in ON_DEMAND mode.")
        self.error("UpdateStreamWarmThroughput", {"StreamName": od, "WarmThroughputMiBps": 100},
                   "InvalidArgumentException", message_contains="MinimumThroughputBillingCommitment")
        self.error("UpdateStreamWarmThroughput", {"StreamName": od, "WarmThroughputMiBps": -1},
                   "ValidationException")

        before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=2)
        out = k.update_account_settings(MinimumThroughputBillingCommitment={"Status": "ENABLED"})
        c = out["MinimumThroughputBillingCommitment"]
        self.assertEqual(c["Status"], "ENABLED")
        self.assertGreaterEqual(c["StartedAt"], before)
        self.assertAlmostEqual((c["EarliestAllowedEndAt"] - c["StartedAt"]).total_seconds(), DAY_MS / 1000,
                               delta=0.01)
        self.assertEqual(k.describe_account_settings()["MinimumThroughputBillingCommitment"], c)

        out = k.update_stream_warm_throughput(StreamName=od, WarmThroughputMiBps=100)
        self.assertEqual(out, {"StreamARN": self.arn(od), "StreamName": od,
                               "WarmThroughput": {"TargetMiBps": 100, "CurrentMiBps": 0},
                               "ResponseMetadata": out["ResponseMetadata"]})
        self.assertUpdatingThenActive(od)
        self.assertEqual(self.summary(od)["WarmThroughput"], {"TargetMiBps": 100, "CurrentMiBps": 100})
        out = k.update_stream_warm_throughput(StreamARN=self.arn(od), WarmThroughputMiBps=200)
        self.assertEqual(out["WarmThroughput"], {"TargetMiBps": 200, "CurrentMiBps": 100})
        wait_status(k, od, "ACTIVE")
        self.error("UpdateStreamWarmThroughput", {"StreamName": od, "WarmThroughputMiBps": 10241},
                   "LimitExceededException")
        # Switching to PROVISIONED drops warm throughput.
        k.update_stream_mode(StreamARN=self.arn(od), StreamModeDetails={"StreamMode": "PROVISIONED"})
        self.assertNotIn("WarmThroughput", self.summary(od))

        # Disabling inside the 24 h minimum only schedules the end; enabling again cancels it.
        out = k.update_account_settings(MinimumThroughputBillingCommitment={"Status": "DISABLED"})
        pending = out["MinimumThroughputBillingCommitment"]
        self.assertEqual(pending["Status"], "ENABLED_UNTIL_EARLIEST_ALLOWED_END")
        self.assertEqual(pending["EarliestAllowedEndAt"], c["EarliestAllowedEndAt"])
        self.assertNotIn("EndedAt", pending)
        self.assertEqual(k.describe_account_settings()["MinimumThroughputBillingCommitment"], pending)
        out = k.update_account_settings(MinimumThroughputBillingCommitment={"Status": "ENABLED"})
        self.assertEqual(out["MinimumThroughputBillingCommitment"], c)
        self.error("UpdateAccountSettings", {}, "ValidationException")
        self.error("UpdateAccountSettings", {"MinimumThroughputBillingCommitment": {
            "Status": "ENABLED_UNTIL_EARLIEST_ALLOWED_END"}}, "ValidationException")
        # Account settings are per region.
        west = self.server.client(region="us-west-2")
        self.assertEqual(west.describe_account_settings()["MinimumThroughputBillingCommitment"],
                         {"Status": "DISABLED"})


class DurabilityTest(SettingsTestCase):
    server_kwargs = {"create_ms": 0, "update_ms": 2000, "extra_args": ["--retention-check-ms", "100"]}

    def test_settings_survive_kill9_and_retention_is_honoured(self):
        srv, k = self.server, self.kinesis
        name = create_active(k, self.new_name("dur"), 1)
        k.put_record(StreamName=name, PartitionKey="k", Data=b"old record")
        k.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
        srv.kill9()
        # Make the record 30 hours old: inside 48 h, outside 24 h.
        _age_only_record(srv.data_dir, name, 30 * 3600 * 1000)
        srv.start()
        k = self.kinesis
        s = self.summary(name)
        self.assertEqual((s["RetentionPeriodHours"], s["StreamStatus"]), (48, "UPDATING"))
        srv.kill9()
        srv.update_ms = 300  # for the changes below; the one above stays UPDATING until its own deadline
        srv.start()
        k = self.kinesis
        time.sleep(0.5)  # a few sweeps: the record is younger than 48 h and stays
        self.assertEqual([r["Data"] for r in _read_all(k, name)], [b"old record"])
        wait_status(k, name, "ACTIVE")

        k.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
        wait_status(k, name, "ACTIVE")
        k.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingRecords"])
        self.assertEqual(self.server.raw("EnableEnhancedMonitoring", {
            "StreamName": name, "ShardLevelMetrics": ["ALL"]}).status, 400)  # UPDATING
        wait_status(k, name, "ACTIVE")
        k.update_max_record_size(StreamARN=self.arn(name), MaxRecordSizeInKiB=5000)
        wait_status(k, name, "ACTIVE")
        k.update_stream_mode(StreamARN=self.arn(name), StreamModeDetails={"StreamMode": "ON_DEMAND"})
        k.update_account_settings(MinimumThroughputBillingCommitment={"Status": "ENABLED"})
        account = k.describe_account_settings()["MinimumThroughputBillingCommitment"]
        deadline = time.monotonic() + 5
        while _read_all(k, name) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(_read_all(k, name), [], "the 30-hour-old record outlived a 24-hour retention")

        srv.kill9()
        srv.start()
        k = self.kinesis
        s = self.summary(name)
        self.assertEqual(s["RetentionPeriodHours"], 24)
        self.assertEqual(s["EnhancedMonitoring"], [{"ShardLevelMetrics": ["IncomingRecords"]}])
        self.assertEqual(s["MaxRecordSizeInKiB"], 5000)
        self.assertEqual(s["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})
        self.assertIn(s["StreamStatus"], ("UPDATING", "ACTIVE"))
        wait_status(k, name, "ACTIVE")
        self.assertEqual(k.describe_account_settings()["MinimumThroughputBillingCommitment"], account)


# -- helpers ------------------------------------------------------------------

def _b64(data):
    import base64
    return base64.b64encode(data).decode("ascii")


def _read_all(k, name):
    it = k.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return k.get_records(ShardIterator=it)["Records"]


def _crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def _age_only_record(data_dir, name, age_ms):
    """Rewrites arrival_ms of the one record in the stream's log (docs/log-format.md), checksum included."""
    import glob
    logs = glob.glob(os.path.join(data_dir, "streams", "us-east-1", name + ".*", "shardId-*", "*.log"))
    assert len(logs) == 1, logs
    with open(logs[0], "r+b") as f:
        blob = bytearray(f.read())
        _, length = struct.unpack_from("<II", blob, 0)
        arrival = int(time.time() * 1000) - age_ms
        struct.pack_into("<q", blob, 9 + 8, arrival)
        crc = _crc32c(bytes(blob[8:9 + length]))
        masked = (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF
        struct.pack_into("<I", blob, 0, masked)
        f.seek(0)
        f.write(blob)


if __name__ == "__main__":
    unittest.main(verbosity=2)
