package sqlite

// SegmentTotals returns how many segments all stores have and their bytes,
// summed in SQL: Prometheus scrapes read it every few seconds, and the rows
// themselves are not needed for that.
func (tx *Tx) SegmentTotals() (segments, bytes int64, err error) {
	err = tx.tx.QueryRowContext(tx.ctx, `SELECT count(*), coalesce(sum(bytes), 0) FROM segments`).Scan(&segments, &bytes)
	return segments, bytes, err
}
