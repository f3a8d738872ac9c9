// Package sigv4 is the server side of AWS Signature Version 4: it decides
// whether a request really comes from the holder of an access key, the way
// an AWS front end does before the request reaches the service.
//
// ctlake speaks the CloudTrail API to unmodified AWS clients (the AWS CLI,
// botocore, aws-sdk-go-v2). Those clients always sign, and they react to
// failures by error code, so Verify recomputes the signature exactly as the
// SDKs build it and refuses with the codes and HTTP statuses AWS uses
// (MissingAuthenticationTokenException, IncompleteSignatureException,
// InvalidSignatureException, UnrecognizedClientException). A client that
// gets one of these behaves as it would against AWS: aws-sdk-go-v2 corrects
// its clock from the response's Date header and retries on a skew error,
// and the CLI prints a message its user already knows how to act on.
//
// # What a valid signature proves
//
//   - The caller knows the secret of the access key in the credential scope.
//   - The method, path, query string, every header listed in SignedHeaders
//     and the whole body are what the caller signed. The body is hashed
//     here, never taken on trust from X-Amz-Content-Sha256.
//   - The request was signed for this service and within MaxSkew of now,
//     which bounds how long a captured request can be replayed.
//
// Headers the client did not sign prove nothing. The SDKs and the CLI sign
// X-Amz-Target, but a handler that wants to rely on it must check that it
// is in SignedHeaders.
//
// # What is not supported
//
// Only the Authorization header form is accepted. Presigned URLs (the
// X-Amz-Algorithm query-string form) are refused: the CloudTrail clients
// never use them, and accepting them would turn any leaked URL into a
// bearer token. So are SigV4a (AWS4-ECDSA-P256-SHA256), unsigned and
// streaming payloads, and S3's single-encoded paths. Session tokens
// (X-Amz-Security-Token) are signed like any other header but not
// validated: an access key is known through Credentials alone.
package sigv4
