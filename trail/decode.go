package trail

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"

	"github.com/ctlake/ctlake"
)

// DefaultMaxUncompressed is the inflated-size cap Decode applies when it is
// given none. The largest trail log file is 50 MB compressed, and trail
// JSON compresses about 10×, so 1 GiB leaves room for any real file while
// stopping a gzip bomb.
const DefaultMaxUncompressed = 1 << 30

// FileError is why a file cannot be imported. Type is one of the
// ctlake.Failure* constants (FailureInvalidFileFormat,
// FailureInvalidEventRecord, FailureNotTrailLog); Message says what is
// wrong and where, for ListImportFailures.
type FileError struct {
	Type    string
	Message string
}

func (e *FileError) Error() string { return e.Type + ": " + e.Message }

func invalidFile(format string, args ...any) *FileError {
	return &FileError{Type: ctlake.FailureInvalidFileFormat, Message: fmt.Sprintf(format, args...)}
}

// Decode reads one gzip-compressed trail log file ({"Records":[...]})
// from r and calls sink once per record, in file order, each time with a
// new Event that sink may keep.
//
// Records reach sink as they are decoded, before the rest of the file has
// been read: the file can still turn out to be bad afterwards (a later
// record, a truncated gzip stream, a checksum that does not match). A
// caller that must not import part of a file buffers what sink receives
// and drops it when Decode returns an error. Memory follows the largest
// record (the window doubles until one fits), not the size of the file.
//
// maxUncompressed caps the inflated size; a file that inflates beyond it
// fails without being inflated further. Zero or less means
// DefaultMaxUncompressed.
//
// Errors:
//   - a file that cannot be imported is a *FileError: InvalidFileFormat
//     (not gzip, corrupt or truncated gzip, over maxUncompressed, invalid
//     JSON or UTF-8, no "Records" array), InvalidEventRecord (a record
//     that is not an object or lacks a parsable eventTime; the message
//     names the record as Records[i], counting from 0) or NotTrailLog (a
//     CloudTrail digest file or an AWS Config file);
//   - an error from sink is returned unchanged, and decoding stops;
//   - an error from r is returned wrapped (errors.Is/As see it): it is a
//     fault of the source, not of the file.
func Decode(r io.Reader, maxUncompressed int64, sink func(*ctlake.Event) error) error {
	bp := buffers.Get().(*[]byte)
	d, err := decode(r, maxUncompressed, sink, *bp)
	if d == nil || len(d.in.buf) == bufferSize { // unused, or it did not have to grow
		buffers.Put(bp)
	}
	return err
}

// decode is Decode with buf as the initial window (tests make it tiny to
// move every boundary). It returns the decoder for inspection.
func decode(r io.Reader, maxUncompressed int64, sink func(*ctlake.Event) error, buf []byte) (*decoder, error) {
	if maxUncompressed <= 0 {
		maxUncompressed = DefaultMaxUncompressed
	}
	src := &sourceReader{r: r}
	gr := gunzipPool.Get().(*gunzip)
	defer func() {
		gr.br.Reset(nil) // let go of r
		gunzipPool.Put(gr)
	}()
	if err := gr.reset(src); err != nil {
		return nil, gzipError(src, err)
	}
	d := &decoder{
		src: src,
		in:  stream{src: &limitReader{r: gr, n: maxUncompressed}, buf: buf, keep: -1},
		max: maxUncompressed,
	}
	return d, d.file(sink)
}

// bufferSize is the initial window on the inflated file: most trail files
// fit in it whole.
const bufferSize = 256 << 10

var (
	gunzipPool = sync.Pool{New: func() any { return new(gunzip) }}
	buffers    = sync.Pool{New: func() any { b := make([]byte, bufferSize); return &b }}
)

// errNotMember is data after a gzip member that is not another member.
var errNotMember = errors.New("data after the gzip stream is not gzip")

// gunzip inflates a gzip file of one or more members (concatenated gzip
// files are one stream, as for gzip(1)). It reads members one at a time
// so that bytes after the last member are reported as what they are, not
// as a truncated member.
type gunzip struct {
	br *bufio.Reader
	zr *gzip.Reader
}

func (g *gunzip) reset(r io.Reader) error {
	if g.br == nil {
		g.br = bufio.NewReaderSize(r, 32<<10)
	} else {
		g.br.Reset(r)
	}
	var err error
	if g.zr == nil {
		g.zr, err = gzip.NewReader(g.br)
	} else {
		err = g.zr.Reset(g.br)
	}
	if err != nil {
		return err
	}
	g.zr.Multistream(false)
	return nil
}

