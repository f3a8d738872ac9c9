// Package awsjson is the AWS JSON 1.1 protocol as a server speaks it: the
// X-Amz-Target header, request bodies decoded with the protocol's typing
// rules, responses and errors encoded the way botocore and aws-sdk-go-v2
// parse them. It knows nothing of CloudTrail.
package awsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// ContentType is the media type of requests and responses.
const ContentType = "application/x-amz-json-1.1"

// Error is a protocol-level refusal: a body that is not JSON, a member of
// the wrong type, an unknown operation.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Operation returns the operation a X-Amz-Target value names. Clients spell
// the target two ways: the model's targetPrefix
// ("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.Op", botocore and
// the AWS CLI) and the service shape name ("CloudTrail_20131101.Op",
// Smithy-generated SDKs such as aws-sdk-go-v2). targetPrefix is the long
// form; the short form is its last dotted element.
func Operation(target, targetPrefix string) (op string, ok bool) {
	short := targetPrefix[strings.LastIndex(targetPrefix, ".")+1:]
	for _, prefix := range []string{targetPrefix + ".", short + "."} {
		if rest, found := strings.CutPrefix(target, prefix); found && rest != "" && !strings.Contains(rest, ".") {
			return rest, true
		}
	}
	return "", false
}

// Decode decodes a request body into v, a pointer to a struct. An empty
// body counts as {} (some clients send nothing for operations without
// members). Any syntax or type error is a SerializationException that names
// the member at fault.
func Decode(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if body[0] != '{' {
		return &Error{Status: http.StatusBadRequest, Code: "SerializationException", Message: "The request body must be a JSON object."}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return serializationError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &Error{Status: http.StatusBadRequest, Code: "SerializationException", Message: "The request body has data after its JSON object."}
	}
	return nil
}

func serializationError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var e *Error
	msg := "The request body is not valid JSON."
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "(body)"
		}
		msg = fmt.Sprintf("The member %s has the wrong type: a JSON %s cannot be read as %s.", field, typeErr.Value, describe(typeErr.Type.String()))
	case errors.As(err, &syntaxErr):
		msg = fmt.Sprintf("The request body is not valid JSON (at byte %d): %v.", syntaxErr.Offset, syntaxErr)
	case errors.Is(err, io.ErrUnexpectedEOF):
		msg = "The request body ends in the middle of its JSON."
	}
	return &Error{Status: http.StatusBadRequest, Code: "SerializationException", Message: msg}
}

// describe names a Go type in the protocol's terms.
func describe(goType string) string {
	t := strings.TrimLeft(goType, "*")
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "an object"
	case t == "string":
		return "a string"
	case t == "bool":
		return "a boolean"
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint"):
		return "an integer"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case strings.HasSuffix(t, "Time"):
		return "a timestamp (epoch seconds)"
	}
	return "an object"
}

// WriteResponse writes v as a 200 JSON response.
func WriteResponse(w http.ResponseWriter, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}

// WriteError writes an error response. The code goes into the body's
// "__type", the one place botocore reads it; the X-Amzn-ErrorType header is
// left out because aws-sdk-go-v2 would prefer it to the body, and one source
// of truth cannot disagree with itself.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{code, message})
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}
