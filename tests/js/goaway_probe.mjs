// Helper of tests/e2e/test_js_sdk.py (not a test file: `node --test` does not pick it up).
// Opens one HTTP/2 session to KINESISD_ENDPOINT (trusting KINESISD_CA for https), completes one ListStreams on it,
// prints "ready", then waits for the server's GOAWAY (sent when it is told to stop) and prints one JSON line:
//   {"goaway": true, "code": <error code>, "lastStreamID": <n>, "closed": <bool>}
// Exits 0 when a GOAWAY arrived within KINESISD_GOAWAY_WAIT_MS (default 10000), 1 otherwise.
import fs from 'node:fs';
import http2 from 'node:http2';

const endpoint = process.env.KINESISD_ENDPOINT;
const ca = process.env.KINESISD_CA ? fs.readFileSync(process.env.KINESISD_CA) : undefined;
const waitMs = Number(process.env.KINESISD_GOAWAY_WAIT_MS ?? 10000);
const session = http2.connect(endpoint, ca ? { ca } : {});
let result = { goaway: false };
session.on('error', (err) => { result.sessionError = `${err.name}: ${err.message} (${err.code ?? ''})`; });
session.on('goaway', (code, lastStreamID) => {
  result = { ...result, goaway: true, code, lastStreamID };
});
session.on('close', () => {
  result.closed = true;
  finish();
});

function finish() {
  console.log(JSON.stringify(result));
  process.exit(result.goaway ? 0 : 1);
}

const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const req = session.request({
  ':method': 'POST',
  ':path': '/',
  'content-type': 'application/x-amz-json-1.1',
  'x-amz-target': 'Kinesis_20131202.ListStreams',
  'x-amz-date': date,
  authorization: `AWS4-HMAC-SHA256 Credential=a/${date.slice(0, 8)}/us-east-1/kinesis/aws4_request, ` +
    'SignedHeaders=host, Signature=00',
});
let status;
req.on('response', (h) => { status = h[':status']; });
req.on('data', () => {});
req.on('error', (err) => {
  console.log(JSON.stringify({ ready: false, error: `${err.name}: ${err.message}` }));
  process.exit(2);
});
req.on('end', () => {
  if (status !== 200) {
    console.log(JSON.stringify({ ready: false, status }));
    process.exit(2);
  }
  console.log('ready');
  setTimeout(finish, waitMs);
});
req.end('{}');