func (g *gunzip) Read(p []byte) (int, error) {
	n, err := g.zr.Read(p)
	if err != io.EOF {
		return n, err
	}
	// The end of a member, its checksum verified: the end of the file,
	// or another member.
	head, perr := g.br.Peek(2)
	switch {
	case len(head) == 0 && perr == io.EOF:
		return n, io.EOF
	case len(head) == 0:
		return n, perr
	case len(head) < 2 || head[0] != 0x1f || head[1] != 0x8b:
		return n, errNotMember
	}
	if err := g.zr.Reset(g.br); err != nil {
		return n, err
	}
	g.zr.Multistream(false)
	return n, nil
}

// gzipError explains why the compressed stream could not be read.
func gzipError(src *sourceReader, err error) error {
	if src.err != nil {
		return fmt.Errorf("trail: read log file: %w", src.err)
	}
	var corrupt flate.CorruptInputError
	switch {
	case err == errNotMember:
		return invalidFile("the gzip stream is followed by data that is not gzip")
	case err == io.EOF && src.nhead == 0:
		return invalidFile("the file is empty; a trail log file is gzip-compressed JSON")
	case errors.Is(err, gzip.ErrHeader) || (err == io.EOF || err == io.ErrUnexpectedEOF) && src.nhead < 2:
		return invalidFile("the file is not gzip-compressed (%s); a trail log file is gzip-compressed JSON", describeHead(src))
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		return invalidFile("the gzip stream is truncated")
	case errors.Is(err, gzip.ErrChecksum):
		return invalidFile("the gzip checksum does not match the content: the file is corrupt")
	case errors.As(err, &corrupt):
		return invalidFile("the gzip stream is corrupt at compressed byte %d", int64(corrupt))
	}
	return invalidFile("the gzip stream cannot be read: %v", err)
}

// describeHead says what the file starts with instead of a gzip header,
// by kind, never by quoting it: the file may be anything a link or a
// mistaken prefix led to (a password file, a key).
func describeHead(src *sourceReader) string {
	head := src.head[:src.nhead]
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return "it has a gzip signature but an invalid header"
	case len(head) > 0 && (head[0] == '{' || head[0] == '['):
		return "it looks like uncompressed JSON"
	case len(head) >= 2 && head[0] == 'P' && head[1] == 'K':
		return "it looks like a zip archive"
	}
	for _, c := range head {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7f {
			return "it looks like binary data of another format"
		}
	}
	return "it looks like plain text"
}

// decoder holds the state of one Decode call.
type decoder struct {
	src *sourceReader
	in  stream
	max int64
	rec recordDecoder
}

// file reads the top-level object and streams its Records to sink.
func (d *decoder) file(sink func(*ctlake.Event) error) error {
	in := &d.in
	c, ok := in.peek()
	if !ok {
		if in.err == io.EOF {
			return invalidFile("the file inflates to no JSON at all")
		}
		return d.readError()
	}
	if c != '{' {
		// Judged by the first byte alone: reading on could mean buffering
		// a gigabyte of something that is not a trail log anyway.
		if strings.IndexByte(valueStart, c) >= 0 {
			return invalidFile("the file is not a JSON object {\"Records\":[...]}: it starts with %s", quoteByte(c))
		}
		return invalidFile("the file is not JSON: it starts with %s", quoteByte(c))
	}
	in.r++
	var haveRecords, digest, config bool
	for first := true; ; first = false {
		c, ok := in.peek()
		if !ok {
			return d.endError(-1)
		}
		if c == '}' {
			in.r++
			break
		}
		if !first {
			if c != ',' {
				return d.badJSON(-1, "invalid character %s, want ',' or '}' after a top-level member", quoteByte(c))
			}
			in.r++
			if c, ok = in.peek(); !ok {
				return d.endError(-1)
			}
		}
		if c != '"' {
			return d.badJSON(-1, "invalid character %s, want a string key", quoteByte(c))
		}
		at := in.offset()
		raw, ok := in.capture()
		if !ok {
			return d.endError(-1)
		}
		var p parser
		p.reset(string(raw))
		key, err := p.str()
		if err == nil {
			err = p.done()
		}
		if err != nil {
			return d.parseError(-1, at, err)
		}
		if c, ok = in.peek(); !ok {
			return d.endError(-1)
		}
		if c != ':' {
			return d.badJSON(-1, "invalid character %s, want ':' after a top-level key", quoteByte(c))
		}
		in.r++
		switch key {
		case "Records":
			if haveRecords {
				return invalidFile("the file has two Records members")
			}
			haveRecords = true
			if err := d.records(sink); err != nil {
				return err
			}
			continue
		case "digestStartTime", "digestEndTime", "logFiles":
			digest = true
		case "configurationItems":
			config = true
		}
		at = in.offset()
		raw, ok = in.capture()
		if !ok {
			return d.endError(-1)
		}
		p.reset(string(raw))
		if err := p.skip(1); err != nil {
			return d.parseError(-1, at, err)
		}
		if err := p.done(); err != nil {
			return d.parseError(-1, at, err)
		}
	}
	// Read to the end: only whitespace may follow, and the gzip trailer's
	// checksum is verified only at the end of the stream.
	if c, ok := in.peek(); ok {
		return d.badJSON(-1, "invalid character %s after the top-level object", quoteByte(c))
	}
	if in.err != io.EOF {
		return d.readError()
	}
	switch {
	case haveRecords:
		return nil
	case digest:
		return &FileError{Type: ctlake.FailureNotTrailLog, Message: "this is a CloudTrail digest file (digestStartTime, logFiles), not a log file with Records"}
	case config:
		return &FileError{Type: ctlake.FailureNotTrailLog, Message: "this is an AWS Config file (configurationItems), not a CloudTrail log file"}
	}
	return invalidFile("the file has no Records array: a trail log file is a JSON object {\"Records\":[...]}")
}

