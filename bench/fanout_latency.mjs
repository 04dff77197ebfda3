// The JS half of bench/fanout_latency.py (run with --js): SubscribeToShard latency with the AWS SDK for
// JavaScript v3 over HTTP/2. The subscription uses the client's default request handler (NodeHttp2Handler,
// a session of its own); the puts share one multiplexed HTTP/2 session, so a put does not pay a connection
// set-up. Prints one JSON line: {"ack": [ms...], "send": [ms...], "put": [ms...]}.
//
// Usage: node bench/fanout_latency.mjs ENDPOINT STREAM CONSUMER_ARN RECORDS RECORD_BYTES
// The SDK is loaded from tests/js/node_modules.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'js', 'package.json'));
const { KinesisClient, PutRecordCommand, SubscribeToShardCommand } = require('@aws-sdk/client-kinesis');
const { NodeHttp2Handler } = require('@smithy/node-http-handler');

const [endpoint, stream, consumerARN, recordsArg, bytesArg] = process.argv.slice(2);
const records = Number(recordsArg);
const recordBytes = Math.max(16, Number(bytesArg));
const base = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 };
const subClient = new KinesisClient(base);
const putClient = new KinesisClient({ ...base, requestHandler: new NodeHttp2Handler() });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const delivered = new Map();
let duplicates = 0;
let allIn;
const allInPromise = new Promise((r) => { allIn = r; });
let firstEvent;
const firstEventPromise = new Promise((r) => { firstEvent = r; });

const controller = new AbortController();
const out = await subClient.send(new SubscribeToShardCommand({
  ConsumerARN: consumerARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' },
}), { abortSignal: controller.signal });
const reading = (async () => {
  try {
    for await (const event of out.EventStream) {
      const now = performance.now();
      firstEvent();
      for (const rec of event.SubscribeToShardEvent?.Records ?? []) {
        const data = Buffer.from(rec.Data);
        const index = Number(data.readBigUInt64LE(0));
        if (delivered.has(index)) duplicates++;
        delivered.set(index, { at: now, sent: data.readDoubleLE(8) }); // the send time the record carries
      }
      if (delivered.size >= records) allIn();
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  }
})();
await Promise.race([firstEventPromise, sleep(10_000)]);

const acked = [];
for (let i = 0; i < records; i++) {
  const data = Buffer.alloc(recordBytes, 'x');
  const tSend = performance.now();
  data.writeBigUInt64LE(BigInt(i), 0);
  data.writeDoubleLE(tSend, 8);
  await putClient.send(new PutRecordCommand({ StreamName: stream, PartitionKey: 'k', Data: data }));
  acked.push(performance.now());
  await sleep(5 + Math.random() * 5);
}
await Promise.race([allInPromise, sleep(15_000)]);
controller.abort();
await Promise.race([reading, sleep(5_000)]);
subClient.destroy();
putClient.destroy();

const missing = [];
for (let i = 0; i < records; i++) if (!delivered.has(i)) missing.push(i);
if (missing.length > 0 || duplicates > 0) {
  console.error(`records missing: ${missing.length} (first ${missing.slice(0, 5)}), duplicates: ${duplicates}`);
  process.exit(1);
}
const result = { ack: [], send: [], put: [] };
for (let i = 0; i < records; i++) {
  const { at, sent } = delivered.get(i);
  result.ack.push(at - acked[i]);
  result.send.push(at - sent);
  result.put.push(acked[i] - sent);
}
console.log(JSON.stringify(result));
process.exit(0);
