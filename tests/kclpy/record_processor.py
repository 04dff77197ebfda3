"""An amazon-kclpy (v3 interface) record processor run by the KCL MultiLangDaemon for test_kclpy.py.

stdin/stdout belong to the multi-language protocol, so everything this processor observes goes, one JSON object
a line, to the file named by KCLPY_TEST_OUT:

  {"event": "initialize", "shard": ID}
  {"event": "record", "shard": ID, "seq": SEQ, "key": PK, "data": BASE64}   (every record, before the checkpoint)
  {"event": "checkpoint", "shard": ID, "seq": SEQ}                           (after checkpoint(SEQ) succeeded)
  {"event": "checkpoint_error", "shard": ID, "error": NAME}
  {"event": "lease_lost" | "shard_ended" | "shutdown_requested", "shard": ID}

Each batch is checkpointed at its last record, so the lease table must end up holding the last sequence number
of every shard.
"""

import base64
import json
import os
import sys

from amazon_kclpy import kcl
from amazon_kclpy.v3 import processor


class TestRecordProcessor(processor.RecordProcessorBase):
    def __init__(self, out):
        self._out = out
        self._shard = None

    def _emit(self, **fields):
        fields["shard"] = self._shard
        self._out.write(json.dumps(fields) + "\n")
        self._out.flush()

    def initialize(self, initialize_input):
        self._shard = initialize_input.shard_id
        self._emit(event="initialize")

    def process_records(self, process_records_input):
        last = None
        for record in process_records_input.records:
            self._emit(event="record", seq=record.sequence_number, key=record.partition_key,
                       data=base64.b64encode(record.binary_data).decode("ascii"))
            last = record.sequence_number
        if last is None:
            return
        try:
            process_records_input.checkpointer.checkpoint(last)
        except kcl.CheckpointError as e:
            self._emit(event="checkpoint_error", error=str(e.value))
            return
        self._emit(event="checkpoint", seq=last)

    def lease_lost(self, lease_lost_input):
        self._emit(event="lease_lost")

    def shard_ended(self, shard_ended_input):
        shard_ended_input.checkpointer.checkpoint()
        self._emit(event="shard_ended")

    def shutdown_requested(self, shutdown_requested_input):
        self._emit(event="shutdown_requested")
        shutdown_requested_input.checkpointer.checkpoint()


if __name__ == "__main__":
    with open(os.environ["KCLPY_TEST_OUT"], "a", encoding="utf-8") as out:
        try:
            kcl.KCLProcess(TestRecordProcessor(out)).run()
        except Exception as exc:  # recorded for the test's failure message, then re-raised
            out.write(json.dumps({"event": "crash", "error": repr(exc)}) + "\n")
            out.flush()
            raise
    sys.exit(0)
