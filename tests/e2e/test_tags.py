"""Tags: AddTagsToStream, RemoveTagsFromStream, ListTagsForStream, TagResource, UntagResource,
ListTagsForResource, and Tags on CreateStream; AWS's limits, characters and errors; durability."""

import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from botocore.exceptions import ClientError  # noqa: E402

from harness import (DEFAULT_ACCOUNT, Server, ServerTestCase, create_active, wait_status)  # noqa: E402

INVALID_CHARS = ("Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, "
                 "_ . / = + - % @ :.")
ILLEGAL_TAIL = (" because some tags contained illegal characters. The allowed characters are Unicode letters, "
                "white-spaces, '_',',','/','=','+','-','@',':'.")


def arn_of(name, region="us-east-1", account=DEFAULT_ACCOUNT):
    return "arn:aws:kinesis:%s:%s:stream/%s" % (region, account, name)


def not_found(name, account=DEFAULT_ACCOUNT):
    return "Stream %s under account %s not found." % (name, account)


def add_illegal(name):
    return "Failed to add tags to stream %s under account %s%s" % (name, DEFAULT_ACCOUNT, ILLEGAL_TAIL)


def too_many(name):
    return ("Failed to add tags to stream %s under account %s because a given stream cannot have more than 50 "
            "tags associated with it." % (name, DEFAULT_ACCOUNT))


def reserved(verb, name):
    return ("Failed to %s stream %s under account %s because some tag keys start with the prefix 'aws:', which is "
            "reserved for use by AWS." % (verb, name, DEFAULT_ACCOUNT))


def tag_dict(resp):
    return {t["Key"]: t["Value"] for t in resp["Tags"]}


