package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tcms/tcms/store"
)

// TestConcurrentRemoveWaitsForNewReferences: a test case being created in
// a category of a product while the product is removed makes the remove
// wait for it and then refuse, instead of deleting the new case with the
// category.
func TestConcurrentRemoveWaitsForNewReferences(t *testing.T) {
	st, conn, _ := MustOpen(t)
	ctx := t.Context()
	admin := MustCreateUser(t, st, "alice")
	cl, err := st.CreateClassification(ctx, "Software")
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.CreateProduct(ctx, store.NewProduct{Name: "doomed", ClassificationID: cl.ID})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, `INSERT INTO test_cases (summary, case_status_id, category_id, priority_id, author_id)
		SELECT 'late', 1, ca.id, 1, $2 FROM categories ca WHERE ca.product_id = $1`, p.ID, admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := st.RemoveProducts(ctx, map[string]any{"name": "doomed"})
		done <- err
	}()
	// The remove waits for the creating transaction's lock on the category.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting bool
		tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database())").Scan(&waiting)
		if waiting {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the remove did not wait: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the remove never waited")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	err = <-done
	if store.ErrorKind(err) != store.Invalid || !strings.Contains(err.Error(), `Product "doomed" is in use by 1 test case`) {
		t.Fatalf("remove after a concurrent case: %v", err)
	}
	var n int
	conn.QueryRow(ctx, "SELECT count(*) FROM test_cases WHERE summary = 'late'").Scan(&n)
	if n != 1 {
		t.Fatal("the concurrent case was deleted")
	}
}
