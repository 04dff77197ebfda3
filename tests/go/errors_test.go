package kinesisdgo

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// checkAPIError asserts the code, a client fault, HTTP 400 and (when given) a message fragment.
func checkAPIError(t *testing.T, err error, code, fragment string) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("want %s, got %T %v", code, err, err)
	}
	if api.ErrorCode() != code || api.ErrorFault() != smithy.FaultClient {
		t.Errorf("error code %q fault %v, want %q from the client side", api.ErrorCode(), api.ErrorFault(), code)
	}
	if !strings.Contains(api.ErrorMessage(), fragment) {
		t.Errorf("message %q lacks %q", api.ErrorMessage(), fragment)
	}
	var resp *awshttp.ResponseError
	if !errors.As(err, &resp) || resp.HTTPStatusCode() != http.StatusBadRequest {
		t.Errorf("want HTTP 400, got %v", err)
	}
}

func TestTypedErrors(t *testing.T) {
	transports(t, func(t *testing.T, c *kinesis.Client, https bool) {
		ctx := context.Background()
		missing := uniqueName("go-missing")

		_, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(missing)})
		var rnf *types.ResourceNotFoundException
		if !errors.As(err, &rnf) {
			t.Fatalf("DescribeStreamSummary of a missing stream: want *types.ResourceNotFoundException, got %T %v", err, err)
		}
		checkAPIError(t, err, "ResourceNotFoundException", "Stream "+missing+" under account 000000000000 not found.")

		_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(missing), PartitionKey: aws.String("k"), Data: []byte("x")})
		if !errors.As(err, &rnf) {
			t.Fatalf("PutRecord to a missing stream: want *types.ResourceNotFoundException, got %T %v", err, err)
		}

		// Out of the model's range (ShardCount >= 1): the SDK sends it, kinesisd's validator refuses it.
		_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(missing), ShardCount: aws.Int32(0)})
		var ve *types.ValidationException
		if !errors.As(err, &ve) {
			t.Fatalf("CreateStream with ShardCount 0: want *types.ValidationException, got %T %v", err, err)
		}
		checkAPIError(t, err, "ValidationException", "shardCount")

		name := uniqueName("go-errors")
		createActive(t, c, name, 1)
		_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)})
		var inUse *types.ResourceInUseException
		if !errors.As(err, &inUse) {
			t.Fatalf("CreateStream of an existing stream: want *types.ResourceInUseException, got %T %v", err, err)
		}

		// Below the 24-hour minimum.
		_, err = c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String(name), RetentionPeriodHours: aws.Int32(12)})
		var invalid *types.InvalidArgumentException
		if !errors.As(err, &invalid) {
			t.Fatalf("IncreaseStreamRetentionPeriod to 12 h: want *types.InvalidArgumentException, got %T %v", err, err)
		}
		checkAPIError(t, err, "InvalidArgumentException", "Minimum allowed retention period is 24 hours.")

		// A sequence number of another shard's or no real record.
		_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String("shardId-000000000000"),
			ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String("1")})
		if !errors.As(err, &invalid) {
			t.Fatalf("GetShardIterator at sequence number 1: want *types.InvalidArgumentException, got %T %v", err, err)
		}
	})
}
