// End-to-end tests of kinesisd driven by the real AWS SDK for JavaScript v3 (@aws-sdk/client-kinesis).
//
// Run by tests/e2e/test_js_sdk.py, which starts the server and sets:
//   KINESISD_ENDPOINT  http://127.0.0.1:PORT or https://127.0.0.1:PORT
//   KINESISD_CA        the server's self-signed certificate (PEM), for https
//   NODE_EXTRA_CA_CERTS  the same file, so that the SDK's *default* handler trusts it too
// By hand: KINESISD_ENDPOINT=http://127.0.0.1:4567 node --test tests/js/
//
// The Kinesis client's default request handler is NodeHttp2Handler (HTTP/2 only: h2c with prior knowledge on
// http://, ALPN h2 on https://, a new session per request). The same operation suite also runs with an explicit
// NodeHttp2Handler that multiplexes every request on one session, and with NodeHttpHandler (HTTP/1.1) on the
// same port. A spy on http2.connect records every HTTP/2 session the SDK opens, so the tests can check that
// the protocol actually negotiated is HTTP/2.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import crypto from 'node:crypto';

import {
  KinesisClient,
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeLimitsCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand,
  InvalidArgumentException,
  ListShardsCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  PutRecordCommand,
  PutRecordsCommand,
  RemoveTagsFromStreamCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-kinesis';
import { expectServiceError } from './support.mjs';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';

const ENDPOINT = process.env.KINESISD_ENDPOINT;
if (!ENDPOINT) {
  throw new Error('KINESISD_ENDPOINT is not set (e.g. http://127.0.0.1:4567); tests/e2e/test_js_sdk.py sets it');
}
const URL_ = new URL(ENDPOINT);
const TLS = URL_.protocol === 'https:';
const CA = process.env.KINESISD_CA ? fs.readFileSync(process.env.KINESISD_CA) : undefined;
if (TLS && !CA) {
  throw new Error('KINESISD_CA must name the server certificate for an https endpoint');
}
const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'a', secretAccessKey: 'b' };
const JSON_CT = 'application/x-amz-json-1.1';
const MAX_HASH_KEY = (1n << 128n) - 1n;

// ---------------------------------------------------------------------------------------------------------------
// Spy on http2.connect: the SDK's handlers call it through the same module object (require('node:http2')).
const h2Sessions = [];
const realConnect = http2.connect;
http2.connect = function spiedConnect(authority, ...rest) {
  const session = realConnect.call(this, authority, ...rest);
  const entry = { authority: String(authority), session, alpn: undefined, remoteSettings: undefined };
  session.once('connect', () => {
    entry.alpn = session.alpnProtocol;
    entry.remoteSettings = session.remoteSettings;
  });
  session.on('remoteSettings', (s) => { entry.remoteSettings = s; });
  h2Sessions.push(entry);
  return session;
};
const EXPECTED_ALPN = TLS ? 'h2' : 'h2c';

// ---------------------------------------------------------------------------------------------------------------
// Clients.

function baseConfig() {
  return { endpoint: ENDPOINT, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 };
}

/** The Kinesis client exactly as an application creates it: the SDK's default request handler. */
function defaultClient() {
  return new KinesisClient(baseConfig());
}

function explicitH2Handler() {
  return new NodeHttp2Handler({
    requestTimeout: 30_000,
    ...(CA ? { nodeHttp2ConnectOptions: { ca: CA } } : {}),
  });
}

function http1Handler() {
  return new NodeHttpHandler({
    requestTimeout: 30_000,
    ...(TLS ? { httpsAgent: new https.Agent({ keepAlive: true, ca: CA }) } : {}),
  });
}

