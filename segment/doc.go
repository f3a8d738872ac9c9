// Package segment stores the events of event data stores as Parquet segment
// files in a local folder: the ctlake.SegmentStore that DuckDB, the query
// engine, reads.
//
// # Segments
//
// A segment is one immutable Parquet file holding events of one event data
// store and one event day (UTC), written once by an import and never
// changed: new events make new segments, and a segment is only ever removed
// whole. The file on its own means nothing to queries: a segment exists once
// the catalog records it, in the transaction that marks its source files
// done (see ctlake.Segment). Files that the catalog does not know are garbage
// from a crash; the caller lists them with SegmentPaths and removes them with
// RemoveSegment at start-up, and RemoveTempFiles clears writes cut short.
//
// WriteSegment sorts its rows by eventtime, so that the min/max statistics
// of each row group and page cover a narrow range. A Writer keeps the order
// it is given: the import engine streams each file's events (in time order
// within the file) as the files arrive, so its segments' pages span more of
// their day; the day partition (below) is what prunes a query that bounds
// eventtime, as AWS advises every Lake query to do. Streaming is what keeps
// an import's memory flat (see importer/batch.go).
//
// # Layout
//
//	<root>/<storeID>/eventday=YYYY-MM-DD/<segmentID>.parquet
//
// The segment id is a new lower-case UUID. The day folder is named the Hive
// way, so that DuckDB (hive_partitioning), Trino, Athena and Spark read
// eventday as a DATE partition column and prune whole days from the path
// alone, and the same tree can move to an S3 prefix unchanged. DuckDB
// detects such names by itself and then adds eventday to "SELECT *": an
// engine that wants exactly the Lake columns passes hive_partitioning =
// false. ctlake.Segment.Path is relative to the root with "/" separators;
// Abs gives the file name to read.
//
// # Schema
//
// The columns are those of the Lake schema for CloudTrail-event stores
// (spec §6.2), in its order and with its lower-case names:
//
//   - strings are BYTE_ARRAY with the STRING logical type (UTF-8); those of
//     low cardinality (event names and sources, regions, account ids, ARNs
//     of callers, user agents, error codes, ...) are dictionary encoded;
//   - eventtime and userIdentity.sessionContext.attributes.creationDate are
//     INT64 TIMESTAMP(MILLIS, isAdjustedToUTC), the precision of CloudTrail:
//     DuckDB reads them as TIMESTAMP WITH TIME ZONE, which prints in the
//     session's TimeZone, so the query engine sets TimeZone to UTC;
//   - requestParameters and the other free-form objects are MAPs of string
//     to string (keys required, as Parquet wants them; values optional);
//   - resources is a LIST of structs; userIdentity (with its nested
//     sessionContext, onBehalfOf and inScopeOf) and tlsDetails are groups;
//   - readOnly and managementEvent are BOOLEAN;
//   - eventjson is the record's JSON text as it was in the log file, and
//     eventjsonchecksum is always NULL for now.
//
// Every column and every field of every group is OPTIONAL. The Lake tells
// an absent value from an empty one: "errorCode IS NULL" finds the calls
// that succeeded, and an empty requestParameters object is not a missing
// one. So a nil pointer, map or slice of ctlake.Event is written as NULL and
// a non-nil "" or empty map or list as itself. That also lets the schema
// grow: a column added later reads as NULL in older segments.
//
// Pages are compressed with zstd, 4 MiB before compression (the eventjson
// column, most of a file, compresses markedly better in large pages), in
// row groups of up to DefaultRowGroupSize rows (which bounds a writer's
// memory).
//
// # Atomic publication
//
// A Writer (NewSegmentWriter; WriteSegment uses one) writes the file under a
// temporary name in its final folder,
// ".<segmentID>.parquet.tmp", syncs it, renames it to its final name and
// syncs the folder (and, the first time, the folders above it). A reader, a
// crash or SegmentPaths therefore sees either the whole file or none of it;
// SegmentPaths never lists temporary files.
package segment