class TagsTest(ServerTestCase):
    # Tag rules, not rates: AddTagsToStream/ListTagsForStream/RemoveTagsFromStream are 5/s per account on AWS.
    server_kwargs = {"create_ms": 400, "delete_ms": 3000, "extra_args": ["--throughput-limits", "off"]}

    def stream(self, shards=1, **kwargs):
        return create_active(self.kinesis, self.new_name("tags"), shards, **kwargs)

    def err(self, op, body, error_type, message):
        self.assertAwsError(self.server.raw(op, body), error_type, message)

    # -- the operations -----------------------------------------------------------------------------
    def test_add_overwrite_list_remove(self):
        k, name = self.kinesis, self.stream()
        self.assertEqual(k.list_tags_for_stream(StreamName=name)["Tags"], [])
        tags = {"a": "a", "\u00fc0 _.": "a", "/=+-@:": "a", "b": "\u00fc0 _./=+-@:", "c": "", "\u65e5\u672c": "x"}
        k.add_tags_to_stream(StreamName=name, Tags=tags)
        k.add_tags_to_stream(StreamName=name, Tags={"a": "b"})
        resp = k.list_tags_for_stream(StreamName=name)
        self.assertFalse(resp["HasMoreTags"])
        self.assertEqual(tag_dict(resp), dict(tags, a="b"))
        keys = [t["Key"] for t in resp["Tags"]]
        self.assertEqual(keys, sorted(keys))  # sorted by key (code point order)
        self.assertIn({"Key": "c", "Value": ""}, resp["Tags"])
        # Removing a key that does not exist is not an error (AWS: "it is ignored").
        k.remove_tags_from_stream(StreamName=name, TagKeys=["a", "\u00fc0 _.", "missing"])
        self.assertEqual(set(tag_dict(k.list_tags_for_stream(StreamName=name))),
                         {"/=+-@:", "b", "c", "\u65e5\u672c"})
        raw = self.server.raw("RemoveTagsFromStream", {"StreamName": name, "TagKeys": ["b"]})
        self.assertEqual((raw.status, raw.body), (200, b""))

    def test_list_tags_paging(self):
        k, name = self.kinesis, self.stream()
        k.add_tags_to_stream(StreamName=name, Tags={"k%02d" % i: str(i) for i in range(12)})
        seen, start = [], None
        while True:
            args = {"StreamName": name, "Limit": 5}
            if start:
                args["ExclusiveStartTagKey"] = start
            page = k.list_tags_for_stream(**args)
            self.assertLessEqual(len(page["Tags"]), 5)
            seen += [t["Key"] for t in page["Tags"]]
            if not page["HasMoreTags"]:
                break
            start = page["Tags"][-1]["Key"]
        self.assertEqual(seen, ["k%02d" % i for i in range(12)])
        # Exactly Limit tags left: HasMoreTags is false.
        page = k.list_tags_for_stream(StreamName=name, ExclusiveStartTagKey="k06", Limit=5)
        self.assertEqual(([t["Key"] for t in page["Tags"]], page["HasMoreTags"]),
                         (["k07", "k08", "k09", "k10", "k11"], False))
        # A start key that is not a tag: the tags after it.
        page = k.list_tags_for_stream(StreamName=name, ExclusiveStartTagKey="k05x", Limit=2)
        self.assertEqual(([t["Key"] for t in page["Tags"]], page["HasMoreTags"]), (["k06", "k07"], True))
        page = k.list_tags_for_stream(StreamName=name, ExclusiveStartTagKey="z")
        self.assertEqual((page["Tags"], page["HasMoreTags"]), ([], False))
        self.assertEqual(len(k.list_tags_for_stream(StreamName=name)["Tags"]), 12)
        self.err("ListTagsForStream", {"StreamName": name, "Limit": 51}, "ValidationException",
                 "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: "
                 "Member must have value less than or equal to 50")
        self.err("ListTagsForStream", {"StreamName": name, "Limit": 0}, "ValidationException",
                 "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
                 "Member must have value greater than or equal to 1")

    def test_stream_arn_forms(self):
        k, name = self.kinesis, self.stream()
        arn = arn_of(name)
        k.add_tags_to_stream(StreamARN=arn, Tags={"x": "1"})
        self.assertEqual(tag_dict(k.list_tags_for_stream(StreamARN=arn)), {"x": "1"})
        k.remove_tags_from_stream(StreamARN=arn, StreamName=name, TagKeys=["x"])
        self.assertEqual(k.list_tags_for_stream(StreamName=name)["Tags"], [])
        self.err("AddTagsToStream", {"Tags": {"a": "b"}}, "InvalidArgumentException",
                 "Either StreamName or StreamARN must be provided.")
        self.err("ListTagsForStream", {"StreamARN": arn_of(name, region="eu-west-1")},
                 "ResourceNotFoundException", not_found(name))
        self.err("AddTagsToStream", {"StreamName": "nope-" + name, "Tags": {"a": "b"}},
                 "ResourceNotFoundException", not_found("nope-" + name))
        self.err("RemoveTagsFromStream", {"StreamName": "nope-" + name, "TagKeys": ["a"]},
                 "ResourceNotFoundException", not_found("nope-" + name))
        self.err("ListTagsForStream", {"StreamName": "nope-" + name},
                 "ResourceNotFoundException", not_found("nope-" + name))

    def test_resource_operations(self):
        k, name = self.kinesis, self.stream()
        arn = arn_of(name)
        k.tag_resource(ResourceARN=arn, Tags={"b": "2", "a": "1"})
        self.assertEqual(k.list_tags_for_resource(ResourceARN=arn)["Tags"],
                         [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        self.assertEqual(tag_dict(k.list_tags_for_stream(StreamName=name)), {"a": "1", "b": "2"})
        k.untag_resource(ResourceARN=arn, TagKeys=["a", "zz"])
        self.assertEqual(k.list_tags_for_resource(ResourceARN=arn)["Tags"], [{"Key": "b", "Value": "2"}])
        stream_id = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamId"]
        # (raw: botocore's endpoint rules turn StreamId into a host name, bypassing endpoint_url)
        self.server.call("TagResource", {"ResourceARN": arn, "StreamId": stream_id, "Tags": {"c": "3"}})
        self.assertEqual(len(self.server.call("ListTagsForResource", {"ResourceARN": arn, "StreamId": stream_id})
                             ["Tags"]), 2)
        self.err("TagResource", {"ResourceARN": arn, "StreamId": "a" * 20 + "-abc", "Tags": {"d": "4"}},
                 "ResourceNotFoundException", not_found(name))
        self.err("TagResource", {"ResourceARN": arn, "Tags": {"a%": "1"}}, "InvalidArgumentException",
                 add_illegal(name))
        self.err("UntagResource", {"ResourceARN": arn, "TagKeys": ["a;b"]}, "InvalidArgumentException",
                 INVALID_CHARS)

    def test_resource_arn_errors(self):
        name = self.stream()
        for op, extra in (("TagResource", {"Tags": {"a": "b"}}), ("UntagResource", {"TagKeys": ["a"]}),
                          ("ListTagsForResource", {})):
            # Consumer ARNs: this version registers no consumers.
            self.err(op, dict(extra, ResourceARN=arn_of(name) + "/consumer/c1:1700000000"),
                     "ResourceNotFoundException",
                     "Consumer c1 with creation timestamp 1700000000 under stream %s and account %s not found."
                     % (name, DEFAULT_ACCOUNT))
            self.err(op, dict(extra, ResourceARN=arn_of("nope-" + name) + "/consumer/c1:1700000000"),
                     "ResourceNotFoundException", not_found("nope-" + name))
            self.err(op, dict(extra, ResourceARN=arn_of("nope-" + name)), "ResourceNotFoundException",
                     not_found("nope-" + name))
            self.err(op, dict(extra, ResourceARN=arn_of(name, account="111111111111")),
                     "ResourceNotFoundException", not_found(name, "111111111111"))
            self.err(op, dict(extra, ResourceARN=arn_of(name, region="eu-west-1")),
                     "ResourceNotFoundException", not_found(name))
            bad = "arn:aws:kinesis:us-east-1:%s:deliverystream/%s" % (DEFAULT_ACCOUNT, name)
            self.err(op, dict(extra, ResourceARN=bad), "InvalidArgumentException", "Invalid ResourceARN: " + bad)
            bad = arn_of(name) + "/other/x"
            self.err(op, dict(extra, ResourceARN=bad), "InvalidArgumentException", "Invalid ResourceARN: " + bad)
            resp = self.server.raw(op, dict(extra, ResourceARN="arn:aws:s3:::bucket"))
            self.assertAwsError(resp, "ValidationException", message_contains="at 'resourceARN'")

    # -- limits -------------------------------------------------------------------------------------
    def test_fifty_tags_per_stream(self):
        k, name = self.kinesis, self.stream()
        k.add_tags_to_stream(StreamName=name, Tags={"k%02d" % i: "v" for i in range(30)})
        k.add_tags_to_stream(StreamName=name, Tags={"k%02d" % i: "w" for i in range(20, 50)})  # 20 overwrites
        self.assertEqual(len(k.list_tags_for_stream(StreamName=name)["Tags"]), 50)
        k.add_tags_to_stream(StreamName=name, Tags={"k00": "again"})  # overwriting at 50 is fine
        self.err("AddTagsToStream", {"StreamName": name, "Tags": {"extra": "1"}}, "InvalidArgumentException",
                 too_many(name))
        self.err("TagResource", {"ResourceARN": arn_of(name), "Tags": {"extra": "1"}}, "InvalidArgumentException",
                 too_many(name))
        # A refused call changes nothing.
        self.assertEqual(len(k.list_tags_for_stream(StreamName=name)["Tags"]), 50)
        k.remove_tags_from_stream(StreamName=name, TagKeys=["k00"])
        k.add_tags_to_stream(StreamName=name, Tags={"extra": "1"})

    def test_fifty_tags_in_one_call(self):
        k, name = self.kinesis, self.stream()
        self.err("AddTagsToStream", {"StreamName": name, "Tags": {"t%02d" % i: "" for i in range(51)}},
                 "InvalidArgumentException", too_many(name))
        k.add_tags_to_stream(StreamName=name, Tags={"t%02d" % i: "" for i in range(50)})
        # The model's own bound: at most 200 entries in a TagMap, 50 keys in a TagKeyList.
        resp = self.server.raw("AddTagsToStream", {"StreamName": name, "Tags": {"t%03d" % i: "" for i in range(201)}})
        self.assertAwsError(resp, "ValidationException",
                            message_contains="Member must have length less than or equal to 200")
        resp = self.server.raw("RemoveTagsFromStream", {"StreamName": name, "TagKeys": ["t%02d" % i for i in range(51)]})
        self.assertAwsError(resp, "ValidationException",
                            message_contains="Member must have length less than or equal to 50")

    def test_create_stream_tags(self):
        k = self.kinesis
        name = self.new_name("tags")
        k.create_stream(StreamName=name, ShardCount=1, Tags={"t%02d" % i: "v" for i in range(50)})
        # Tags take effect in CREATING, but cannot be changed until the stream is ACTIVE.
        self.assertEqual(len(k.list_tags_for_stream(StreamName=name)["Tags"]), 50)
        self.err("AddTagsToStream", {"StreamName": name, "Tags": {"a": "b"}}, "ResourceInUseException",
                 "Stream %s under account %s not ACTIVE, instead in state CREATING" % (name, DEFAULT_ACCOUNT))
        self.err("UntagResource", {"ResourceARN": arn_of(name), "TagKeys": ["t00"]}, "ResourceInUseException",
                 "Stream %s under account %s not ACTIVE, instead in state CREATING" % (name, DEFAULT_ACCOUNT))
        wait_status(k, name, "ACTIVE")
        other = self.new_name("tags")
        for tags, message in (({"t%02d" % i: "" for i in range(51)}, too_many(other)),
                              ({"a;b": "1"}, INVALID_CHARS), ({"a": "50%"}, add_illegal(other)),
                              ({"aws:owner": "me"}, reserved("add tags to", other))):
            self.err("CreateStream", {"StreamName": other, "ShardCount": 1, "Tags": tags},
                     "InvalidArgumentException", message)
        # Nothing was created by the refused calls.
        self.err("DescribeStreamSummary", {"StreamName": other}, "ResourceNotFoundException", not_found(other))

    def test_key_and_value_lengths(self):
        name = self.stream()
        self.kinesis.add_tags_to_stream(StreamName=name, Tags={"k" * 128: "v" * 256})
        for tags, fragment in (({"k" * 129: "v"}, "Map keys must satisfy constraint"),
                               ({"": "v"}, "Map keys must satisfy constraint"),
                               ({"k": "v" * 257}, "Map value must satisfy constraint")):
            resp = self.server.raw("AddTagsToStream", {"StreamName": name, "Tags": tags})
            self.assertAwsError(resp, "ValidationException", message_contains=fragment)
        resp = self.server.raw("RemoveTagsFromStream", {"StreamName": name, "TagKeys": ["k" * 129]})
        self.assertAwsError(resp, "ValidationException", message_contains="Member must have length less than or equal to 128")

    # -- characters ---------------------------------------------------------------------------------
    def test_characters(self):
        name = self.stream()
        for bad in ("abc;def", "abc\tdef", "abc\ndef", "abc,def", "a\U0001F600", "a#b"):
            self.err("AddTagsToStream", {"StreamName": name, "Tags": {bad: "1"}}, "InvalidArgumentException",
                     INVALID_CHARS)
            self.err("AddTagsToStream", {"StreamName": name, "Tags": {"a": bad}}, "InvalidArgumentException",
                     INVALID_CHARS)
            self.err("RemoveTagsFromStream", {"StreamName": name, "TagKeys": [bad]}, "InvalidArgumentException",
                     INVALID_CHARS)
        # '%' is listed as valid above, yet AWS refuses it with a second message (recorded by kinesalite).
        self.err("AddTagsToStream", {"StreamName": name, "Tags": {"abc%def": "1"}}, "InvalidArgumentException",
                 add_illegal(name))
        self.err("AddTagsToStream", {"StreamName": name, "Tags": {"a": "abc%def"}}, "InvalidArgumentException",
                 add_illegal(name))
        self.err("RemoveTagsFromStream", {"StreamName": name, "TagKeys": ["abc%def"]}, "InvalidArgumentException",
                 "Failed to remove tags from stream %s under account %s%s" % (name, DEFAULT_ACCOUNT, ILLEGAL_TAIL))
        # The invalid-character check comes first.
        self.err("AddTagsToStream", {"StreamName": name, "Tags": {"a%": "b;"}}, "InvalidArgumentException",
                 INVALID_CHARS)

    def test_reserved_prefix(self):
        k, name = self.kinesis, self.stream()
        for key in ("aws:cloudformation:stack-name", "AWS:x", "Aws:"):
            self.err("AddTagsToStream", {"StreamName": name, "Tags": {key: "v"}}, "InvalidArgumentException",
                     reserved("add tags to", name))
            self.err("TagResource", {"ResourceARN": arn_of(name), "Tags": {key: "v"}}, "InvalidArgumentException",
                     reserved("add tags to", name))
            self.err("RemoveTagsFromStream", {"StreamName": name, "TagKeys": [key]}, "InvalidArgumentException",
                     reserved("remove tags from", name))
        k.add_tags_to_stream(StreamName=name, Tags={"aws": "1", "awsx:": "2", "my:aws:": "aws:value"})
        self.assertEqual(len(k.list_tags_for_stream(StreamName=name)["Tags"]), 3)

    # -- status and concurrency ---------------------------------------------------------------------
    def test_deleting_stream(self):
        k = self.kinesis
        name = self.stream(Tags={"a": "1"})
        k.delete_stream(StreamName=name)
        self.err("AddTagsToStream", {"StreamName": name, "Tags": {"b": "2"}}, "ResourceInUseException",
                 "Stream %s under account %s not ACTIVE, instead in state DELETING" % (name, DEFAULT_ACCOUNT))
        self.assertEqual(tag_dict(k.list_tags_for_stream(StreamName=name)), {"a": "1"})

    def test_concurrent_adds_respect_the_limit(self):
        name = self.stream()
        results = []

        def add(i):
            resp = self.server.raw("AddTagsToStream",
                                   {"StreamName": name, "Tags": {"w%02d-%d" % (i, j): "" for j in range(6)}})
            results.append(resp.status)

        threads = [threading.Thread(target=add, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ok = results.count(200)
        self.assertEqual(ok, 8)  # 8 * 6 = 48 fit; a 9th would make 54
        self.assertEqual(len(self.kinesis.list_tags_for_stream(StreamName=name)["Tags"]), ok * 6)


class TagsDurabilityTest(unittest.TestCase):

    def test_tags_survive_kill9(self):
        srv = Server()
        self.addCleanup(srv.stop)
        srv.start()
        k = srv.client()
        name = create_active(k, "durable-tags", 1, Tags={"created": "yes"})
        k.add_tags_to_stream(StreamName=name, Tags={"a": "1", "b": "2"})
        k.untag_resource(ResourceARN=arn_of(name), TagKeys=["b"])
        k.tag_resource(ResourceARN=arn_of(name), Tags={"c": "\u00e9t\u00e9"})
        srv.kill9()
        srv.start()
        k = srv.client()
        expected = [{"Key": "a", "Value": "1"}, {"Key": "c", "Value": "\u00e9t\u00e9"},
                    {"Key": "created", "Value": "yes"}]
        self.assertEqual(k.list_tags_for_stream(StreamName=name)["Tags"], expected)
        self.assertEqual(k.list_tags_for_resource(ResourceARN=arn_of(name))["Tags"], expected)


if __name__ == "__main__":
    unittest.main()
