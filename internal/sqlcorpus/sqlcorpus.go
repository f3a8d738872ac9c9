// Package sqlcorpus reads the files of SQL statements the tests run: the
// queries AWS publishes for CloudTrail Lake (aws_examples.sql, kept here,
// the one copy both the SQL front end's tests and the end-to-end corpus
// test read), the threat-hunting corpus and the statements the front end
// must refuse. It is for tests only.
//
// A file is a list of entries. An entry starts with a line
// "-- ==== <name>"; the "-- @key value" lines right after it are its
// header; the rest, up to the next entry, is its statement. Text before
// the first entry is the file's own comment.
package sqlcorpus

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Entry is one statement of a corpus file.
type Entry struct {
	File   string            // the file's base name
	Name   string            // the text after "-- ==== "
	Line   int               // the line of that text, from 1
	Header map[string]string // the "-- @key value" lines after it
	// SQL is the statement as written, without the blank lines before and
	// after it.
	SQL string
}

//go:embed aws_examples.sql
var awsExamples string

// AWSExamples returns the CloudTrail Lake queries AWS publishes, as
// aws_examples.sql holds them: each names the store by the placeholder
// of its Header["placeholder"].
func AWSExamples() ([]Entry, error) { return Parse("aws_examples.sql", awsExamples) }

// ReadFile reads and parses the corpus file at path.
func ReadFile(path string) ([]Entry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(filepath.Base(path), string(b))
}

// Parse parses the text of a corpus file named file. An entry without a
// statement, a header line without a key, or a key given twice is an
// error.
func Parse(file, text string) ([]Entry, error) {
	var out []Entry
	var cur *Entry
	var body []string
	inHeader := false
	flush := func() error {
		if cur == nil {
			return nil
		}
		cur.SQL = strings.TrimLeft(strings.TrimRight(strings.Join(body, "\n"), "\n"), "\n")
		if strings.TrimSpace(cur.SQL) == "" {
			return fmt.Errorf("%s:%d: entry %s has no statement", file, cur.Line, cur.Name)
		}
		out = append(out, *cur)
		return nil
	}
	for i, line := range strings.Split(text, "\n") {
		if name, ok := strings.CutPrefix(line, "-- ==== "); ok {
			if err := flush(); err != nil {
				return nil, err
			}
			cur, body, inHeader = &Entry{File: file, Name: strings.TrimSpace(name), Line: i + 1, Header: map[string]string{}}, nil, true
			continue
		}
		if cur == nil {
			continue
		}
		if inHeader {
			if h, ok := strings.CutPrefix(line, "-- @"); ok {
				key, value, _ := strings.Cut(h, " ")
				if key == "" {
					return nil, fmt.Errorf("%s:%d: a header line without a key", file, i+1)
				}
				if _, dup := cur.Header[key]; dup {
					return nil, fmt.Errorf("%s:%d: entry %s has @%s twice", file, i+1, cur.Name, key)
				}
				cur.Header[key] = value
				continue
			}
			inHeader = false
		}
		body = append(body, line)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}