// valueStart holds the bytes that can start a JSON value.
const valueStart = `{["-0123456789tfn`

// records reads the Records array, whose key and colon have been read.
func (d *decoder) records(sink func(*ctlake.Event) error) error {
	in := &d.in
	c, ok := in.peek()
	if !ok {
		return d.endError(-1)
	}
	if c != '[' {
		if strings.IndexByte(valueStart, c) < 0 {
			return d.badJSON(-1, "invalid character %s, want the Records array", quoteByte(c))
		}
		return invalidFile("Records is %s, not an array", kind(c))
	}
	in.r++
	for i := 0; ; i++ {
		c, ok := in.peek()
		if !ok {
			return d.endError(i)
		}
		if c == ']' {
			in.r++
			return nil
		}
		if i > 0 {
			if c != ',' {
				return d.badJSON(i, "invalid character %s, want ',' or ']' after a record", quoteByte(c))
			}
			in.r++
		}
		at := in.offset()
		raw, ok := in.capture()
		if !ok {
			return d.endError(i)
		}
		ev, err := d.rec.decode(string(raw))
		if err != nil {
			return d.parseError(i, at, err)
		}
		if err := sink(ev); err != nil {
			return err
		}
	}
}

// parseError turns an error from the parser for the value at inflated
// offset at, inside record i (if i ≥ 0), into a FileError.
func (d *decoder) parseError(i int, at int64, err error) error {
	var se *syntaxError
	if errors.As(err, &se) {
		return invalidJSON(i, at+int64(se.off), se.msg)
	}
	return &FileError{Type: ctlake.FailureInvalidEventRecord, Message: fmt.Sprintf("Records[%d] %s", i, err)}
}

// badJSON is invalid JSON at the stream's position, inside record i
// if i ≥ 0.
func (d *decoder) badJSON(i int, format string, args ...any) error {
	return invalidJSON(i, d.in.offset(), fmt.Sprintf(format, args...))
}

func invalidJSON(i int, at int64, msg string) *FileError {
	if i >= 0 {
		return invalidFile("Records[%d]: invalid JSON at byte %d of the inflated file: %s", i, at, msg)
	}
	return invalidFile("invalid JSON at byte %d of the inflated file: %s", at, msg)
}

// endError explains why the input ended inside the JSON text, inside
// record i if i ≥ 0.
func (d *decoder) endError(i int) error {
	if d.in.err == io.EOF {
		return invalidJSON(i, d.in.off+int64(d.in.w), "unexpected end of JSON (the file is cut short)")
	}
	return d.readError()
}

// readError explains an error from the inflated stream other than its
// normal end.
func (d *decoder) readError() error {
	switch d.in.err {
	case errTooLarge:
		return invalidFile("the file inflates to more than %d bytes (the limit); it is not a CloudTrail log file or it is a gzip bomb", d.max)
	case errValueTooLarge:
		return invalidFile("a record (or other JSON value) of the file is larger than %d bytes once inflated (the limit); it is not a CloudTrail record, or the file is a gzip bomb", maxValueBytes)
	}
	return gzipError(d.src, d.in.err)
}
