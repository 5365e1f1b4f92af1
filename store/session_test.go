package store_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

// Within is how soon a change made by one process must reach another.
const within = time.Second

// eventually fails unless cond holds within a second.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	storetest.HoldsWithin(t, within, what, cond)
}

func MustCreateSession(t *testing.T, st *store.Store, userID int64) string {
	t.Helper()
	id, err := st.CreateSession(t.Context(), userID, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// revokeBehindBack ends a session without notifying, so only a Store that
// answers from memory still accepts it.
func revokeBehindBack(t *testing.T, conn *pgx.Conn, id string) {
	t.Helper()
	if _, err := conn.Exec(t.Context(), "UPDATE sessions SET revoked_at = now() WHERE id = $1", id); err != nil {
		t.Fatal(err)
	}
}

func TestSession(t *testing.T) {
	t.Parallel()
	st, _, _ := MustOpen(t)
	ctx := t.Context()
	alice := MustCreateUser(t, st, "alice")
	t.Run("OK", func(t *testing.T) {
		id := MustCreateSession(t, st, alice.ID)
		if len(id) != 32 {
			t.Errorf("session key %q", id)
		}
		for _, r := range id {
			if !('a' <= r && r <= 'z' || '0' <= r && r <= '9') {
				t.Fatalf("session key %q has %q", id, r)
			}
		}
		p, err := st.SessionPrincipal(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if p != (store.Principal{UserID: alice.ID, Username: "alice"}) {
			t.Errorf("got %+v", p)
		}
	})
	t.Run("ErrEnded", func(t *testing.T) {
		id := MustCreateSession(t, st, alice.ID)
		if _, err := st.SessionPrincipal(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := st.EndSession(ctx, id); err != nil {
			t.Fatal(err)
		}
		_, err := st.SessionPrincipal(ctx, id)
		wantError(t, err, store.Unauthenticated, "session expired")
		if err := st.EndSession(ctx, id); err != nil {
			t.Errorf("ending twice: %v", err)
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		_, err := st.SessionPrincipal(ctx, "nosuchsession")
		wantError(t, err, store.Unauthenticated, "session expired")
		if err := st.EndSession(ctx, "nosuchsession"); err != nil {
			t.Errorf("ending unknown: %v", err)
		}
	})
	t.Run("ErrExpired", func(t *testing.T) {
		id, err := st.CreateSession(ctx, alice.ID, time.Now().Add(-time.Second))
		if err != nil {
			t.Fatal(err)
		}
		_, err = st.SessionPrincipal(ctx, id)
		wantError(t, err, store.Unauthenticated, "session expired")
	})
	t.Run("ErrUnknownUser", func(t *testing.T) {
		_, err := st.CreateSession(ctx, alice.ID+100, time.Now().Add(time.Hour))
		if store.ErrorKind(err) != store.Invalid {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrDeactivated", func(t *testing.T) {
		bob := MustCreateUser(t, st, "bob")
		id := MustCreateSession(t, st, bob.ID)
		if _, err := st.SessionPrincipal(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := storetest.SetActive(ctx, st, bob.ID, false); err != nil {
			t.Fatal(err)
		}
		_, err := st.SessionPrincipal(ctx, id)
		wantError(t, err, store.Unauthenticated, "session expired")
		// Deactivation ended the session for good.
		if err := storetest.SetActive(ctx, st, bob.ID, true); err != nil {
			t.Fatal(err)
		}
		_, err = st.SessionPrincipal(ctx, id)
		wantError(t, err, store.Unauthenticated, "session expired")
	})
}

// TestSessionAcrossProcesses runs two Stores on one database, as two
// server processes would.
func TestSessionAcrossProcesses(t *testing.T) {
	t.Parallel()
	a, conn, u := MustOpen(t)
	ctx := t.Context()
	b := MustOpenAnother(t, u)
	alice := MustCreateUser(t, a, "alice")
	id := MustCreateSession(t, a, alice.ID)
	if _, err := b.SessionPrincipal(ctx, id); err != nil {
		t.Fatal(err)
	}

	t.Run("CachedInMemory", func(t *testing.T) {
		revokeBehindBack(t, conn, id)
		if _, err := b.SessionPrincipal(ctx, id); err != nil {
			t.Fatalf("not answered from memory: %v", err)
		}
	})
	t.Run("ErrEndedElsewhere", func(t *testing.T) {
		if err := a.EndSession(ctx, id); err != nil {
			t.Fatal(err)
		}
		eventually(t, "session ended in A refused by B", func() bool {
			_, err := b.SessionPrincipal(ctx, id)
			return store.ErrorKind(err) == store.Unauthenticated
		})
	})
	t.Run("ErrDeactivatedElsewhere", func(t *testing.T) {
		id := MustCreateSession(t, a, alice.ID)
		if _, err := b.BasicPrincipal(ctx, "alice", "secret"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.SessionPrincipal(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := storetest.SetActive(ctx, a, alice.ID, false); err != nil {
			t.Fatal(err)
		}
		eventually(t, "user deactivated in A refused by B", func() bool {
			_, errS := b.SessionPrincipal(ctx, id)
			_, errB := b.BasicPrincipal(ctx, "alice", "secret")
			return errS != nil && errB != nil
		})
	})
}

// TestSessionListenerLost checks that a Store whose listener connection
// dies stops trusting its cache, and caches again once reconnected.
func TestSessionListenerLost(t *testing.T) {
	t.Parallel()
	st, conn, _ := MustOpen(t)
	ctx := t.Context()
	alice := MustCreateUser(t, st, "alice")
	id := MustCreateSession(t, st, alice.ID)
	if _, err := st.SessionPrincipal(ctx, id); err != nil {
		t.Fatal(err)
	}
	revokeBehindBack(t, conn, id)
	var killed int
	err := conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%LISTEN tcms_auth%'`).Scan(&killed)
	if err != nil || killed != 1 {
		t.Fatalf("terminated %d listeners: %v", killed, err)
	}
	eventually(t, "cache dropped with the listener", func() bool {
		_, err := st.SessionPrincipal(ctx, id)
		return store.ErrorKind(err) == store.Unauthenticated
	})

	other := MustCreateSession(t, st, alice.ID)
	eventually(t, "caching resumed", func() bool {
		if _, err := st.SessionPrincipal(ctx, other); err != nil {
			t.Fatal(err)
		}
		revokeBehindBack(t, conn, other)
		_, err := st.SessionPrincipal(ctx, other)
		if err != nil {
			// Not cached yet: make the session live again and retry.
			_, err := conn.Exec(ctx, "UPDATE sessions SET revoked_at = NULL WHERE id = $1", other)
			if err != nil {
				t.Fatal(err)
			}
		}
		return err == nil
	})
}

func TestBasicPrincipal(t *testing.T) {
	t.Parallel()
	a, _, u := MustOpen(t)
	ctx := t.Context()
	b := MustOpenAnother(t, u)
	alice := MustCreateUser(t, a, "alice")
	t.Run("OK", func(t *testing.T) {
		for range 2 {
			p, err := b.BasicPrincipal(ctx, "alice", "secret")
			if err != nil {
				t.Fatal(err)
			}
			if p != (store.Principal{UserID: alice.ID, Username: "alice"}) {
				t.Errorf("got %+v", p)
			}
		}
	})
	t.Run("ErrWrongPassword", func(t *testing.T) {
		_, err := b.BasicPrincipal(ctx, "alice", "secret!")
		wantError(t, err, store.Invalid, "Wrong username or password")
	})
	t.Run("ErrPasswordChanged", func(t *testing.T) {
		for _, s := range []*store.Store{a, b} {
			if _, err := s.BasicPrincipal(ctx, "alice", "secret"); err != nil {
				t.Fatal(err)
			}
		}
		if err := storetest.SetPassword(ctx, a, alice.ID, "new secret"); err != nil {
			t.Fatal(err)
		}
		_, err := a.BasicPrincipal(ctx, "alice", "secret")
		wantError(t, err, store.Invalid, "Wrong username or password")
		eventually(t, "old password refused by B", func() bool {
			_, err := b.BasicPrincipal(ctx, "alice", "secret")
			return err != nil
		})
		if _, err := b.BasicPrincipal(ctx, "alice", "new secret"); err != nil {
			t.Fatalf("new password: %v", err)
		}
	})
}

// TestBoundSession: a session bound to a tenant is known at that tenant's
// address only, and goes with the tenant; a new tenant of the same name
// does not inherit it, not even from the cache.
func TestBoundSession(t *testing.T) {
	t.Parallel()
	st, _, _ := MustOpen(t)
	ctx := t.Context()
	alice := MustCreateUser(t, st, "alice")
	acme := MustTenant(t, st, "acme", alice.ID)
	MustTenant(t, st, "beta", alice.ID)
	id, err := st.CreateBoundSession(ctx, alice.ID, &acme.ID, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		p, err := st.SessionPrincipal(store.WithTenant(ctx, "acme"), id)
		if err != nil || p != (store.Principal{UserID: alice.ID, Username: "alice", Tenant: "acme"}) {
			t.Fatalf("got %+v, %v", p, err)
		}
	})
	t.Run("ErrElsewhere", func(t *testing.T) {
		for _, tenant := range []string{"", "beta"} {
			_, err := st.SessionPrincipal(store.WithTenant(ctx, tenant), id)
			wantError(t, err, store.Unauthenticated, "the session is valid only at its tenant's address")
		}
	})
	t.Run("ErrTenantRemoved", func(t *testing.T) {
		if err := st.RemoveTenant(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		MustTenant(t, st, "acme", alice.ID)
		_, err := st.SessionPrincipal(store.WithTenant(ctx, "acme"), id)
		wantError(t, err, store.Unauthenticated, "session expired")
	})
}
