// Package trail reads CloudTrail log files: what an object key says about
// a file (ParseKey, DayPrefix), and the events in a gzip-compressed
// {"Records":[...]} file (Decode). It does no I/O of its own and knows
// nothing of imports or storage; the import engine lists keys, opens
// objects and hands the readers here.
//
// # Keys
//
// CloudTrail writes logs at
//
//	[prefix/]AWSLogs/<account>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz
//
// and, for organization trails, with "<o-orgid>/" after "AWSLogs/". Digest
// and Insights files sit in the sibling folders CloudTrail-Digest and
// CloudTrail-Insight (spec §4.4, §8). ParseKey accepts any folder name in
// the Kind position, so a caller can tell a digest from a log by Kind, and
// Key.IsLog says whether a key is a log file by its folder and name. The
// prefix may contain "AWSLogs" segments of its own: the last one followed
// by a complete layout wins. DayPrefix gives the region-day folder, the
// "prefix" that import statistics count (spec §4.4 rule 3).
//
// # Decoding
//
// Decode streams: it inflates the file through a bounded window, finds
// where each record ends, and parses that record alone, so memory follows
// the largest record, not the file (a 1 KB-record file of any length keeps
// the initial 256 KB window). Records reach the sink as soon as they are
// parsed, so the sink sees the first records of a file that later turns
// out to be bad; the caller buffers a file's events and drops them if
// Decode fails. The inflated size is capped (maxUncompressed), so a gzip
// bomb fails after inflating at most the cap, without holding it unless it
// is one endless value.
//
// A file is judged whole: the first problem fails it, as a *FileError of
// type
//
//   - InvalidFileFormat: not gzip, corrupt or truncated gzip, a bad gzip
//     checksum, data after the gzip stream, larger than the cap once
//     inflated, invalid JSON anywhere (including the parts that are not
//     records), a top level that is not an object, no "Records" member or
//     two, Records not an array. Invalid UTF-8 inside a string is invalid
//     JSON here (RFC 8259 §8.1): eventJson must be valid text, and a record
//     with broken bytes is better refused than silently altered.
//   - InvalidEventRecord: a record that is valid JSON but not an object,
//     or has no eventTime, or an eventTime that is not an RFC 3339
//     timestamp (with or without fractional seconds, any offset).
//   - NotTrailLog: a CloudTrail digest file (digestStartTime, logFiles, no
//     Records) or an AWS Config file (configurationItems).
//
// Messages name the record as Records[i] (from 0) and give byte offsets in
// the inflated file. Errors from the sink come back unchanged; errors from
// the reader come back wrapped, never as a FileError, because a read that
// fails is the source's fault, not the file's.
//
// Insights files also hold Records and decode like logs (their
// insightDetails are mapped); keeping them out of a CloudTrail-events
// store is the caller's choice, by Key.Kind.
//
// # Mapping a record to ctlake.Event
//
// Following spec §6.2, with these choices where it is silent:
//
//   - Field names match exactly, case included: "eventId" is not
//     "eventID". A key written with escapes ("event\u004eame") is matched
//     after unescaping. Unknown fields are ignored (they stay in
//     EventJSON). If a key appears twice, the last value wins.
//   - eventTime becomes UTC, truncated (not rounded) to the millisecond,
//     so that an event never moves into the next second or day.
//   - String fields: absent or null is nil; a string is its unescaped
//     value; any other value is kept as its compact JSON text (a boolean
//     sessionCredentialFromConsole or mfaAuthenticated becomes "true" or
//     "false"; an object becomes its JSON), since the column is a string
//     and dropping the value would lose what the record says.
//   - Free-form objects (requestParameters, responseElements,
//     additionalEventData, serviceEventDetails, addendum,
//     edgeDeviceDetails, insightDetails, and
//     webIdFederationData.attributes) become maps of their top-level
//     members: string values unescaped, numbers, booleans, objects and
//     arrays as their JSON text, compacted but otherwise as written
//     (number spelling, escapes and key order kept). A member whose value
//     is null is left out: a "null" text would be indistinguishable from
//     the string "null", and an absent key already reads as NULL in SQL.
//     An absent or null object gives a nil map; {} gives an empty map; a
//     value that is not an object (a string, an array) gives a nil map and
//     stays in EventJSON.
//   - userIdentity and its nested objects (sessionContext, attributes,
//     sessionIssuer, webIdFederationData, onBehalfOf, inScopeOf) and
//     tlsDetails: an object gives a non-nil struct, even when empty ({}
//     is common for sessionIssuer); absent, null or not an object gives
//     nil. creationDate is parsed like eventTime; if it does not parse it
//     is nil, not an error.
//   - readOnly and managementEvent: JSON booleans and the strings "true"
//     and "false"; anything else is nil.
//   - resources: each object element gives a Resource (keys ARN,
//     accountId, type, ARNPrefix); elements that are not objects are left
//     out; null or a non-array gives nil, [] an empty slice.
//   - EventJSON is the record's bytes exactly as in the file, not
//     re-encoded. A lone UTF-16 surrogate in an escape (valid JSON, not
//     valid text) becomes U+FFFD in the mapped fields, as in
//     encoding/json; EventJSON keeps the escape.
//
// # Why a hand-written parser
//
// encoding/json would do, but it matches field names case-insensitively,
// accepts invalid UTF-8 (and replaces it when decoding), and needs a
// second pass to keep each record's exact bytes. The parser here is small
// (json.go), validates everything it reads, and is fuzzed against
// encoding/json (FuzzDecode). It is also fast: strings without escapes are
// substrings of EventJSON, and each event's pointers lead into one block
// allocated with it. BenchmarkDecode compares it with inflating alone and
// with encoding/json merely splitting the same files.
package trail
