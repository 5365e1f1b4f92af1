package store_test

import (
	"sync"
	"testing"

	"github.com/tcms/tcms/store"
)

// Concurrent get-or-create calls of one property all get the same row.
func TestAddEnvironmentPropertyConcurrent(t *testing.T) {
	t.Parallel()
	st, _, _ := MustOpen(t)
	ctx := t.Context()
	env, err := st.CreateEnvironment(ctx, store.NewEnvironment{Name: "CI"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 16
	got := make([]store.EnvironmentProperty, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = st.AddEnvironmentProperty(ctx, env.ID, "python", "3.12") })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || got[i] != got[0] || got[i].Environment != env.ID {
			t.Fatalf("call %d: %+v %v (first %+v)", i, got[i], errs[i], got[0])
		}
	}
	all, err := st.FilterEnvironmentProperties(ctx, map[string]any{"environment": env.ID})
	if err != nil || len(all) != 1 {
		t.Fatalf("want one row: %+v %v", all, err)
	}
	_, err = st.AddEnvironmentProperty(ctx, env.ID+1, "python", "3.12")
	wantError(t, err, store.NotFound, "Environment matching query does not exist.")
}
