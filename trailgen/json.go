package trailgen

import (
	"strconv"
	"time"
)

// The events are written with appends rather than encoding/json: a million
// events must take seconds, not a minute. Every string goes through
// appendStr, which escapes what JSON requires.

const hexDigits = "0123456789abcdef"

// appendStr appends s as a JSON string.
func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendKV appends ,"key":"value" (or without the comma when first).
func appendKV(b []byte, first bool, key, value string) []byte {
	if !first {
		b = append(b, ',')
	}
	b = appendStr(b, key)
	b = append(b, ':')
	return appendStr(b, value)
}

// appendKey appends ,"key": (or without the comma when first).
func appendKey(b []byte, first bool, key string) []byte {
	if !first {
		b = append(b, ',')
	}
	b = appendStr(b, key)
	return append(b, ':')
}

func appendInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }

func appendBool(b []byte, v bool) []byte { return strconv.AppendBool(b, v) }

// appendTime appends the time of Unix second sec as CloudTrail writes it:
// "2006-01-02T15:04:05Z".
func appendTime(b []byte, sec int64) []byte {
	b = append(b, '"')
	b = time.Unix(sec, 0).UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
	return append(b, '"')
}
