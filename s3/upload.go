package s3

import (
	"bytes"
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// uploadPartSize is the size of each part of a multipart upload but the
// last, and so the memory an upload holds: S3 wants at least 5 MiB a part
// and allows 10,000 parts, so 8 MiB parts carry objects up to 78 GiB, far
// above the largest query result (--max-result-bytes).
const uploadPartSize = 8 << 20

// upload is an io.Writer that streams an object to S3 in bounded memory: a
// small object goes up in one PutObject at Close, a larger one as a
// multipart upload, one part at a time.
type upload struct {
	ctx                          context.Context
	client                       *s3.Client
	bucket, key                  string
	contentType, contentEncoding string

	buf      bytes.Buffer
	uploadID *string // set once the multipart upload has begun
	parts    []types.CompletedPart
}

func newUpload(ctx context.Context, client *s3.Client, bucket, key, contentType, contentEncoding string) *upload {
	return &upload{ctx: ctx, client: client, bucket: bucket, key: key, contentType: contentType, contentEncoding: contentEncoding}
}

// Write buffers p, sending each full part.
func (u *upload) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		room := uploadPartSize - u.buf.Len()
		take := min(room, len(p))
		u.buf.Write(p[:take])
		p = p[take:]
		if u.buf.Len() == uploadPartSize {
			if err := u.sendPart(); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

// sendPart uploads the buffer as the next part, beginning the multipart
// upload first if need be.
func (u *upload) sendPart() error {
	if u.uploadID == nil {
		out, err := u.client.CreateMultipartUpload(u.ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(u.bucket), Key: aws.String(u.key),
			ContentType: aws.String(u.contentType), ContentEncoding: aws.String(u.contentEncoding)})
		if err != nil {
			return fmt.Errorf("begin the upload of s3://%s/%s: %w", u.bucket, u.key, err)
		}
		u.uploadID = out.UploadId
	}
	number := aws.Int32(int32(len(u.parts) + 1))
	out, err := u.client.UploadPart(u.ctx, &s3.UploadPartInput{Bucket: aws.String(u.bucket), Key: aws.String(u.key),
		UploadId: u.uploadID, PartNumber: number, Body: bytes.NewReader(u.buf.Bytes())})
	if err != nil {
		return fmt.Errorf("upload part %d of s3://%s/%s: %w", *number, u.bucket, u.key, err)
	}
	u.parts = append(u.parts, types.CompletedPart{ETag: out.ETag, PartNumber: number})
	u.buf.Reset()
	return nil
}

// Close writes what is buffered and completes the object.
func (u *upload) Close() error {
	if u.uploadID == nil {
		_, err := u.client.PutObject(u.ctx, &s3.PutObjectInput{Bucket: aws.String(u.bucket), Key: aws.String(u.key),
			Body: bytes.NewReader(u.buf.Bytes()), ContentType: aws.String(u.contentType), ContentEncoding: aws.String(u.contentEncoding)})
		if err != nil {
			return fmt.Errorf("write s3://%s/%s: %w", u.bucket, u.key, err)
		}
		return nil
	}
	if u.buf.Len() > 0 {
		if err := u.sendPart(); err != nil {
			return err
		}
	}
	_, err := u.client.CompleteMultipartUpload(u.ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(u.bucket), Key: aws.String(u.key),
		UploadId: u.uploadID, MultipartUpload: &types.CompletedMultipartUpload{Parts: u.parts}})
	if err != nil {
		return fmt.Errorf("complete the upload of s3://%s/%s: %w", u.bucket, u.key, err)
	}
	return nil
}

// Abort gives up the object: a multipart upload begun is aborted, so that
// the bucket keeps none of its parts.
func (u *upload) Abort() error {
	if u.uploadID == nil {
		return nil
	}
	_, err := u.client.AbortMultipartUpload(context.WithoutCancel(u.ctx), &s3.AbortMultipartUploadInput{Bucket: aws.String(u.bucket),
		Key: aws.String(u.key), UploadId: u.uploadID})
	return err
}
