package store_test

import (
	"os"
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
)

// TestFilterDocsFresh fails when the field tables of docs/filters.md no
// longer match the entity declarations.
func TestFilterDocsFresh(t *testing.T) {
	doc, err := os.ReadFile("../docs/filters.md")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(doc), store.FilterDocMarker)
	if i < 0 || string(doc[i:]) != store.FilterFieldsReference() {
		t.Fatal("docs/filters.md is stale: run `make docs` and commit it")
	}
}
