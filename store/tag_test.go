package store_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

func TestTagIDs(t *testing.T) {
	st, _, _ := MustOpen(t)
	ctx := t.Context()
	MustRefresh(t, st)
	root := store.Principal{UserID: 0, Username: "root", IsSuperuser: true}
	count := func(name string) int {
		t.Helper()
		rows, err := st.FilterTags(ctx, map[string]any{"name": name})
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}

	t.Run("OK", func(t *testing.T) {
		ids, err := st.TagIDs(ctx, root, []string{"b", "a", "b"})
		if err != nil || len(ids) != 3 || ids[0] != ids[2] || ids[0] == ids[1] {
			t.Fatalf("got %v, %v", ids, err)
		}
		again, err := st.TagIDs(ctx, root, []string{"a", "b"})
		if err != nil || !slices.Equal(again, []int64{ids[1], ids[0]}) {
			t.Fatalf("a second call must find the same tags: %v, %v", again, err)
		}
		if count("a") != 1 || count("b") != 1 {
			t.Fatal("tags were created twice")
		}
	})
	t.Run("LowestIDOfDuplicates", func(t *testing.T) {
		first, _ := st.CreateTag(ctx, "dup")
		if _, err := st.CreateTag(ctx, "dup"); err != nil {
			t.Fatal(err)
		}
		ids, err := st.TagIDs(ctx, root, []string{"dup"})
		if err != nil || ids[0] != first.ID {
			t.Fatalf("want %d, got %v, %v", first.ID, ids, err)
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		plain := MustCreatePlainUser(t, st, "plain")
		who := store.Principal{UserID: plain.ID, Username: plain.Username}
		_, err := st.TagIDs(ctx, who, []string{"a", "fresh"})
		wantError(t, err, store.Forbidden, `Tag matching query does not exist. Creating the tag "fresh" needs the management.add_tag permission.`)
		if count("fresh") != 0 {
			t.Fatal("a refused call created a tag")
		}
		if ids, err := st.TagIDs(ctx, who, []string{"a"}); err != nil || len(ids) != 1 {
			t.Fatalf("existing tags need no permission: %v, %v", ids, err)
		}
		if err := st.SetUserPermissions(ctx, root, plain.ID, []string{"management.add_tag"}, true); err != nil {
			t.Fatal(err)
		}
		if _, err := st.TagIDs(ctx, who, []string{"fresh"}); err != nil || count("fresh") != 1 {
			t.Fatalf("with management.add_tag: %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := st.TagIDs(ctx, root, []string{"ok", ""})
		wantError(t, err, store.Invalid, "tag: This field is required.")
		_, err = st.TagIDs(ctx, root, []string{strings.Repeat("x", 256)})
		wantError(t, err, store.Invalid, "tag: Ensure this value has at most 255 characters (it has 256).")
	})
	// Rounds of racing callers: without TagLockNames some round creates a
	// name twice.
	t.Run("Concurrent", func(t *testing.T) {
		for round := range 20 {
			names := []string{fmt.Sprint("race-b", round), fmt.Sprint("race-a", round)}
			var wg sync.WaitGroup
			got := make([][]int64, 16)
			for i := range got {
				wg.Go(func() {
					var err error
					if got[i], err = st.TagIDs(ctx, root, names); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			for _, ids := range got {
				if !slices.Equal(ids, got[0]) {
					t.Fatalf("callers disagree: %v", got)
				}
			}
			if count(names[0]) != 1 || count(names[1]) != 1 {
				t.Fatal("concurrent callers created a name twice")
			}
		}
	})
}

func TestTagFilter(t *testing.T) {
	st := storetest.New(t)
	ctx := t.Context()
	a, _ := st.CreateTag(ctx, "alpha")
	b, _ := st.CreateTag(ctx, "beta")
	rows, err := st.FilterTags(ctx, map[string]any{"name__in": []any{"beta", "alpha"}})
	if err != nil || len(rows) != 2 || rows[0].ID != a.ID || rows[1].ID != b.ID {
		t.Fatalf("want alpha, beta by id: %+v, %v", rows, err)
	}
	if r := rows[0]; r.Case != nil || r.Plan != nil || r.Run != nil || r.Execution != nil || r.Bugs != nil {
		t.Fatalf("a tag on nothing has null relations: %+v", r)
	}
	_, err = st.FilterTags(ctx, map[string]any{"cases": 1})
	wantError(t, err, store.Invalid, "Cannot resolve keyword 'cases' into field. Choices are: bugs, case, execution, id, name, plan, run.")
}