const VARIANTS = [
  { label: 'default request handler (HTTP/2, a session per request)', make: () => defaultClient(), h2: true },
  {
    label: 'explicit NodeHttp2Handler (HTTP/2, one multiplexed session)',
    make: () => new KinesisClient({ ...baseConfig(), requestHandler: explicitH2Handler() }),
    h2: true,
  },
  {
    label: 'NodeHttpHandler (HTTP/1.1 on the same port)',
    make: () => new KinesisClient({ ...baseConfig(), requestHandler: http1Handler() }),
    h2: false,
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Helpers.

function uniqueName(prefix) {
  return `js-${prefix}-${crypto.randomBytes(6).toString('hex')}`;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitStatus(client, name, status = 'ACTIVE', timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    last = out.StreamDescriptionSummary.StreamStatus;
    if (last === status) return out.StreamDescriptionSummary;
    await sleep(50);
  }
  throw new Error(`stream ${name} still ${last} after ${timeoutMs} ms (wanted ${status})`);
}

async function waitGone(client, name, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    } catch (err) {
      if (err.name === 'ResourceNotFoundException') return;
      throw err;
    }
    await sleep(50);
  }
  throw new Error(`stream ${name} still exists after ${timeoutMs} ms`);
}

async function createActive(client, name, shards = 1) {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  return waitStatus(client, name, 'ACTIVE');
}

async function deleteQuietly(client, name) {
  try {
    await client.send(new DeleteStreamCommand({ StreamName: name }));
  } catch (err) {
    if (err.name !== 'ResourceNotFoundException' && err.name !== 'ResourceInUseException') throw err;
  }
}


function allBytes() {
  const data = new Uint8Array(256);
  for (let i = 0; i < 256; i++) data[i] = i;
  return data;
}

