package trail

import (
	"bytes"
	"errors"
	"io"
)

// stream is a window on the inflated file. It finds where each value
// ends without interpreting it (strings, escapes and bracket depth only),
// so a record can be handed whole to the parser while the rest of the file
// stays unread. The window holds the value being captured and a read-ahead
// chunk; it grows only when one value is larger than half of it, so memory
// follows the largest record, not the file.
type stream struct {
	src  *limitReader
	buf  []byte
	r, w int   // unread bytes are buf[r:w]
	keep int   // start of the value being captured, or -1
	off  int64 // offset in the inflated file of buf[0]
	err  error // why src gave no more: io.EOF at its end
}

// errTooLarge is the inflated file growing past maxUncompressed.
var errTooLarge = errors.New("inflated size over the limit")

// maxValueBytes bounds one captured value (a record, or a top-level member
// other than Records), so that memory stays bounded by it and not by the
// inflated size: a 1 MB gzip of one endless string would otherwise grow
// the window to gigabytes. CloudTrail records are kilobytes (it omits
// request and response elements that are too large), so 32 MiB is far
// above any real one.
const maxValueBytes = 32 << 20

// errValueTooLarge is one value growing past maxValueBytes.
var errValueTooLarge = errors.New("one JSON value over the limit")

// fill reads more of src into the window, making room first. It reports
// false, with s.err set, when src has nothing more.
func (s *stream) fill() bool {
	if s.err != nil {
		return false
	}
	if s.w == len(s.buf) {
		start := s.r
		if s.keep >= 0 {
			start = s.keep
		}
		live := s.w - start
		buf := s.buf
		if live > len(buf)/2 && live >= maxValueBytes {
			s.err = errValueTooLarge
			return false
		}
		if live > len(buf)/2 {
			// Double, but never past what the limit lets src still give:
			// a window full at the limit needs no room to find out that
			// src has more (limitReader probes with a byte of its own).
			n := 2 * len(buf)
			if rest := s.src.n; rest < int64(n-live) {
				n = live + int(rest)
			}
			if n > len(buf) {
				buf = make([]byte, n)
			}
		}
		copy(buf, s.buf[start:s.w])
		s.buf = buf
		s.r -= start
		s.w = live
		if s.keep >= 0 {
			s.keep -= start
		}
		s.off += int64(start)
	}
	for range 100 {
		n, err := s.src.Read(s.buf[s.w:])
		s.w += n
		if err != nil {
			s.err = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.err = io.ErrNoProgress
	return false
}

// peek skips whitespace and returns the next byte; ok is false at the end
// of the input (s.err tells why).
func (s *stream) peek() (c byte, ok bool) {
	for {
		for i, c := range s.buf[s.r:s.w] {
			switch c {
			case ' ', '\t', '\n', '\r':
			default:
				s.r += i
				return c, true
			}
		}
		s.r = s.w
		if !s.fill() {
			return 0, false
		}
	}
}

// offset is the position in the inflated file of the next unread byte.
func (s *stream) offset() int64 { return s.off + int64(s.r) }

// capture finds the end of the value that starts at the next
// non-whitespace byte and returns its bytes, which stay valid until the
// next call. The value is not validated: an object or array ends at the
// bracket that brings the depth back to zero, a string at its closing
// quote, anything else at the next delimiter. ok is false if the input
// ends first.
func (s *stream) capture() (v []byte, ok bool) {
	c, ok := s.peek()
	if !ok {
		return nil, false
	}
	s.keep = s.r
	defer func() { s.keep = -1 }()
	i := s.r + 1 // scan position, relative to s.keep
	switch c {
	case '{', '[':
		depth, inStr := 1, false
		for {
			buf := s.buf[:s.w]
			for i < len(buf) {
				if inStr {
					// Most of a record is strings: jump to the next quote.
					j := bytes.IndexByte(buf[i:], '"')
					if j < 0 {
						i = len(buf)
						break
					}
					i += j + 1
					inStr = escapes(buf[:i-1])%2 == 1
					continue
				}
				switch buf[i] {
				case '"':
					inStr = true
				case '{', '[':
					depth++
				case '}', ']':
					if depth--; depth == 0 {
						s.r = i + 1
						return s.buf[s.keep:s.r], true
					}
				}
				i++
			}
			if i, ok = s.refill(i); !ok {
				return nil, false
			}
		}
	case '"':
		for {
			buf := s.buf[:s.w]
			for i < len(buf) {
				j := bytes.IndexByte(buf[i:], '"')
				if j < 0 {
					i = len(buf)
					break
				}
				i += j + 1
				if escapes(buf[:i-1])%2 == 0 {
					s.r = i
					return s.buf[s.keep:s.r], true
				}
			}
			if i, ok = s.refill(i); !ok {
				return nil, false
			}
		}
	default:
		for {
			buf := s.buf[:s.w]
			for ; i < len(buf); i++ {
				switch buf[i] {
				case ',', ':', ']', '}', '[', '{', '"', ' ', '\t', '\n', '\r':
					s.r = i
					return s.buf[s.keep:s.r], true
				}
			}
			if i, ok = s.refill(i); !ok {
				// A scalar may end the input (and make it invalid later).
				if s.err == io.EOF {
					s.r = s.w
					return s.buf[s.keep:s.w], true
				}
				return nil, false
			}
		}
	}
}

// escapes counts the backslashes that end b. A quote after an odd number
// of them is escaped. The count stops at the string's opening quote at the
// latest, which capture keeps in the window.
func escapes(b []byte) int {
	n := 0
	for n < len(b) && b[len(b)-1-n] == '\\' {
		n++
	}
	return n
}

// refill is fill for capture: i, an index into buf, moves with the bytes
// it points at when fill shifts them.
func (s *stream) refill(i int) (int, bool) {
	keep := s.keep
	ok := s.fill()
	return i - (keep - s.keep), ok
}

// limitReader reads at most n bytes from r, then fails with errTooLarge
// if r has more.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// Past the limit, p may be empty: read one byte of our own to
		// tell the end of the file from more data.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// sourceReader remembers the first bytes of the compressed file (for
// messages) and the error its reader gave, if any: a read that fails is a
// fault of the source, not of the file, and must not be reported as a bad
// file.
type sourceReader struct {
	r     io.Reader
	head  [4]byte
	nhead int
	err   error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if s.nhead < len(s.head) {
		s.nhead += copy(s.head[s.nhead:], p[:n])
	}
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}
