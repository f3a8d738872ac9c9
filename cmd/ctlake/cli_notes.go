package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/api"
	"github.com/ctlake/ctlake/awsjson"
)

// importNotes calls GetImportNotes, ctlake's extension operation, signed
// as the SDK signs every call: what the import passed over and why. It
// returns nil on AWS, which has no such operation.
func (c *cli) importNotes(ctx context.Context, id string) (*api.ImportNotes, error) {
	if c.endpoint == "" {
		return nil, nil
	}
	body, err := json.Marshal(api.ImportRef{ImportId: &id})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", awsjson.ContentType)
	req.Header.Set("X-Amz-Target", api.TargetPrefix+".GetImportNotes")
	opts := c.ct.Options()
	creds, err := opts.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "cloudtrail", c.region, time.Now()); err != nil {
		return nil, err
	}
	client := opts.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &e) != nil || e.Type == "" {
			return nil, fmt.Errorf("GetImportNotes: HTTP %d", resp.StatusCode)
		}
		if e.Type == ctlake.UnknownOperationException {
			return nil, nil // a ctlake older than the extension
		}
		return nil, &smithy.GenericAPIError{Code: e.Type, Message: e.Message}
	}
	var out api.ImportNotes
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("GetImportNotes: %w", err)
	}
	return &out, nil
}
