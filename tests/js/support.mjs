// Helpers shared by the JS SDK suites (kinesis.test.mjs, subscribe.test.mjs).
import assert from 'node:assert/strict';

/** Expect `promise` to reject with an SDK service exception of class `cls`. */
export async function expectServiceError(promise, cls, message) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${cls.name}, but the call succeeded`);
  assert.equal(err.name, cls.name, `expected ${cls.name}, got ${err.name}: ${err.message}\n${err.stack}`);
  assert.ok(err instanceof cls, `error is not an instance of ${cls.name}`);
  assert.equal(err.$fault, 'client');
  assert.equal(err.$metadata.httpStatusCode, 400);
  assert.match(err.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/, 'x-amzn-RequestId on the error');
  if (message instanceof RegExp) {
    assert.match(err.message, message);
  } else if (message !== undefined) {
    assert.equal(err.message, message);
  }
  return err;
}
