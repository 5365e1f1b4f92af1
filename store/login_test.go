package store_test

import (
	"testing"
	"time"

	"github.com/tcms/tcms/store"
)

const lockedMsg = "Account is locked after too many failed logins; try again later or ask an administrator to unlock it"

func TestLoginLockout(t *testing.T) {
	t.Parallel()
	st, conn, _ := MustOpen(t)
	ctx := t.Context()
	st.SetLoginPolicy(3, time.Hour)
	failedLogins := func(id int64) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, "SELECT failed_logins FROM users WHERE id = $1", id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("OK", func(t *testing.T) {
		alice := MustCreateUser(t, st, "alice")
		for range 2 {
			_, err := st.Authenticate(ctx, "alice", "wrong")
			wantError(t, err, store.Invalid, "Wrong username or password")
		}
		if n := failedLogins(alice.ID); n != 2 {
			t.Fatalf("failed_logins %d after 2 wrong passwords", n)
		}
		u, err := st.Authenticate(ctx, "alice", "secret")
		if err != nil {
			t.Fatal(err)
		}
		if u.IsLocked(time.Now()) || failedLogins(alice.ID) != 0 {
			t.Fatalf("a login must reset the count: %+v, %d", u, failedLogins(alice.ID))
		}
	})
	t.Run("ErrLocked", func(t *testing.T) {
		bob := MustCreateUser(t, st, "bob")
		for range 2 {
			st.Authenticate(ctx, "bob", "wrong")
		}
		_, err := st.Authenticate(ctx, "bob", "wrong")
		wantError(t, err, store.Invalid, lockedMsg)
		_, err = st.Authenticate(ctx, "bob", "secret")
		wantError(t, err, store.Invalid, lockedMsg)
		_, err = st.BasicPrincipal(ctx, "bob", "secret")
		wantError(t, err, store.Invalid, lockedMsg)
		if n := failedLogins(bob.ID); n != 0 {
			t.Errorf("failed_logins %d after locking", n)
		}

		if err := st.UnlockUser(ctx, bob.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Authenticate(ctx, "bob", "secret"); err != nil {
			t.Fatalf("after UnlockUser: %v", err)
		}
	})
	t.Run("LockoutEnds", func(t *testing.T) {
		carol := MustCreateUser(t, st, "carol")
		for range 3 {
			st.Authenticate(ctx, "carol", "wrong")
		}
		if _, err := conn.Exec(ctx, "UPDATE users SET locked_until = now() - interval '1 second' WHERE id = $1", carol.ID); err != nil {
			t.Fatal(err)
		}
		u, err := st.Authenticate(ctx, "carol", "secret")
		if err != nil {
			t.Fatalf("after the lockout: %v", err)
		}
		if u.LockedUntil != nil {
			t.Errorf("LockedUntil %v after a login", u.LockedUntil)
		}
	})
	t.Run("ErrUnknownUser", func(t *testing.T) {
		for range 4 {
			_, err := st.Authenticate(ctx, "ghost", "wrong")
			wantError(t, err, store.Invalid, "Wrong username or password")
		}
		wantError(t, st.UnlockUser(ctx, 1<<40), store.NotFound, "User matching query does not exist.")
	})
	t.Run("Off", func(t *testing.T) {
		other, _, _ := MustOpen(t)
		other.SetLoginPolicy(0, time.Hour)
		MustCreateUser(t, other, "dave")
		for range 10 {
			_, err := other.Authenticate(ctx, "dave", "wrong")
			wantError(t, err, store.Invalid, "Wrong username or password")
		}
		if _, err := other.Authenticate(ctx, "dave", "secret"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSetPasswordEndsSessions(t *testing.T) {
	t.Parallel()
	a, _, u := MustOpen(t)
	b := MustOpenAnother(t, u)
	ctx := t.Context()
	alice := MustCreateUser(t, a, "alice")
	id := MustCreateSession(t, a, alice.ID)
	if _, err := b.SessionPrincipal(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := a.SetPassword(ctx, alice.ID, "new secret"); err != nil {
		t.Fatal(err)
	}
	_, err := a.SessionPrincipal(ctx, id)
	wantError(t, err, store.Unauthenticated, "session expired")
	eventually(t, "session ended by a password change in A refused by B", func() bool {
		_, err := b.SessionPrincipal(ctx, id)
		return store.ErrorKind(err) == store.Unauthenticated
	})
}
