"""Raw HTTP error responses: authentication, protocol, serialization, validation."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import ServerTestCase, amz_date, create_active  # noqa: E402

AUTH_OK = ("AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/kinesis/aws4_request, "
           "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abcdef0123456789")


class AuthErrorsTest(ServerTestCase):

    def test_missing_authorization(self):
        resp = self.server.raw("ListStreams", {}, headers={"Authorization": None})
        self.assertAwsError(resp, "MissingAuthenticationTokenException",
                            "Missing Authentication Token")

    def test_missing_signature_and_signed_headers(self):
        auth = "AWS4-HMAC-SHA256 Credential=a/b/us-east-1/kinesis/aws4_request"
        resp = self.server.raw("ListStreams", {}, headers={"Authorization": auth})
        self.assertAwsError(
            resp, "IncompleteSignatureException",
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter. "
            "Authorization=" + auth)

    def test_all_parameters_missing(self):
        auth = "AWS4-HMAC-SHA256"
        resp = self.server.raw("ListStreams", {}, headers={"Authorization": auth})
        self.assertAwsError(
            resp, "IncompleteSignatureException",
            "Authorization header requires 'Credential' parameter. "
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter. "
            "Authorization=" + auth)

    def test_missing_date(self):
        resp = self.server.raw("ListStreams", {},
                               headers={"Authorization": AUTH_OK, "X-Amz-Date": None})
        self.assertAwsError(
            resp, "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            "Authorization=" + AUTH_OK)

    def test_missing_credential_and_date(self):
        auth = "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc"
        resp = self.server.raw("ListStreams", {},
                               headers={"Authorization": auth, "X-Amz-Date": None})
        self.assertAwsError(
            resp, "IncompleteSignatureException",
            "Authorization header requires 'Credential' parameter. "
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            "Authorization=" + auth)

    def test_date_header_instead_of_x_amz_date(self):
        resp = self.server.raw("ListStreams", {},
                               headers={"Authorization": AUTH_OK, "X-Amz-Date": None,
                                        "Date": "Sun, 22 Nov 2026 10:00:00 GMT"})
        self.assertEqual(resp.status, 200, resp)
        self.assertIn("StreamNames", resp.json())

    def test_any_signature_accepted(self):
        resp = self.server.raw("ListStreams", {},
                               headers={"Authorization": AUTH_OK, "X-Amz-Date": amz_date()})
        self.assertEqual(resp.status, 200, resp)


class ProtocolErrorsTest(ServerTestCase):

    def test_unknown_operation_in_service(self):
        resp = self.server.raw("Kinesis_20131202.Nope", {})
        self.assertAwsError(resp, "UnknownOperationException")

    def test_unknown_service_prefix(self):
        resp = self.server.raw("Foo.Bar", {})
        self.assertAwsError(resp, "UnknownOperationException")

    def test_malformed_json(self):
        resp = self.server.raw("CreateStream", b'{"StreamName": "abc", ')
        self.assertAwsError(resp, "SerializationException")

    def test_json_array_body(self):
        resp = self.server.raw("ListStreams", b"[]")
        self.assertAwsError(resp, "SerializationException")

    def test_json_string_body(self):
        resp = self.server.raw("ListStreams", b'"hello"')
        self.assertAwsError(resp, "SerializationException")

    def type_error(self, body, message, op="CreateStream"):
        resp = self.server.raw(op, body)
        self.assertAwsError(resp, "SerializationException", message)

    def test_number_for_string(self):
        self.type_error({"StreamName": 1, "ShardCount": 1},
                        "class java.math.BigDecimal can not be converted to an String")

    def test_string_for_integer(self):
        self.type_error({"StreamName": "a", "ShardCount": "1"},
                        "class java.lang.String can not be converted to an Integer")

    def test_boolean_for_integer(self):
        self.type_error({"StreamName": "a", "ShardCount": True},
                        "class java.lang.Boolean can not be converted to an Integer")

    def test_list_for_string(self):
        self.type_error({"StreamName": ["a"], "ShardCount": 1},
                        "Start of list found where not expected")

    def test_object_for_string(self):
        self.type_error({"StreamName": {"a": 1}, "ShardCount": 1},
                        "Start of structure or map found where not expected.")

    def test_string_for_integer_list_streams(self):
        self.type_error({"Limit": "10"},
                        "class java.lang.String can not be converted to an Integer", op="ListStreams")

    def test_error_responses_have_headers(self):
        resp = self.server.raw("Foo.Bar", {})
        self.assertCommonHeaders(resp)
        other = self.server.raw("Foo.Bar", {})
        self.assertNotEqual(resp.headers["x-amzn-RequestId"], other.headers["x-amzn-RequestId"])


class ValidationTest(ServerTestCase):

    def validation(self, op, body, message):
        resp = self.server.raw(op, body)
        self.assertAwsError(resp, "ValidationException", message)

    def test_create_missing_name(self):
        self.validation("CreateStream", {},
                        "1 validation error detected: Value null at 'streamName' failed to "
                        "satisfy constraint: Member must not be null")

    def test_create_empty_name_zero_shards(self):
        self.validation(
            "CreateStream", {"StreamName": "", "ShardCount": 0},
            "3 validation errors detected: "
            "Value '0' at 'shardCount' failed to satisfy constraint: Member must have value "
            "greater than or equal to 1; "
            "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular "
            "expression pattern: [a-zA-Z0-9_.-]+; "
            "Value '' at 'streamName' failed to satisfy constraint: Member must have length "
            "greater than or equal to 1")

    def test_name_pattern(self):
        self.validation("CreateStream", {"StreamName": "a b", "ShardCount": 1},
                        "1 validation error detected: Value 'a b' at 'streamName' failed to "
                        "satisfy constraint: Member must satisfy regular expression pattern: "
                        "[a-zA-Z0-9_.-]+")

    def test_name_too_long(self):
        name = "a" * 129
        self.validation("CreateStream", {"StreamName": name, "ShardCount": 1},
                        "1 validation error detected: Value '%s' at 'streamName' failed to "
                        "satisfy constraint: Member must have length less than or equal to 128"
                        % name)

    def test_name_of_128_chars_accepted(self):
        name = ("n%s" % os.urandom(8).hex()).ljust(128, "x")
        create_active(self.kinesis, name, 1)
        self.assertIn(name, self.kinesis.list_streams()["StreamNames"])

    def test_stream_mode_enum(self):
        self.validation("CreateStream",
                        {"StreamName": "abc", "StreamModeDetails": {"StreamMode": "FOO"}},
                        "1 validation error detected: Value 'FOO' at "
                        "'streamModeDetails.streamMode' failed to satisfy constraint: Member "
                        "must satisfy enum value set: [PROVISIONED, ON_DEMAND]")

    def test_stream_mode_missing(self):
        self.validation("CreateStream", {"StreamName": "abc", "StreamModeDetails": {}},
                        "1 validation error detected: Value null at "
                        "'streamModeDetails.streamMode' failed to satisfy constraint: Member "
                        "must not be null")

    def test_max_record_size_range(self):
        self.validation("CreateStream",
                        {"StreamName": "abc", "ShardCount": 1, "MaxRecordSizeInKiB": 1000},
                        "1 validation error detected: Value '1000' at 'maxRecordSizeInKiB' "
                        "failed to satisfy constraint: Member must have value greater than or "
                        "equal to 1024")

    def test_list_streams_limit_low(self):
        self.validation("ListStreams", {"Limit": 0},
                        "1 validation error detected: Value '0' at 'limit' failed to satisfy "
                        "constraint: Member must have value greater than or equal to 1")

    def test_list_streams_limit_high(self):
        self.validation("ListStreams", {"Limit": 10001},
                        "1 validation error detected: Value '10001' at 'limit' failed to "
                        "satisfy constraint: Member must have value less than or equal to 10000")

    def test_reverse_member_order(self):
        # ListStreams declares Limit before ExclusiveStartStreamName: errors come reversed.
        self.validation("ListStreams", {"Limit": 0, "ExclusiveStartStreamName": "a b"},
                        "2 validation errors detected: "
                        "Value 'a b' at 'exclusiveStartStreamName' failed to satisfy constraint: "
                        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
                        "Value '0' at 'limit' failed to satisfy constraint: Member must have "
                        "value greater than or equal to 1")

    def test_describe_stream_limit(self):
        self.validation("DescribeStream", {"StreamName": "abc", "Limit": 0},
                        "1 validation error detected: Value '0' at 'limit' failed to satisfy "
                        "constraint: Member must have value greater than or equal to 1")

    def test_list_shards_filter_enum(self):
        self.validation("ListShards", {"StreamName": "abc", "ShardFilter": {"Type": "NOPE"}},
                        "1 validation error detected: Value 'NOPE' at 'shardFilter.type' failed "
                        "to satisfy constraint: Member must satisfy enum value set: "
                        "[AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, "
                        "AT_TIMESTAMP, FROM_TIMESTAMP]")

    def test_delete_stream_bad_name(self):
        self.validation("DeleteStream", {"StreamName": "bad/name"},
                        "1 validation error detected: Value 'bad/name' at 'streamName' failed to "
                        "satisfy constraint: Member must satisfy regular expression pattern: "
                        "[a-zA-Z0-9_.-]+")


class NotFoundRawTest(ServerTestCase):
    server_kwargs = {"account_id": "123456789012"}

    def test_not_found_uses_account(self):
        name = self.new_name("missing")
        for op in ("DescribeStream", "DescribeStreamSummary", "DeleteStream", "ListShards"):
            resp = self.server.raw(op, {"StreamName": name})
            self.assertAwsError(resp, "ResourceNotFoundException",
                                "Stream %s under account 123456789012 not found." % name)

    def test_arn_uses_account(self):
        name = create_active(self.kinesis, self.new_name(), 1)
        arn = self.kinesis.describe_stream_summary(StreamName=name)[
            "StreamDescriptionSummary"]["StreamARN"]
        self.assertEqual(arn, "arn:aws:kinesis:us-east-1:123456789012:stream/%s" % name)

    def test_duplicate_uses_account(self):
        name = create_active(self.kinesis, self.new_name(), 1)
        resp = self.server.raw("CreateStream", {"StreamName": name, "ShardCount": 1})
        self.assertAwsError(resp, "ResourceInUseException",
                            "Stream %s under account 123456789012 already exists." % name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
