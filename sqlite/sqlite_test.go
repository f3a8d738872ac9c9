package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/ctlaketest"
	"github.com/ctlake/ctlake/sqlite"
)

func TestCatalogConformance(t *testing.T) {
	ctlaketest.RunCatalogConformance(t, func(t *testing.T) ctlake.Catalog {
		c := sqlite.NewCatalog(filepath.Join(t.TempDir(), "catalog.db"))
		if err := c.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	})
}

// TestReopen checks that a committed write survives closing and reopening
// the file, and that reopening does not re-run migrations.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	c := sqlite.NewCatalog(path)
	if err := c.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Update(ctx, func(tx ctlake.Tx) error { return tx.PutSetting("x", []byte("kept")) }); err != nil {
		t.Fatal(err)
	}
	c.Close()
	c = sqlite.NewCatalog(path)
	if err := c.Open(ctx); err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer c.Close()
	var v []byte
	c.View(ctx, func(tx ctlake.Tx) (err error) { v, err = tx.Setting("x"); return err })
	if string(v) != "kept" {
		t.Errorf("after reopen: %q", v)
	}
}
