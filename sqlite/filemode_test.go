package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/sqlite"
)

// TestCatalogFilesPrivate: the catalog and its -wal and -shm files are
// readable by their owner alone, whether new or left 0644 by an older
// version, whatever the umask.
func TestCatalogFilesPrivate(t *testing.T) {
	ctx := context.Background()
	// The usual umask, which leaves files SQLite creates world-readable.
	defer syscall.Umask(syscall.Umask(0o022))
	for _, existing := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "catalog.db")
		if existing {
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				if err := os.WriteFile(p, nil, 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(p, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		c := sqlite.NewCatalog(path)
		if err := c.Open(ctx); err != nil {
			t.Fatal(err)
		}
		if err := c.Update(ctx, func(tx ctlake.Tx) error { return tx.PutSetting("x", []byte("y")) }); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			st, err := os.Stat(p)
			if err != nil {
				t.Fatalf("existing=%v: %v", existing, err)
			}
			if mode := st.Mode().Perm(); mode != 0o600 {
				t.Errorf("existing=%v: %s has mode %04o, want 0600", existing, filepath.Base(p), mode)
			}
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
