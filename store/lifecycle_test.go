package store_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/tcms/tcms/store"
)

// TestConcurrentRemoveLastSuperusers: two superusers removing each other
// at once take turns; the second finds itself the last and is refused, so
// the database never ends without an active superuser.
func TestConcurrentRemoveLastSuperusers(t *testing.T) {
	st, conn, _ := MustOpen(t)
	ctx := t.Context()
	var su [2]store.User
	for i, name := range []string{"root1", "root2"} {
		u, err := st.CreateUser(ctx, store.System, store.NewUser{Username: name, IsSuperuser: true, Groups: []string{}})
		if err != nil {
			t.Fatal(err)
		}
		su[i] = u
	}
	for round := range 5 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				by := store.Principal{UserID: su[i].ID, Username: su[i].Username, IsSuperuser: true}
				errs[i] = st.RemoveUser(ctx, by, su[1-i].ID)
			}()
		}
		wg.Wait()
		var left int
		conn.QueryRow(ctx, "SELECT count(*) FROM users WHERE is_superuser AND is_active").Scan(&left)
		refused := 0
		for _, err := range errs {
			var e *store.Error
			if errors.As(err, &e) && e.Kind == store.Forbidden {
				refused++
			} else if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if left != 1 || refused != 1 {
			t.Fatalf("round %d: %d superusers left, %d refused: %v", round, left, refused, errs)
		}
		// Put the removed one back for the next round.
		for i := range su {
			if _, err := st.UserByID(ctx, su[i].ID); err != nil {
				u, err := st.CreateUser(ctx, store.System, store.NewUser{Username: su[i].Username, IsSuperuser: true, Groups: []string{}})
				if err != nil {
					t.Fatal(err)
				}
				su[i] = u
			}
		}
	}
}

// TestAuditSameTransaction: a change and its audit row stand or fall
// together; a refused change leaves no row.
func TestAuditSameTransaction(t *testing.T) {
	st, conn, _ := MustOpen(t)
	ctx := store.WithActor(store.WithClientAddress(t.Context(), "192.0.2.1"), store.Principal{UserID: 7, Username: "someone"})
	if _, err := st.CreateGroup(ctx, "qa"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateGroup(ctx, "qa"); err == nil {
		t.Fatal("a second group qa")
	}
	rows, err := conn.Query(ctx, "SELECT tenant, actor_id, actor, address, action, target, details->>'group_id' FROM audit_log ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var tenant, actor, address, action, target, group string
		var actorID int64
		if err := rows.Scan(&tenant, &actorID, &actor, &address, &action, &target, &group); err != nil {
			t.Fatal(err)
		}
		got = append(got, tenant+"|"+actor+"|"+address+"|"+action+"|"+target+"|"+group)
		if actorID != 7 {
			t.Errorf("actor_id %d", actorID)
		}
	}
	if len(got) != 1 || got[0] != "|someone|192.0.2.1|Group.create|qa|3" {
		t.Fatalf("audit rows %q", got)
	}
}
