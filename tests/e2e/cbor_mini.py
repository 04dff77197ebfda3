"""A minimal CBOR (RFC 8949) encoder/decoder for the end-to-end tests (no cbor2 on the test python).

encode: int, str, bytes, bool, None, float (always float64), list/tuple, dict, Tag / Timestamp (tag 1).
decode: all of the above plus indefinite-length maps/arrays/strings, half/single floats, undefined and
other simple values; tags come back as Tag(tag, value). Malformed input or trailing bytes raise ValueError.

AWS's CBOR protocol puts epoch MILLISECONDS under tag 1: Timestamp(ms) == Tag(1, ms).
"""

import struct

__all__ = ["Tag", "Timestamp", "Undefined", "Simple", "encode", "decode", "encode_head"]


class Tag(object):
    def __init__(self, tag, value):
        self.tag = tag
        self.value = value

    def __eq__(self, other):
        return isinstance(other, Tag) and (self.tag, self.value) == (other.tag, other.value)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((self.tag, repr(self.value)))

    def __repr__(self):
        return "Tag(%d, %r)" % (self.tag, self.value)


class Timestamp(Tag):
    """Epoch milliseconds, written as tag 1 (AWS's convention, not RFC 8949's seconds)."""

    def __init__(self, ms):
        Tag.__init__(self, 1, ms)

    @property
    def ms(self):
        return self.value


class Simple(object):
    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, Simple) and self.value == other.value

    def __hash__(self):
        return hash(("simple", self.value))

    def __repr__(self):
        return "Undefined" if self.value == 23 else "Simple(%d)" % self.value


Undefined = Simple(23)

_BREAK = object()


def encode_head(major, n):
    """The initial byte(s) of an item of major type ``major`` with argument ``n`` (shortest form)."""
    if n < 0:
        raise ValueError("negative argument")
    if n < 24:
        return bytes([(major << 5) | n])
    for info, fmt, limit in ((24, ">B", 0xFF), (25, ">H", 0xFFFF), (26, ">I", 0xFFFFFFFF),
                             (27, ">Q", 0xFFFFFFFFFFFFFFFF)):
        if n <= limit:
            return bytes([(major << 5) | info]) + struct.pack(fmt, n)
    raise ValueError("argument too large: %d" % n)


def encode(obj):
    out = bytearray()
    _encode(obj, out)
    return bytes(out)


def _encode(obj, out):
    if obj is None:
        out.append(0xF6)
    elif obj is True:
        out.append(0xF5)
    elif obj is False:
        out.append(0xF4)
    elif isinstance(obj, Tag):
        out += encode_head(6, obj.tag)
        _encode(obj.value, out)
    elif isinstance(obj, Simple):
        out += encode_head(7, obj.value) if obj.value < 24 else bytes([0xF8, obj.value])
    elif isinstance(obj, int):
        out += encode_head(0, obj) if obj >= 0 else encode_head(1, -1 - obj)
    elif isinstance(obj, float):
        out += b"\xfb" + struct.pack(">d", obj)
    elif isinstance(obj, (bytes, bytearray, memoryview)):
        data = bytes(obj)
        out += encode_head(2, len(data)) + data
    elif isinstance(obj, str):
        data = obj.encode("utf-8")
        out += encode_head(3, len(data)) + data
    elif isinstance(obj, (list, tuple)):
        out += encode_head(4, len(obj))
        for item in obj:
            _encode(item, out)
    elif isinstance(obj, dict):
        out += encode_head(5, len(obj))
        for key, value in obj.items():
            _encode(key, out)
            _encode(value, out)
    else:
        raise TypeError("cannot CBOR-encode %r" % (obj,))


def decode(data):
    """Decodes exactly one item; raises ValueError when malformed or followed by trailing bytes."""
    data = bytes(data)
    value, pos = _decode(data, 0, 0)
    if value is _BREAK:
        raise ValueError("unexpected break at offset 0")
    if pos != len(data):
        raise ValueError("%d trailing byte(s) after the item" % (len(data) - pos))
    return value


def _need(data, pos, n):
    if n > len(data) - pos:
        raise ValueError("truncated at offset %d (need %d more bytes)" % (pos, n))