function assertBytes(actual, expected, what) {
  assert.ok(actual instanceof Uint8Array, `${what}: Data is a ${Object.prototype.toString.call(actual)}`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  assert.ok(Buffer.from(actual).equals(Buffer.from(expected)), `${what}: bytes differ`);
}

function seqLess(a, b) {
  return BigInt(a) < BigInt(b);
}

async function iterator(client, name, shardId, type, extra = {}) {
  const out = await client.send(new GetShardIteratorCommand({
    StreamName: name, ShardId: shardId, ShardIteratorType: type, ...extra,
  }));
  assert.equal(typeof out.ShardIterator, 'string');
  assert.ok(out.ShardIterator.length > 0);
  return out.ShardIterator;
}

/** Reads from `it` until `count` records arrived (GetRecords may return fewer per call). */
async function readRecords(client, it, count, timeoutMs = 10_000) {
  const records = [];
  const deadline = Date.now() + timeoutMs;
  let calls = 0;
  while (records.length < count && Date.now() < deadline) {
    const out = await client.send(new GetRecordsCommand({ ShardIterator: it }));
    calls++;
    assert.equal(typeof out.MillisBehindLatest, 'number');
    records.push(...out.Records);
    it = out.NextShardIterator;
    assert.ok(it, 'an open shard always has a NextShardIterator');
    if (records.length < count && out.Records.length === 0 && calls > 3) await sleep(50);
  }
  return { records, next: it };
}

// ---------------------------------------------------------------------------------------------------------------
// The operation suite, once per client variant.

for (const variant of VARIANTS) {
  describe(`operations via ${variant.label}`, () => {
    let client;
    let sessionsBefore;
    const created = [];

    before(() => {
      sessionsBefore = h2Sessions.length;
      client = variant.make();
    });

    after(async () => {
      for (const name of created) await deleteQuietly(client, name);
      client.destroy();
    });

    it('CreateStream, DescribeStreamSummary, DescribeStream, ListStreams, ListShards, DeleteStream', async () => {
      const name = uniqueName('cp');
      created.push(name);
      const createOut = await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
      assert.equal(createOut.$metadata.httpStatusCode, 200);
      assert.match(createOut.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);

      const creating = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      assert.ok(['CREATING', 'ACTIVE'].includes(creating.StreamDescriptionSummary.StreamStatus));

      const s = await waitStatus(client, name, 'ACTIVE');
      const arn = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`;
      assert.equal(s.StreamName, name);
      assert.equal(s.StreamARN, arn);
      assert.equal(s.StreamStatus, 'ACTIVE');
      assert.equal(s.OpenShardCount, 2);
      assert.equal(s.RetentionPeriodHours, 24);
      assert.equal(s.EncryptionType, 'NONE');
      assert.deepEqual(s.StreamModeDetails, { StreamMode: 'PROVISIONED' });
      assert.ok(s.StreamCreationTimestamp instanceof Date, 'StreamCreationTimestamp is a Date');
      assert.ok(Math.abs(s.StreamCreationTimestamp.getTime() - Date.now()) < 120_000,
        `StreamCreationTimestamp ${s.StreamCreationTimestamp.toISOString()} is now`);

      // The same stream addressed by ARN (the SDK's endpoint rules keep the custom endpoint).
      const byArn = await client.send(new DescribeStreamSummaryCommand({ StreamARN: arn }));
      assert.equal(byArn.StreamDescriptionSummary.StreamName, name);

      const d = await client.send(new DescribeStreamCommand({ StreamName: name }));
      assert.equal(d.StreamDescription.StreamName, name);
      assert.equal(d.StreamDescription.HasMoreShards, false);
      assert.equal(d.StreamDescription.Shards.length, 2);

      const listed = await client.send(new ListStreamsCommand({}));
      assert.ok(listed.StreamNames.includes(name), `ListStreams includes ${name}`);
      const summary = listed.StreamSummaries.find((x) => x.StreamName === name);
      assert.ok(summary, 'StreamSummaries has the stream');
      assert.equal(summary.StreamARN, arn);
      assert.equal(summary.StreamStatus, 'ACTIVE');
      assert.ok(summary.StreamCreationTimestamp instanceof Date);

      const shards = await client.send(new ListShardsCommand({ StreamName: name }));
      assert.deepEqual(shards.Shards.map((x) => x.ShardId), ['shardId-000000000000', 'shardId-000000000001']);
      assert.equal(BigInt(shards.Shards[0].HashKeyRange.StartingHashKey), 0n);
      assert.equal(BigInt(shards.Shards[1].HashKeyRange.EndingHashKey), MAX_HASH_KEY);
      assert.equal(BigInt(shards.Shards[0].HashKeyRange.EndingHashKey) + 1n,
        BigInt(shards.Shards[1].HashKeyRange.StartingHashKey));
      for (const shard of shards.Shards) {
        assert.match(shard.SequenceNumberRange.StartingSequenceNumber, /^\d+$/);
        assert.equal(shard.SequenceNumberRange.EndingSequenceNumber, undefined);
      }
      // Paging through ListShards with MaxResults and NextToken.
      const page1 = await client.send(new ListShardsCommand({ StreamName: name, MaxResults: 1 }));
      assert.equal(page1.Shards.length, 1);
      assert.ok(page1.NextToken, 'NextToken on a partial page');
      const page2 = await client.send(new ListShardsCommand({ NextToken: page1.NextToken }));
      assert.deepEqual(page2.Shards.map((x) => x.ShardId), ['shardId-000000000001']);

      await client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: name, RetentionPeriodHours: 48 }));
      const updated = await waitStatus(client, name, 'ACTIVE');
      assert.equal(updated.RetentionPeriodHours, 48);

      const limits = await client.send(new DescribeLimitsCommand({}));
      assert.equal(typeof limits.ShardLimit, 'number');
      assert.ok(limits.OpenShardCount >= 2);

      const del = await client.send(new DeleteStreamCommand({ StreamName: name }));
      assert.equal(del.$metadata.httpStatusCode, 200);
      await waitGone(client, name);
      const after = await client.send(new ListStreamsCommand({}));
      assert.ok(!after.StreamNames.includes(name), 'deleted stream no longer listed');
    });

    it('PutRecord, PutRecords, GetShardIterator, GetRecords: all 256 byte values, in order', async () => {
      const name = uniqueName('dp');
      created.push(name);
      await createActive(client, name, 1);
      const shardId = 'shardId-000000000000';

      const first = allBytes();
      const put = await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'pk-0', Data: first }));
      assert.equal(put.ShardId, shardId);
      assert.match(put.SequenceNumber, /^\d+$/);
      assert.equal(put.EncryptionType, 'NONE');

      // PutRecords: record i carries the 256 byte values rotated by i, and an empty-ish and a one-byte record.
      const batch = [];
      for (let i = 1; i <= 20; i++) {
        const data = new Uint8Array(256);
        for (let j = 0; j < 256; j++) data[j] = (j + i) & 0xff;
        batch.push({ PartitionKey: `pk-${i}`, Data: data });
      }
      batch.push({ PartitionKey: 'one-byte', Data: new Uint8Array([0]) });
      batch.push({ PartitionKey: 'high-byte', Data: new Uint8Array([0xff, 0xfe, 0x80, 0x7f, 0x00, 0x0a, 0x0d]) });
      const putMany = await client.send(new PutRecordsCommand({ StreamName: name, Records: batch }));
      assert.equal(putMany.FailedRecordCount, 0);
      assert.equal(putMany.Records.length, batch.length);
      const seqs = [put.SequenceNumber];
      for (const r of putMany.Records) {
        assert.equal(r.ShardId, shardId);
        assert.equal(r.ErrorCode, undefined);
        assert.match(r.SequenceNumber, /^\d+$/);
        seqs.push(r.SequenceNumber);
      }
      for (let i = 1; i < seqs.length; i++) {
        assert.ok(seqLess(seqs[i - 1], seqs[i]), `sequence numbers increase: ${seqs[i - 1]} < ${seqs[i]}`);
      }
      const expected = [{ PartitionKey: 'pk-0', Data: first }, ...batch];

      const trim = await iterator(client, name, shardId, 'TRIM_HORIZON');
      const { records, next } = await readRecords(client, trim, expected.length);
      assert.equal(records.length, expected.length);
      records.forEach((rec, i) => {
        assert.equal(rec.SequenceNumber, seqs[i], `record ${i} sequence number`);
        assert.equal(rec.PartitionKey, expected[i].PartitionKey, `record ${i} partition key`);
        assertBytes(rec.Data, expected[i].Data, `record ${i}`);
        assert.ok(rec.ApproximateArrivalTimestamp instanceof Date, 'ApproximateArrivalTimestamp is a Date');
        assert.ok(Math.abs(rec.ApproximateArrivalTimestamp.getTime() - Date.now()) < 120_000);
      });

      // Nothing more after the last record; a record put now arrives on the same iterator chain.
      const empty = await client.send(new GetRecordsCommand({ ShardIterator: next }));
      assert.deepEqual(empty.Records, []);
      assert.equal(empty.MillisBehindLatest, 0);
      const late = await client.send(new PutRecordCommand({
        StreamName: name, PartitionKey: 'late', Data: new Uint8Array([1, 2, 3]),
        SequenceNumberForOrdering: seqs[seqs.length - 1],
      }));
      const more = await client.send(new GetRecordsCommand({ ShardIterator: empty.NextShardIterator }));
      assert.equal(more.Records.length, 1);
      assert.equal(more.Records[0].SequenceNumber, late.SequenceNumber);
      assertBytes(more.Records[0].Data, new Uint8Array([1, 2, 3]), 'late record');

      // AT_SEQUENCE_NUMBER / AFTER_SEQUENCE_NUMBER / LATEST / Limit.
      const at = await iterator(client, name, shardId, 'AT_SEQUENCE_NUMBER', { StartingSequenceNumber: seqs[5] });
      const atOut = await client.send(new GetRecordsCommand({ ShardIterator: at, Limit: 2 }));
      assert.deepEqual(atOut.Records.map((r) => r.SequenceNumber), [seqs[5], seqs[6]]);
      assert.ok(atOut.MillisBehindLatest >= 0);
      const afterIt = await iterator(client, name, shardId, 'AFTER_SEQUENCE_NUMBER', { StartingSequenceNumber: seqs[5] });
      const afterOut = await client.send(new GetRecordsCommand({ ShardIterator: afterIt, Limit: 1 }));
      assert.deepEqual(afterOut.Records.map((r) => r.SequenceNumber), [seqs[6]]);
      assertBytes(afterOut.Records[0].Data, expected[6].Data, 'AFTER_SEQUENCE_NUMBER record');
      const latest = await iterator(client, name, shardId, 'LATEST');
      const latestOut = await client.send(new GetRecordsCommand({ ShardIterator: latest }));
      assert.deepEqual(latestOut.Records, []);
    });

    it('PutRecord and GetRecords of a 1 MiB record (request and response bodies over many frames)', async () => {
      const name = uniqueName('big');
      created.push(name);
      await createActive(client, name, 1);
      const key = 'k';
      const data = new Uint8Array(1024 * 1024 - key.length); // the largest record Kinesis accepts
      crypto.randomFillSync(data);
      const put = await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: key, Data: data }));
      const it = await iterator(client, name, put.ShardId, 'AT_SEQUENCE_NUMBER', {
        StartingSequenceNumber: put.SequenceNumber,
      });
      const out = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 1 }));
      assert.equal(out.Records.length, 1);
      assert.equal(out.Records[0].SequenceNumber, put.SequenceNumber);
      assertBytes(out.Records[0].Data, data, '1 MiB record');
    });

    it('AddTagsToStream, ListTagsForStream, RemoveTagsFromStream', async () => {
      const name = uniqueName('tags');
      created.push(name);
      await createActive(client, name, 1);
      const none = await client.send(new ListTagsForStreamCommand({ StreamName: name }));
      assert.deepEqual(none.Tags, []);
      assert.equal(none.HasMoreTags, false);

      await client.send(new AddTagsToStreamCommand({
        StreamName: name, Tags: { team: 'data', env: 'test', 'key with space': 'välue 1' },
      }));
      const all = await client.send(new ListTagsForStreamCommand({ StreamName: name }));
      assert.deepEqual(all.Tags, [
        { Key: 'env', Value: 'test' },
        { Key: 'key with space', Value: 'välue 1' },
        { Key: 'team', Value: 'data' },
      ]);
      assert.equal(all.HasMoreTags, false);

      const limited = await client.send(new ListTagsForStreamCommand({ StreamName: name, Limit: 1 }));
      assert.deepEqual(limited.Tags, [{ Key: 'env', Value: 'test' }]);
      assert.equal(limited.HasMoreTags, true);
      const rest = await client.send(new ListTagsForStreamCommand({
        StreamName: name, ExclusiveStartTagKey: 'env',
      }));
      assert.deepEqual(rest.Tags.map((t) => t.Key), ['key with space', 'team']);

      await client.send(new RemoveTagsFromStreamCommand({ StreamName: name, TagKeys: ['env', 'team'] }));
      const left = await client.send(new ListTagsForStreamCommand({ StreamName: name }));
      assert.deepEqual(left.Tags, [{ Key: 'key with space', Value: 'välue 1' }]);
    });

    it('errors: ResourceNotFoundException, ResourceInUseException, ValidationException', async () => {
      const missing = uniqueName('missing');
      await expectServiceError(client.send(new DescribeStreamSummaryCommand({ StreamName: missing })),
        ResourceNotFoundException, `Stream ${missing} under account ${ACCOUNT} not found.`);
      await expectServiceError(client.send(new PutRecordCommand({
        StreamName: missing, PartitionKey: 'p', Data: new Uint8Array([1]),
      })), ResourceNotFoundException, `Stream ${missing} under account ${ACCOUNT} not found.`);
      await expectServiceError(client.send(new DeleteStreamCommand({ StreamName: missing })),
        ResourceNotFoundException, `Stream ${missing} under account ${ACCOUNT} not found.`);

      await expectServiceError(client.send(new CreateStreamCommand({ StreamName: uniqueName('zero'), ShardCount: 0 })),
        ValidationException,
        "1 validation error detected: Value '0' at 'shardCount' failed to satisfy constraint: " +
        'Member must have value greater than or equal to 1');
      await expectServiceError(client.send(new CreateStreamCommand({ StreamName: 'not valid!', ShardCount: 1 })),
        ValidationException,
        "1 validation error detected: Value 'not valid!' at 'streamName' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+');
      await expectServiceError(client.send(new GetRecordsCommand({ ShardIterator: 'not-an-iterator' })),
        InvalidArgumentException, 'Invalid ShardIterator.');

      const name = uniqueName('inuse');
      created.push(name);
      await createActive(client, name, 1);
      await expectServiceError(client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 })),
        ResourceInUseException, new RegExp(name));
    });

    if (variant.h2) {
      it('the SDK talked HTTP/2 to the server', () => {
        const mine = h2Sessions.slice(sessionsBefore);
        assert.ok(mine.length > 0, 'the handler opened at least one HTTP/2 session');
        for (const s of mine) {
          assert.equal(new URL(s.authority).port, URL_.port, `session to ${s.authority}`);
          assert.equal(s.alpn, EXPECTED_ALPN, `negotiated protocol of a session to ${s.authority}`);
        }
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP/2 specifics.

function h2Connect() {
  return new Promise((resolve, reject) => {
    const session = realConnect(ENDPOINT, CA ? { ca: CA } : {});
    const onError = (err) => reject(err);
    const onClose = () => reject(new Error(`HTTP/2 session to ${ENDPOINT} closed before it connected`));
    session.once('error', onError);
    session.once('close', onClose);
    session.once('connect', () => {
      session.off('error', onError);
      session.off('close', onClose);
      session.on('error', () => {}); // reported through the streams
      resolve(session);
    });
  });
}

function awsHeaders(operation, extra = {}) {
  const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return {
    ':method': 'POST',
    ':path': '/',
    'content-type': JSON_CT,
    'x-amz-target': `Kinesis_20131202.${operation}`,
    'x-amz-date': date,
    authorization: `AWS4-HMAC-SHA256 Credential=a/${date.slice(0, 8)}/${REGION}/kinesis/aws4_request, ` +
      'SignedHeaders=host, Signature=00',
    ...extra,
  };
}

/**
 * One request on `session`. `body` is a string/Buffer (sent with end()) or an array of chunks (written one by one,
 * no content-length). Resolves with {status, headers, body(Buffer)}.
 */
function h2Request(session, headers, body) {
  return new Promise((resolve, reject) => {
    const req = session.request(headers);
    let response;
    const chunks = [];
    req.on('response', (h) => { response = h; });
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (!response) reject(new Error('stream ended without response headers'));
      else resolve({ status: response[':status'], headers: response, body: Buffer.concat(chunks) });
    });
    req.on('error', (err) => reject(err));
    req.on('frameError', (type, code, id) => reject(new Error(`frameError type ${type} code ${code} stream ${id}`)));
    req.on('close', () => {
      // After 'end' this is a no-op (the promise is settled); otherwise the stream was reset or cut short.
      reject(new Error(`stream closed before the response ended (rstCode ${req.rstCode}, ` +
        `response headers ${response ? 'received' : 'not received'})`));
    });
    if (Array.isArray(body)) {
      (async () => {
        for (const c of body) {
          if (!req.write(c)) await new Promise((r) => req.once('drain', r));
          await sleep(5);
        }
        req.end();
      })().catch(reject);
    } else {
      req.end(body);
    }
  });
}

function assertCommonH2Headers(res) {
  assert.match(res.headers['x-amzn-requestid'] ?? '', /^[0-9a-f-]{36}$/, 'x-amzn-requestid');
  assert.ok(res.headers['x-amz-id-2'], 'x-amz-id-2');
  assert.ok(res.headers.date && !Number.isNaN(Date.parse(res.headers.date)), `date: ${res.headers.date}`);
  for (const h of ['connection', 'keep-alive', 'transfer-encoding', 'upgrade']) {
    assert.equal(res.headers[h], undefined, `no connection-specific ${h} header in HTTP/2`);
  }
}

describe('HTTP/2 on the wire (node:http2 directly)', () => {
  let session;
  let client;
  let stream;

  before(async () => {
    session = await h2Connect();
    client = defaultClient();
    stream = uniqueName('h2');
    await createActive(client, stream, 1);
  });

  after(async () => {
    await deleteQuietly(client, stream);
    client.destroy();
    if (session && !session.destroyed) session.close();
  });

  it(`negotiates ${EXPECTED_ALPN} and answers a hand-made ListStreams`, async () => {
    assert.equal(session.alpnProtocol, EXPECTED_ALPN);
    assert.equal(session.encrypted, TLS);
    const res = await h2Request(session, awsHeaders('ListStreams'), '{}');
    assert.equal(res.status, 200, res.body.toString());
    assert.equal(res.headers['content-type'], JSON_CT);
    assertCommonH2Headers(res);
    const doc = JSON.parse(res.body.toString('utf8'));
    assert.ok(Array.isArray(doc.StreamNames), `StreamNames in ${res.body}`);
    assert.ok(doc.StreamNames.includes(stream));
    if (res.headers['content-length'] !== undefined) {
      assert.equal(Number(res.headers['content-length']), res.body.length);
    }
  });

  it('answers errors with the AWS JSON error shape', async () => {
    const missing = uniqueName('nope');
    const res = await h2Request(session, awsHeaders('DescribeStreamSummary'), JSON.stringify({ StreamName: missing }));
    assert.equal(res.status, 400, res.body.toString());
    assert.equal(res.headers['x-amzn-errortype']?.split(':')[0], 'ResourceNotFoundException');
    assertCommonH2Headers(res);
    assert.deepEqual(JSON.parse(res.body.toString('utf8')), {
      __type: 'ResourceNotFoundException',
      message: `Stream ${missing} under account ${ACCOUNT} not found.`,
    });
  });

  it('serves GET /health', async () => {
    const res = await h2Request(session, { ':method': 'GET', ':path': '/health' });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body.toString('utf8')), { status: 'ok' });
  });

  it('advertises and serves many concurrent streams: 20 ListStreams in parallel on one session', async () => {
    const max = session.remoteSettings.maxConcurrentStreams;
    assert.ok(max >= 20, `SETTINGS_MAX_CONCURRENT_STREAMS ${max} allows 20 concurrent streams`);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => h2Request(session, awsHeaders('ListStreams'), '{}')));
    const ids = new Set();
    for (const res of results) {
      assert.equal(res.status, 200, res.body.toString());
      assert.ok(JSON.parse(res.body.toString('utf8')).StreamNames.includes(stream));
      ids.add(res.headers['x-amzn-requestid']);
    }
    assert.equal(ids.size, 20, 'each response has its own request id');
    assert.equal(session.destroyed, false);
  });

  it('mixes operations on concurrent streams: 50 PutRecord + DescribeStreamSummary, each answered correctly', async () => {
    const puts = Array.from({ length: 50 }, (_, i) => h2Request(session, awsHeaders('PutRecord'), JSON.stringify({
      StreamName: stream, PartitionKey: `p${i}`, Data: Buffer.from(`record-${i}`).toString('base64'),
    })));
    const describes = Array.from({ length: 10 }, () =>
      h2Request(session, awsHeaders('DescribeStreamSummary'), JSON.stringify({ StreamName: stream })));
    const [putRes, descRes] = await Promise.all([Promise.all(puts), Promise.all(describes)]);
    const seqs = putRes.map((r) => {
      assert.equal(r.status, 200, r.body.toString());
      const doc = JSON.parse(r.body.toString('utf8'));
      assert.equal(doc.ShardId, 'shardId-000000000000');
      return doc.SequenceNumber;
    });
    assert.equal(new Set(seqs).size, 50, 'distinct sequence numbers');
    for (const r of descRes) {
      assert.equal(r.status, 200, r.body.toString());
      assert.equal(JSON.parse(r.body.toString('utf8')).StreamDescriptionSummary.StreamName, stream);
    }
  });

  it('reads a body sent in several DATA frames without content-length', async () => {
    const payload = JSON.stringify({ StreamName: stream, PartitionKey: 'chunked', Data: Buffer.from('abc').toString('base64') });
    const parts = [payload.slice(0, 10), payload.slice(10, 25), payload.slice(25)];
    const res = await h2Request(session, awsHeaders('PutRecord'), parts);
    assert.equal(res.status, 200, res.body.toString());
    assert.match(JSON.parse(res.body.toString('utf8')).SequenceNumber, /^\d+$/);
  });

  it('flow control: 4 concurrent ~1.4 MB request bodies and a ~5.6 MB response on one session', async () => {
    const big = uniqueName('flow');
    await createActive(client, big, 1);
    try {
      const datas = Array.from({ length: 4 }, () => crypto.randomBytes(1024 * 1024 - 2));
      const results = await Promise.all(datas.map((d, i) => h2Request(session, awsHeaders('PutRecord'),
        JSON.stringify({ StreamName: big, PartitionKey: `k${i}`, Data: d.toString('base64') }))));
      const seqs = results.map((r) => {
        assert.equal(r.status, 200, r.body.toString());
        return JSON.parse(r.body.toString('utf8')).SequenceNumber;
      });
      const itRes = await h2Request(session, awsHeaders('GetShardIterator'), JSON.stringify({
        StreamName: big, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON',
      }));
      assert.equal(itRes.status, 200, itRes.body.toString());
      const it = JSON.parse(itRes.body.toString('utf8')).ShardIterator;
      const got = new Map();
      let next = it;
      for (let i = 0; i < 10 && got.size < 4; i++) {
        const res = await h2Request(session, awsHeaders('GetRecords'), JSON.stringify({ ShardIterator: next }));
        assert.equal(res.status, 200, res.body.toString().slice(0, 500));
        const doc = JSON.parse(res.body.toString('utf8'));
        for (const r of doc.Records) got.set(r.SequenceNumber, Buffer.from(r.Data, 'base64'));
        next = doc.NextShardIterator;
      }
      assert.equal(got.size, 4);
      seqs.forEach((s, i) => assert.ok(got.get(s)?.equals(datas[i]), `record ${i} byte-exact`));
    } finally {
      await deleteQuietly(client, big);
    }
  });

  it('SDK with a shared NodeHttp2Handler multiplexes concurrent calls on one session', async () => {
    const handler = explicitH2Handler();
    const shared = new KinesisClient({ ...baseConfig(), requestHandler: handler });
    const before = h2Sessions.length;
    try {
      // Warm up: one call opens the session; the next 30 run concurrently on it.
      await shared.send(new ListStreamsCommand({}));
      const outs = await Promise.all(Array.from({ length: 30 }, (_, i) => shared.send(new PutRecordCommand({
        StreamName: stream, PartitionKey: `m${i}`, Data: new Uint8Array([i]),
      }))));
      assert.equal(new Set(outs.map((o) => o.SequenceNumber)).size, 30);
      const opened = h2Sessions.slice(before);
      assert.equal(opened.length, 1, 'one HTTP/2 session for 31 calls');
      assert.equal(opened[0].alpn, EXPECTED_ALPN);
      const pools = handler.connectionManager.debug();
      const sessions = Object.values(pools).flatMap((p) => p.sessions);
      assert.equal(sessions.length, 1, JSON.stringify(pools));
      assert.equal(sessions[0].totalRequests, 31, JSON.stringify(pools));
      assert.ok(sessions[0].maxConcurrent > 1, `streams were in flight together: ${JSON.stringify(pools)}`);
    } finally {
      shared.destroy();
    }
  });
});