def _decode(data, pos, depth):
    if depth > 500:
        raise ValueError("nesting too deep")
    _need(data, pos, 1)
    ib = data[pos]
    pos += 1
    major, info = ib >> 5, ib & 31
    if info < 24:
        arg = info
    elif info <= 27:
        width = 1 << (info - 24)
        _need(data, pos, width)
        arg = int.from_bytes(data[pos:pos + width], "big")
        pos += width
    elif info == 31 and major in (2, 3, 4, 5, 7):
        arg = None  # indefinite length (or break for major 7)
    else:
        raise ValueError("reserved additional information %d at offset %d" % (info, pos - 1))

    if major == 0:
        return arg, pos
    if major == 1:
        return -1 - arg, pos
    if major in (2, 3):
        if arg is None:
            chunks = []
            while True:
                _need(data, pos, 1)
                if data[pos] == 0xFF:
                    pos += 1
                    break
                if data[pos] >> 5 != major or data[pos] & 31 == 31:
                    raise ValueError("bad chunk in indefinite string at offset %d" % pos)
                chunk, pos = _decode(data, pos, depth + 1)
                chunks.append(chunk.encode("utf-8") if major == 3 else chunk)
            raw = b"".join(chunks)
        else:
            _need(data, pos, arg)
            raw = data[pos:pos + arg]
            pos += arg
        return (raw.decode("utf-8") if major == 3 else raw), pos
    if major == 4:
        items = []
        while arg is None or len(items) < arg:
            item, pos = _decode(data, pos, depth + 1)
            if item is _BREAK:
                if arg is None:
                    return items, pos
                raise ValueError("unexpected break in definite array")
            items.append(item)
        return items, pos
    if major == 5:
        result = {}
        count = 0
        while arg is None or count < arg:
            key, pos = _decode(data, pos, depth + 1)
            if key is _BREAK:
                if arg is None:
                    return result, pos
                raise ValueError("unexpected break in definite map")
            value, pos = _decode(data, pos, depth + 1)
            if value is _BREAK:
                raise ValueError("break where a map value belongs")
            if isinstance(key, list):
                key = tuple(key)
            result[key] = value
            count += 1
        return result, pos
    if major == 6:
        value, pos = _decode(data, pos, depth + 1)
        if value is _BREAK:
            raise ValueError("break where a tagged value belongs")
        return Tag(arg, value), pos
    # major 7
    if arg is None:
        return _BREAK, pos
    if info == 25:
        return struct.unpack(">e", arg.to_bytes(2, "big"))[0], pos
    if info == 26:
        return struct.unpack(">f", arg.to_bytes(4, "big"))[0], pos
    if info == 27:
        return struct.unpack(">d", arg.to_bytes(8, "big"))[0], pos
    if arg == 20:
        return False, pos
    if arg == 21:
        return True, pos
    if arg == 22:
        return None, pos
    return Simple(arg), pos


if __name__ == "__main__":  # a quick self-check: python3 cbor_mini.py
    sample = {"a": [1, -1, 24, -25, 256, 2 ** 32, -2 ** 63, 2 ** 64 - 1], "b": bytes(range(256)), "t": "h\u00e9",
              "f": 1.5, "n": None, "y": True, "no": False, "ts": Timestamp(1795361918756), "m": {}}
    assert decode(encode(sample)) == sample
    assert encode({"x": 1}) == b"\xa1\x61x\x01"
    assert decode(b"\xbf\x61a\x9f\x01\xff\x61b\x5f\x41\x00\x42\x01\x02\xff\x61c\x7f\x61h\x61i\xff\xff") == \
        {"a": [1], "b": b"\x00\x01\x02", "c": "hi"}
    assert decode(b"\xf9\x3c\x00") == 1.0 and decode(b"\xfa\x47\x80\x00\x00") == 65536.0
    assert encode(Timestamp(1000)) == b"\xc1\x19\x03\xe8"
    for bad in (b"", b"\xa1", b"\xa1\x61", b"\xff", b"\x1c", b"\xa0\x00", b"\x5f\x61a\xff", b"\xbf\x61a\xff"):
        try:
            decode(bad)
        except ValueError:
            continue
        raise AssertionError("accepted %r" % bad)
    print("cbor_mini ok")
